package stacks_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/conveyor-paas/conveyor/components"
	"github.com/conveyor-paas/conveyor/evaluation/evaluationtest"
	"github.com/conveyor-paas/conveyor/stacks"
)

// TestNodePoolConfig: every pool is exactly what its configuration says. A key left out is
// an error that names the pool and the key, never a value taken from the default pool; an
// unknown key (a typo) is an error too.
func TestNodePoolConfig(t *testing.T) {
	tests := []struct {
		name    string
		pools   string
		want    []components.NodePool
		wantErr string
	}{
		{
			name:  "every key given",
			pools: `[{"name":"big","machineType":"n2-standard-8","min":0,"max":3,"spot":true,"diskSizeGb":50}]`,
			want:  []components.NodePool{{Name: "big", MachineType: "n2-standard-8", Min: 0, Max: 3, Spot: true, DiskSizeGB: 50}},
		},
		{
			name:  "optional keys left out",
			pools: `[{"name":"a","machineType":"e2-standard-2","min":1,"max":2},{"name":"b","machineType":"e2-standard-2","min":0,"max":4}]`,
			want: []components.NodePool{
				{Name: "a", MachineType: "e2-standard-2", Min: 1, Max: 2},
				{Name: "b", MachineType: "e2-standard-2", Min: 0, Max: 4},
			},
		},
		{
			name:    "machine type left out",
			pools:   `[{"name":"big","min":1,"max":3}]`,
			wantErr: "config conveyor:nodePools[0]: machineType is required",
		},
		{
			name:    "max left out of the second pool",
			pools:   `[{"name":"a","machineType":"e2-standard-2","min":1,"max":2},{"name":"b","machineType":"e2-standard-2","min":1}]`,
			wantErr: "config conveyor:nodePools[1]: max is required",
		},
		{
			name:    "min left out",
			pools:   `[{"name":"a","machineType":"e2-standard-2","max":2}]`,
			wantErr: "config conveyor:nodePools[0]: min is required",
		},
		{
			name:    "name left out",
			pools:   `[{"machineType":"e2-standard-2","min":1,"max":2}]`,
			wantErr: "config conveyor:nodePools[0]: name is required",
		},
		{
			name:    "unknown key",
			pools:   `[{"name":"a","machineType":"e2-standard-2","min":1,"max":2,"diskSize":50}]`,
			wantErr: `config conveyor:nodePools[0]: unknown key "diskSize"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, err := stacks.Evaluate(stacks.EvaluateOptions{Root: root, Stack: "cluster-test", Config: map[string]string{
				"conveyor:gcpProject": "acme-test", "conveyor:securityGroup": "gke-security-groups@acme.io", "conveyor:nodePools": tt.pools,
			}, Shipped: shipped(t)})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []components.NodePool
			for _, p := range evaluationtest.OfType(rec, "gcp:container/nodePool:NodePool") {
				str := func(path string) string { return evaluationtest.String(p.Inputs, path) }
				num := func(path string) int {
					v, ok := evaluationtest.Lookup(p.Inputs, path)
					if !ok || !v.IsNumber() {
						t.Fatalf("node pool input %s = %v, want a number", path, v)
					}
					return int(v.NumberValue())
				}
				spot, _ := evaluationtest.Lookup(p.Inputs, "nodeConfig.spot")
				pool := components.NodePool{
					Name:        str("name"),
					MachineType: str("nodeConfig.machineType"),
					Min:         num("autoscaling.totalMinNodeCount"),
					Max:         num("autoscaling.totalMaxNodeCount"),
					Spot:        spot.IsBool() && spot.BoolValue(),
				}
				if disk := num("nodeConfig.diskSizeGb"); disk != 100 {
					pool.DiskSizeGB = disk // 100 is what a pool that says nothing gets
				}
				got = append(got, pool)
			}
			// Registration order is not deterministic under mocks.
			slices.SortFunc(got, func(a, b components.NodePool) int { return strings.Compare(a.Name, b.Name) })
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("node pools = %+v, want %+v", got, tt.want)
			}
		})
	}
}
