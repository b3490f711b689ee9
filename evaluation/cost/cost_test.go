package cost

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/conveyor-paas/conveyor/naming"
)

// approx compares money and resources to a millionth.
var approx = cmpopts.EquateApprox(0, 1e-6)

// deployment is a rendered Deployment of a module's component, with one container's
// requests and, when meshed, the sidecar's requests in its pod's annotations.
// Numbers are float64 as a policy sees a resource's inputs (PropertyMap.Mappable), or int64
// where they are whole, as evaluation/kube renders them.
func deployment(space, module, component string, replicas any, cpu, memory string, sidecar ...string) map[string]any {
	template := map[string]any{
		"metadata": map[string]any{},
		"spec": map[string]any{"containers": []any{map[string]any{
			"name": component, "resources": map[string]any{"requests": map[string]any{"cpu": cpu, "memory": memory}},
		}}},
	}
	if len(sidecar) == 2 {
		template["metadata"] = map[string]any{"annotations": map[string]any{naming.MeshProxyCPU: sidecar[0], naming.MeshProxyMemory: sidecar[1]}}
	}
	return map[string]any{
		"kind": "Deployment",
		"metadata": map[string]any{"name": module + "-" + component, "namespace": "dev-" + space, "labels": map[string]any{
			naming.LabelSpace: space, naming.LabelModule: module, naming.LabelConveyorCmp: component,
		}},
		"spec": map[string]any{"replicas": replicas, "template": template},
	}
}

func autoscaler(space, target string, lo, hi any) map[string]any {
	return map[string]any{
		"kind":     "HorizontalPodAutoscaler",
		"metadata": map[string]any{"name": target, "namespace": "dev-" + space},
		"spec":     map[string]any{"scaleTargetRef": map[string]any{"name": target}, "minReplicas": lo, "maxReplicas": hi},
	}
}

func TestWorkloads(t *testing.T) {
	objects := []map[string]any{
		deployment("sales", "quotes", "api", 2.0, "250m", "256Mi"),
		autoscaler("sales", "quotes-api", int64(2), int64(6)),
		deployment("claims", "claims", "api", int64(2), "100m", "128Mi", "100m", "128Mi"),
		{"kind": "CronJob", "metadata": map[string]any{"name": "payments-reconcile"}},
	}
	got, err := Workloads(objects)
	if err != nil {
		t.Fatal(err)
	}
	want := []Workload{
		{Space: "sales", Module: "quotes", Component: "api", Kind: "Deployment", CPU: 0.25, Memory: 0.25, MinReplicas: 2, MaxReplicas: 6},
		// 100m + the sidecar's 100m; 128 Mi + 128 Mi = 0.25 GiB.
		{Space: "claims", Module: "claims", Component: "api", Kind: "Deployment", CPU: 0.2, Memory: 0.25, MinReplicas: 2, MaxReplicas: 2},
	}
	if diff := cmp.Diff(want, got, approx); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	bad := []map[string]any{deployment("sales", "quotes", "api", 1.0, "a lot", "1Gi")}
	if _, err := Workloads(bad); err == nil || !strings.Contains(err.Error(), "Deployment dev-sales/quotes-api: container api requests \"a lot\"") {
		t.Errorf("a request that is no quantity: %v", err)
	}
}

var nonprod = ClusterUsage{
	Stack: "cluster-nonprod", Region: "europe-west1", Clusters: 1,
	NodePools: []NodePool{{Name: "spot", MachineType: "e2-standard-4", Spot: true, Min: 0, Max: 10}, {Name: "general", MachineType: "e2-standard-4", Min: 1, Max: 6}},
	SQL:       &SQL{Tier: "db-custom-2-7680", DiskGiB: 10},
}

