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
		Name, Cluster string
		Kind          StackKind
	}
	tests := []struct {
		name    string
		want    parsed
		wantErr bool
	}{
		{"prod", parsed{"prod", "cluster-prod", StackProduction}, false},
		{"staging", parsed{"staging", "cluster-nonprod", StackLongLived}, false},
		{"pr-7", parsed{"pr-7", "cluster-nonprod", StackAdHoc}, false},
		{"local", parsed{"local", LocalCluster, StackLocal}, false},
		{"local-alice", parsed{"local-alice", LocalCluster, StackLocal}, false},
		{"cluster-nonprod", parsed{"cluster-nonprod", "", StackCluster}, false},
		{"PR-1", parsed{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ParseStack(tt.name)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseStack(%q) error = %v, want error %v", tt.name, err, tt.wantErr)
			}
			got := parsed{s.Name(), s.Cluster(), s.Kind()}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseStack(%q) (-want +got):\n%s", tt.name, diff)
			}
		})
	}
}
