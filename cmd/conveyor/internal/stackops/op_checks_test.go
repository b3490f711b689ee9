package stackops

import (
	"testing"
	"time"
)

// TestChecksRefuseWithoutABackend: every argument the rules refuse, whatever a backend holds,
// is refused by the operation's Check (a RefusedError or a PlanRequiredError, which the
// command maps to exit 3), and what the rules allow passes.
func TestChecksRefuseWithoutABackend(t *testing.T) {
	tests := []struct {
		name    string
		check   error
		refused bool
	}{
		{"create: an ad-hoc environment with a TTL", CheckCreate("pr-1", CreateOptions{TTL: time.Hour}), false},
		{"create: a bad name", CheckCreate("PR_1", CreateOptions{}), true},
		{"create: a negative TTL", CheckCreate("pr-1", CreateOptions{TTL: -time.Hour}), true},
		{"create: a TTL for dev", CheckCreate("dev", CreateOptions{TTL: time.Hour}), true},
		{"create: from a bad name", CheckCreate("pr-1", CreateOptions{From: "Dev"}), true},
		{"create: onto the production cluster", CheckCreate("pr-1", CreateOptions{Cluster: "cluster-prod"}), true},
		{"delete: an ad-hoc environment", CheckDelete("pr-1"), false},
		{"delete: staging", CheckDelete("staging"), true},
		{"destroy: pr-1", CheckDestroy("pr-1", ""), false},
		{"destroy: dev, confirmed", CheckDestroy("dev", "dev"), false},
		{"destroy: dev, unconfirmed", CheckDestroy("dev", ""), true},
		{"destroy: a bad name", CheckDestroy("PR_1", "PR_1"), true},
		{"deploy: dev", CheckDeploy(DeployRequest{Env: "dev", Module: "quotes", Image: "q:1"}), false},
		{"deploy: prod", CheckDeploy(DeployRequest{Env: "prod", Module: "quotes", Image: "q:1"}), true},
		{"deploy: no image", CheckDeploy(DeployRequest{Env: "dev", Module: "quotes"}), true},
		{"deploy: a bad component", CheckDeploy(DeployRequest{Env: "dev", Module: "quotes", Component: "API", Image: "q:1"}), true},
		{"rollback: prod with a plan", CheckRollback(RollbackRequest{Env: "prod"}, "prod.plan.json"), false},
		{"rollback: prod without a plan", CheckRollback(RollbackRequest{Env: "prod"}, ""), true},
		{"rollback: to a negative update", CheckRollback(RollbackRequest{Env: "dev", To: -1}, ""), true},
		{"promote: staging to prod", CheckPromote(PromoteRequest{From: "staging", To: "prod"}), false},
		{"promote: to itself", CheckPromote(PromoteRequest{From: "dev", To: "dev"}), true},
		{"promote: at once to prod", CheckPromote(PromoteRequest{From: "staging", To: "prod", Apply: true}), true},
		{"promote: from a bad name", CheckPromote(PromoteRequest{From: "Staging", To: "dev"}), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if IsRefused(tt.check) != tt.refused || (!tt.refused && tt.check != nil) {
				t.Errorf("%v, want refused: %v", tt.check, tt.refused)
			}
		})
	}
}
