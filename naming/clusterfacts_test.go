package naming

import "testing"

// TestFactsStacksAreTheAdHocTiers: a cluster's facts stack lives in, and is read by, the
// ad-hoc tier; it is no cluster and no environment, and a name that merely resembles one is
// not a facts stack.
func TestFactsStacksAreTheAdHocTiers(t *testing.T) {
	tests := []struct {
		stack   string
		kind    StackKind
		cluster string
	}{
		{"cluster-nonprod-facts", StackFacts, "cluster-nonprod"},
		{"cluster-eu-west-facts", StackFacts, "cluster-eu-west"},
		{"cluster-facts", StackCluster, ""},
		{"pr-1-facts", StackAdHoc, ""},
	}
	for _, tt := range tests {
		kind, err := ClassifyStack(tt.stack)
		if err != nil || kind != tt.kind {
			t.Errorf("ClassifyStack(%s) = %s, %v; want %s", tt.stack, kind, err, tt.kind)
		}
		cluster, ok := ClusterOfFactsStack(tt.stack)
		if cluster != tt.cluster || ok != (tt.cluster != "") {
			t.Errorf("ClusterOfFactsStack(%s) = %q, %v; want %q", tt.stack, cluster, ok, tt.cluster)
		}
		if kind == StackFacts && (TierOf(tt.stack) != TierAdHoc || kind.Collectable() || kind.Enforced()) {
			t.Errorf("%s: tier %s, collectable %v, enforced %v", tt.stack, TierOf(tt.stack), kind.Collectable(), kind.Enforced())
		}
	}
	for env, want := range map[string]string{"pr-123": "cluster-nonprod-facts", "dev": "cluster-nonprod", "staging": "cluster-nonprod", "prod": "cluster-prod"} {
		if got := ClusterReference(env, DefaultCluster(env)); got != want {
			t.Errorf("%s reads its cluster from %s, want %s", env, got, want)
		}
	}
}
