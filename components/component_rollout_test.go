package components_test

import (
	"testing"

	"github.com/conveyor-paas/conveyor/components"
	"github.com/conveyor-paas/conveyor/evaluation/evaluationtest"
)

// TestRolloutDeadline: an ad-hoc environment's Deployments (apis and handlers) give up on a
// rollout that makes no progress after three minutes, the deadline the update waits for too
// (its custom timeouts, which the real-engine node test TestCrashingDeployOnANode watches);
// a long-lived environment's keep the defaults, ten minutes.
func TestRolloutDeadline(t *testing.T) {
	tests := []struct {
		env  components.Environment
		want string // spec.progressDeadlineSeconds, "" when unset
	}{
		{components.Environment{Name: "pr-7", AdHoc: true}, "180"},
		{components.Environment{Name: "dev"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.env.Name, func(t *testing.T) {
			deployments := evaluationtest.OfType(deploy(t, tt.env, false), typeDeployment)
			if len(deployments) == 0 {
				t.Fatal("the catalog made no Deployment")
			}
			for _, d := range deployments {
				if got, _ := lookupString(&d, "spec.progressDeadlineSeconds"); got != tt.want {
					t.Errorf("%s: progressDeadlineSeconds = %q, want %q", d.Name, got, tt.want)
				}
			}
		})
	}
}
