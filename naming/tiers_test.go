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
	for _, stack := range []string{"prod", "cluster-prod", "dev", "staging", "cluster-nonprod", "pr-123", "local", "local-alice", "production", "prod-copy", "nonprod", "bootstrap"} {
		got[stack] = TierOf(stack)
	}
	want := map[string]Tier{
		"prod": TierProduction, "cluster-prod": TierProduction, "bootstrap": TierProduction,
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

// Each tier's bootstrap names are its own and within GCP's limits: pool ids 4 to 32
// characters, service account ids 6 to 30, bucket names 3 to 63.
func TestTierNames(t *testing.T) {
	seen := map[string]Tier{}
	for _, tier := range Tiers() {
		names := []struct {
			name     string
			min, max int
		}{
			{TierIdentityPool(tier), 4, 32},
			{TierDeployAccount(tier), 6, 30},
			{TierStateBucket("acme-conveyor-nonprod-project", tier), 3, 63},
			{TierKeyRing(tier), 1, 63},
		}
		for _, n := range names {
			if len(n.name) < n.min || len(n.name) > n.max {
				t.Errorf("%s: %q is %d characters, want %d to %d", tier, n.name, len(n.name), n.min, n.max)
			}
			if other, ok := seen[n.name]; ok {
				t.Errorf("%q is both %s's and %s's", n.name, other, tier)
			}
			seen[n.name] = tier
		}
	}
	if _, ok := seen[ProdPlannerAccount]; ok || len(ProdPlannerAccount) > 30 {
		t.Errorf("the planner's account %q is another's or too long", ProdPlannerAccount)
	}
}