func TestEstimateEnvironment(t *testing.T) {
	u := Usage{
		Workloads: []Workload{
			{Space: "sales", Module: "quotes", Component: "api", CPU: 0.25, Memory: 0.25, MinReplicas: 2, MaxReplicas: 6},
			{Space: "sales", Module: "quotes", Component: "events", CPU: 0.1, Memory: 0.125, MinReplicas: 1, MaxReplicas: 1},
		},
		Topics: []Topic{{Space: "sales", Module: "quotes", Name: "dev.sales.quotes.quote-accepted"}},
	}
	est, err := EstimateEnvironment("dev", u, nonprod, Committed())
	if err != nil {
		t.Fatal(err)
	}
	// Pods are priced on the general pool (the first on-demand one): e2 in europe-west1,
	// 0.023964 a vCPU hour and 0.003212 a GiB hour, 730 hours a month.
	//   api, a replica:    (0.25 x 0.023964 + 0.25 x 0.003212) x 730 = 0.006794 x 730  = 4.95962
	//                      x 2 = 9.91924, x 6 = 29.75772
	//   events, a replica: (0.1 x 0.023964 + 0.125 x 0.003212) x 730 = 0.0027979 x 730 = 2.042467
	//   compute:           11.961707 to 31.800187
	//   the topic:         10 GiB / 1024 x 40 a TiB = 0.390625
	//   monthly:           12.352332 to 32.190812
	want := Module{
		Name: "quotes", CPU: Range{0.6, 1.6}, Memory: Range{0.625, 1.625}, Pods: Range{3, 7},
		Compute: Range{11.961707, 31.800187}, Topics: 1, PubSub: 0.390625, Monthly: Range{12.352332, 32.190812},
	}
	if len(est.Spaces) != 1 || len(est.Spaces[0].Modules) != 1 {
		t.Fatalf("spaces: %+v", est.Spaces)
	}
	if diff := cmp.Diff(want, est.Spaces[0].Modules[0], approx); diff != "" {
		t.Errorf("quotes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(Range{12.352332, 32.190812}, est.Monthly, approx); diff != "" {
		t.Errorf("total (-want +got):\n%s", diff)
	}
	if est.PodsOn != "e2-standard-4" || est.Prices != (PriceInfo{Date: "2026-11-01", Currency: "USD", Source: Committed().Source, Region: "europe-west1"}) {
		t.Errorf("priced on %s with %+v", est.PodsOn, est.Prices)
	}

	elsewhere := nonprod
	elsewhere.Region = "asia-south2"
	if _, err := EstimateEnvironment("dev", u, elsewhere, Committed()); err == nil || !strings.Contains(err.Error(), "no prices for region asia-south2; it has europe-west1, us-central1") {
		t.Errorf("a region without prices: %v", err)
	}
}

func TestEstimateCluster(t *testing.T) {
	est, err := EstimateCluster(nonprod, Committed())
	if err != nil {
		t.Fatal(err)
	}
	// management:  0.10 x 730                                      = 73
	// an e2-standard-4 node (4 vCPU, 16 GiB): (4 x 0.023964 + 16 x 0.003212) x 730
	//            = (0.095856 + 0.051392) x 730 = 0.147248 x 730   = 107.49104
	// general:     1 to 6 nodes                                     = 107.49104 to 644.94624
	// spot:        0 to 10 nodes at 40 %                           = 0 to 429.96416
	// cloud-sql:   db-custom-2-7680 (2 vCPU, 7.5 GiB):
	//              (2 x 0.0434 + 7.5 x 0.0074) x 730 + 10 x 0.187
	//            = (0.0868 + 0.0555) x 730 + 1.87 = 103.879 + 1.87  = 105.749
	// total:       73 + 107.49104 + 0 + 105.749                     = 286.24004
	//         to   73 + 644.94624 + 429.96416 + 105.749             = 1253.6594
	if diff := cmp.Diff(Range{286.24004, 1253.6594}, est.Monthly, approx); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	ha := nonprod
	ha.SQL = &SQL{Tier: "db-custom-2-7680", DiskGiB: 10, HighlyAvailable: true}
	if est2, err := EstimateCluster(ha, Committed()); err != nil || math.Abs(est2.Monthly.Min-est.Monthly.Min-105.749) > 1e-6 {
		t.Errorf("a highly available instance costs its price again: %v, %v", est2.Monthly, err)
	}
}

func TestCompare(t *testing.T) {
	dev := Estimate{Environment: "dev", Prices: PriceInfo{Currency: "USD"}, Monthly: Range{30, 50}, Spaces: []Space{
		{Name: "sales", Modules: []Module{{Name: "quotes", Monthly: Range{10, 30}}, {Name: "policies", Monthly: Range{20, 20}}}},
	}}
	pr := Estimate{Environment: "pr-7", Prices: PriceInfo{Currency: "USD"}, Monthly: Range{35, 75}, Spaces: []Space{
		{Name: "sales", Modules: []Module{{Name: "quotes", Monthly: Range{10, 30}}, {Name: "policies", Monthly: Range{20, 40}}}},
		{Name: "claims", Modules: []Module{{Name: "claims", Monthly: Range{5, 5}}}},
	}}
	want := Delta{Environment: "pr-7", Against: "dev", Currency: "USD", Monthly: Range{5, 25}, Modules: []ModuleDelta{
		{Space: "claims", Module: "claims", To: &Range{5, 5}, Change: Range{5, 5}},
		{Space: "sales", Module: "policies", From: &Range{20, 20}, To: &Range{20, 40}, Change: Range{0, 20}},
	}}
	if diff := cmp.Diff(want, Compare(pr, dev)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestShapes(t *testing.T) {
	tests := []struct {
		machine string
		want    Shape
		wantErr bool
	}{
		{"e2-standard-4", Shape{Family: "e2", VCPU: 4, GiB: 16}, false},
		{"n2-highmem-8", Shape{Family: "n2", VCPU: 8, GiB: 64}, false},
		{"n2d-highcpu-16", Shape{Family: "n2d", VCPU: 16, GiB: 16}, false},
		{"e2-custom-6-12288", Shape{Family: "e2", VCPU: 6, GiB: 12}, false},
		{"e2-medium", Shape{}, true},
		{"e2-standard-x", Shape{}, true},
	}
	for _, tt := range tests {
		got, err := MachineShape(tt.machine)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("%s: %+v, %v", tt.machine, got, err)
		}
	}
	if got, err := SQLTierShape("db-custom-1-3840"); err != nil || got != (Shape{VCPU: 1, GiB: 3.75}) {
		t.Errorf("db-custom-1-3840: %+v, %v", got, err)
	}
	if _, err := SQLTierShape("db-perf-optimized-N-2"); err == nil {
		t.Error("an Enterprise Plus tier: no error")
	}
}

func TestPrices(t *testing.T) {
	p := Committed()
	if p.Date == "" || p.Source == "" || p.Currency != "USD" || p.HoursPerMonth != 730 {
		t.Errorf("the committed table: %+v", p)
	}
	dir := t.TempDir()
	write := func(text string) string {
		path := filepath.Join(dir, "prices.yaml")
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	for text, want := range map[string]string{
		"date: x\ncurrency: EUR\nsource: s\nhoursPerMonth: 730\nregions: {}\n":      "regions: no region has prices",
		"currency: EUR\nhoursPerMonth: 730\nregions: {r: {machines: {e2: {}}}}\n":   "date, currency and source are required",
		"date: x\ncurrency: EUR\nsource: s\nhoursPerMonth: 730\nregion: {}\n":       "field region not found",
		"date: x\ncurrency: EUR\nsource: s\nhoursPerMonth: 730\nregions: {r: {}}\n": "regions.r.machines: no machine family has prices",
	} {
		if _, err := LoadPrices(write(text)); err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "prices.yaml") {
			t.Errorf("%q: %v, want %q naming the file", text, err, want)
		}
	}
	own, err := LoadPrices(write("date: \"2026-12-01\"\ncurrency: EUR\nsource: our contract\nhoursPerMonth: 720\nregions: {europe-west1: {machines: {e2: {vcpuHour: 0.02, gibHour: 0.002}}}}\n"))
	if err != nil || own.Currency != "EUR" || own.Regions["europe-west1"].Machines["e2"].VCPUHour != 0.02 {
		t.Errorf("an own table: %+v, %v", own, err)
	}
}
