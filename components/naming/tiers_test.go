package naming

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Every stack is of exactly one trust tier, told by its name: production holds prod and its
// cluster, long-lived what main deploys, ad-hoc everything a pull request or a developer
// makes. A name that only looks like production is ad-hoc.
func TestTierOf(t *testing.T) {
	got := map[string]Tier{}
	for _, stack := range []string{"prod", "cluster-prod", "dev", "staging", "cluster-nonprod", "pr-123", "local", "local-alice", "production", "prod-copy", "nonprod"} {
		got[stack] = TierOf(stack)
	}
	want := map[string]Tier{
		"prod": TierProduction, "cluster-prod": TierProduction,
		"dev": TierLongLived, "staging": TierLongLived, "cluster-nonprod": TierLongLived,
		"pr-123": TierAdHoc, "local": TierAdHoc, "local-alice": TierAdHoc, "production": TierAdHoc, "prod-copy": TierAdHoc, "nonprod": TierAdHoc,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("tiers (-want +got):\n%s", diff)
	}
}

// The names the bootstrap gives each tier's CI outputs are the workflows' variable names:
// one per tier and kind, never shared between tiers, and the planner's apart from the
// production deployer's.
func TestCIVariablesAreTheTiersOwn(t *testing.T) {
	seen := map[string]string{}
	for _, tier := range Tiers() {
		for _, v := range CIVariables(tier) {
			if other, ok := seen[v.Name]; ok {
				t.Errorf("%s is both %s's and %s's", v.Name, other, tier)
			}
			seen[v.Name] = string(tier)
		}
	}
	if got, want := CIVariable(CIServiceAccount, TierAdHoc), "GCP_SERVICE_ACCOUNT_ADHOC"; got != want {
		t.Errorf("the ad-hoc service account's variable is %s, want %s", got, want)
	}
	if _, ok := seen[CIProdPlanner]; !ok || CIProdPlanner == CIVariable(CIServiceAccount, TierProduction) {
		t.Errorf("the prod planner's variable %s is not one of production's own", CIProdPlanner)
	}
}
