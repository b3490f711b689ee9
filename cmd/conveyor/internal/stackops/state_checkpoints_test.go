package stackops_test

import (
	"context"
	"testing"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackopstest"
)

// TestOnlyLocalEnvironmentsSkipCheckpoints: the CLI runs the stacks of local environments,
// and only those, with PULUMI_SKIP_CHECKPOINTS (a killed update there is recovered from by
// adoption; GCP resources elsewhere are not). The person running conveyor may keep the local
// ones' checkpoints, but their PULUMI_SKIP_CHECKPOINTS=true, which every CLI call would
// inherit, never reaches another stack: those are run with it false, explicitly (issue 27).
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
			skip: map[string]string{"local": "true", "local-alice": "true", "dev": "false", "pr-123": "false", "staging": "false", "prod": "false", "cluster-nonprod": "false"},
		},
		{
			name:   "the person keeps every checkpoint",
			getenv: map[string]string{"PULUMI_SKIP_CHECKPOINTS": "false"},
			skip:   map[string]string{"local": "false", "local-alice": "false", "dev": "false"},
		},
		{
			name:   "the person skips checkpoints",
			getenv: map[string]string{"PULUMI_SKIP_CHECKPOINTS": "true"},
			skip:   map[string]string{"local": "true", "pr-123": "false", "prod": "false", "cluster-nonprod": "false"},
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
