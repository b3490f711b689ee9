package naming

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestParseStack: a parsed stack keeps its name and kind, and its cluster follows the one
// rule: a local stack's is the kubeconfig's, a cluster stack runs on none, any other runs on
// its tier's cluster stack; a name that is no stack does not parse.
func TestParseStack(t *testing.T) {
	type parsed struct {
		Name, Cluster, Environment, Module string
		Kind                               StackKind
	}
	tests := []struct {
		name    string
		want    parsed
		wantErr bool
	}{
		{"prod", parsed{"prod", "cluster-prod", "prod", "", StackProduction}, false},
		{"staging", parsed{"staging", "cluster-nonprod", "staging", "", StackLongLived}, false},
		{"pr-7", parsed{"pr-7", "cluster-nonprod", "pr-7", "", StackAdHoc}, false},
		{"local", parsed{"local", LocalCluster, "local", "", StackLocal}, false},
		{"local-alice", parsed{"local-alice", LocalCluster, "local-alice", "", StackLocal}, false},
		{"cluster-nonprod", parsed{"cluster-nonprod", "", "cluster-nonprod", "", StackCluster}, false},
		{"PR-1", parsed{}, true},
		// A module stack is of its environment's kind, tier and cluster.
		{"prod.quotes", parsed{"prod.quotes", "cluster-prod", "prod", "quotes", StackProduction}, false},
		{"dev.quotes", parsed{"dev.quotes", "cluster-nonprod", "dev", "quotes", StackLongLived}, false},
		{"pr-7.claims", parsed{"pr-7.claims", "cluster-nonprod", "pr-7", "claims", StackAdHoc}, false},
		{"local-alice.quotes", parsed{"local-alice.quotes", LocalCluster, "local-alice", "quotes", StackLocal}, false},
		{"cluster-nonprod.quotes", parsed{}, true},
		{"dev.quotes.api", parsed{}, true},
		{"dev.Quotes", parsed{}, true},
		{"dev.", parsed{}, true},
		{".quotes", parsed{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ParseStack(tt.name)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseStack(%q) error = %v, want error %v", tt.name, err, tt.wantErr)
			}
			got := parsed{s.Name(), s.Cluster(), s.Environment(), s.Module(), s.Kind()}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseStack(%q) (-want +got):\n%s", tt.name, diff)
			}
		})
	}
}

// TestModuleStackTier: a module stack belongs to its environment's tier, production's
// included, so that its state and key are production's and its updates need a plan.
func TestModuleStackTier(t *testing.T) {
	tests := []struct {
		stack      string
		production bool
		tier       Tier
	}{
		{"prod.quotes", true, TierProduction},
		{"dev.quotes", false, TierLongLived},
		{"staging.claims", false, TierLongLived},
		{"pr-12.quotes", false, TierAdHoc},
		{"local.quotes", false, TierAdHoc},
	}
	for _, tt := range tests {
		if got := ProductionTier(tt.stack); got != tt.production {
			t.Errorf("ProductionTier(%q) = %v, want %v", tt.stack, got, tt.production)
		}
		if got := TierOf(tt.stack); got != tt.tier {
			t.Errorf("TierOf(%q) = %v, want %v", tt.stack, got, tt.tier)
		}
		env, module, ok := SplitModuleStack(tt.stack)
		if !ok || ModuleStack(env, module) != tt.stack {
			t.Errorf("SplitModuleStack(%q) = %q, %q, %v; ModuleStack does not give it back", tt.stack, env, module, ok)
		}
	}
}
