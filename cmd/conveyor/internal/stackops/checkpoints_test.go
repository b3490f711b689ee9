package stackops_test

import (
	"context"
	"testing"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackopstest"
)

// TestOnlyLocalEnvironmentsSkipCheckpoints: the CLI runs the stacks of local environments,
// and only those, with PULUMI_SKIP_CHECKPOINTS (a killed update there is recovered from by
// adoption; GCP resources elsewhere are not), unless the person running conveyor chose
// otherwise for every stack.
func TestOnlyLocalEnvironmentsSkipCheckpoints(t *testing.T) {
	t.Parallel()
	env := stackopstest.NewEnv(t)
	tests := []struct {
		name   string
		getenv map[string]string
		skip   map[string]string // stack -> PULUMI_SKIP_CHECKPOINTS in its workspace
	}{
		{
			name: "by default",
			skip: map[string]string{"local": "true", "local-alice": "true", "dev": "", "pr-123": "", "staging": "", "prod": "", "cluster-nonprod": ""},
		},
		{
			name:   "the person's own choice",
			getenv: map[string]string{"PULUMI_SKIP_CHECKPOINTS": "false"},
			skip:   map[string]string{"local": "", "local-alice": "", "dev": ""},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := env.Options(t, stackopstest.Program)
			opts.Getenv = func(k string) string { return tt.getenv[k] }
			e, err := stackops.New(context.Background(), opts)
			if err != nil {
				t.Fatal(err)
			}
			for stack, want := range tt.skip {
				if got := e.WorkspaceFor(stack).GetEnvVars()["PULUMI_SKIP_CHECKPOINTS"]; got != want {
					t.Errorf("PULUMI_SKIP_CHECKPOINTS for %s = %q, want %q", stack, got, want)
				}
			}
		})
	}
}
