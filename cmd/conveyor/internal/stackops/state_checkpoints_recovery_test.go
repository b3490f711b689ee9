package stackops_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackopstest"
)

// TestRecoveryFollowsTheCheckpoints: what recovers from a killed operation as if it left no
// checkpoint (the refresh after its stale lock, the sweep) follows whether the CLI really
// skips them for the stack, not the stack's name: a local environment run with every
// checkpoint recovers as an environment on GKE does.
func TestRecoveryFollowsTheCheckpoints(t *testing.T) {
	t.Parallel()
	env := stackopstest.NewEnv(t)
	tests := []struct {
		name          string
		getenv, extra map[string]string
		skipped       map[string]bool
	}{
		{name: "by default", skipped: map[string]bool{"local": true, "local-crashcp": true, "dev": false, "pr-1": false}},
		{name: "the person's own choice", getenv: map[string]string{"PULUMI_SKIP_CHECKPOINTS": "false"}, skipped: map[string]bool{"local": false, "dev": false}},
		{name: "every checkpoint for this engine", extra: map[string]string{"PULUMI_SKIP_CHECKPOINTS": "false"}, skipped: map[string]bool{"local-crashcp": false, "dev": false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := env.Options(t, stackopstest.Program)
			opts.Getenv = func(k string) string { return tt.getenv[k] }
			for k, v := range tt.extra {
				opts.ExtraEnv[k] = v
			}
			e, err := stackops.New(context.Background(), opts)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]bool{}
			for stack := range tt.skipped {
				got[stack] = e.CheckpointsSkipped(stack)
			}
			if diff := cmp.Diff(tt.skipped, got); diff != "" {
				t.Errorf("checkpoints skipped (-want +got):\n%s", diff)
			}
		})
	}
}
