package stackops

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"

	"github.com/conveyor-paas/conveyor/stacks/deployed"
)

// TestRollbackTargetUndoesAFailedDeploy: a deploy of an image that crashes fails, yet it ran
// the image (the Deployment rolled to it); `rollback --module M` must undo it by putting back
// the newest successful update's images before it, not refuse for want of a successful change
// (seen on the real node, TestCrashingDeployOnANode).
func TestRollbackTargetUndoesAFailedDeploy(t *testing.T) {
	asked := func(result, module string) auto.UpdateSummary {
		u := auto.UpdateSummary{Kind: "update", Result: result}
		if module != "" {
			u.Config = auto.ConfigMap{deployed.RequestKey: {Value: `{"` + module + `":{"api":"img"}}`}}
		}
		return u
	}
	tests := []struct {
		name    string
		updates []auto.UpdateSummary // newest first
		module  string
		want    int // index into updates; -1: refused
	}{
		{"a successful deploy goes back to the update before it",
			[]auto.UpdateSummary{asked("succeeded", "orders"), asked("succeeded", ""), asked("succeeded", "")}, "orders", 1},
		{"a failed deploy goes back to the successful update before it",
			[]auto.UpdateSummary{asked("failed", "orders"), asked("succeeded", "orders"), asked("succeeded", "")}, "orders", 1},
		{"two failed deploys in a row go back past both",
			[]auto.UpdateSummary{asked("failed", "orders"), asked("failed", "orders"), asked("succeeded", "")}, "orders", 2},
		{"a failed update that asked nothing of the module is no change of it",
			[]auto.UpdateSummary{asked("failed", "billing"), asked("succeeded", "orders"), asked("succeeded", "")}, "orders", 2},
		{"nothing successful before the change: refused",
			[]auto.UpdateSummary{asked("failed", "orders"), asked("failed", "")}, "orders", -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := rollbackTarget(tt.updates, RollbackRequest{Env: "local", Module: tt.module})
			switch {
			case tt.want < 0 && err == nil:
				t.Errorf("rollbackTarget = %d, want refused", got)
			case tt.want >= 0 && err != nil:
				t.Errorf("rollbackTarget: %v, want update %d", err, tt.want)
			case tt.want >= 0 && got != tt.want:
				t.Errorf("rollbackTarget = %d, want %d", got, tt.want)
			}
		})
	}
}
