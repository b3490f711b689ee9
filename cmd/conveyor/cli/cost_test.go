package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/conveyor-paas/conveyor/evaluation/cost"
)

// TestCostOfTheDemoCatalog estimates dev from the demo catalog and checks the figure against
// one worked out by hand (issue 30).
//
// dev runs on cluster-nonprod: europe-west1, pods on its general pool of e2-standard-4, at
// 0.023964 a vCPU hour and 0.003212 a GiB hour, 730 hours a month (prices.yaml).
//
//	a 100m/128Mi replica:    (0.1 x 0.023964 + 0.125 x 0.003212) x 730 = 0.0027979 x 730 = 2.042467
//	claims' space is meshed: each pod adds the sidecar's 100m/128Mi   = 4.084934 a replica
//	policies-api, 200m/192Mi: (0.2 x 0.023964 + 0.1875 x 0.003212) x 730                = 3.9383865
//	a topic, 10 GiB at 40 a TiB:                                        10/1024 x 40    = 0.390625
//
//	claims:   api 2 x 4.084934 = 8.169868, coverage 2..4 x 4.084934 = 8.169868..16.339736,
//	          4 topics (2 events, 2 dead letters) 1.5625                = 17.902236..26.072104
//	payments: handler 2 x 4.084934 = 8.169868, 2 topics 0.78125         = 8.951118
//	policies: api 2 x 3.9383865 = 7.876773, issuer 2 x 2.042467 = 4.084934,
//	          3 topics 1.171875                                         = 13.133582
//	quotes:   api 2..6 x 2.042467 = 4.084934..12.254802, 1 topic        = 4.475559..12.645427
//	total:                                                                44.462495..60.802231
//
// The jobs (migrations) and cron jobs (renewals, reconcile) are not counted.
func TestCostOfTheDemoCatalog(t *testing.T) {
	code, out, stderr := run(t, "cost", "--env", "dev", "--json")
	if code != ExitOK {
		t.Fatalf("cost --env dev: exit %d: %s", code, stderr)
	}
	doc := decode[costDocument](t, out)
	got := map[string]cost.Range{}
	for _, s := range doc.Estimate.Spaces {
		for _, m := range s.Modules {
			got[m.Name] = m.Monthly
		}
	}
	want := map[string]cost.Range{
		"claims": {Min: 17.902236, Max: 26.072104}, "payments": {Min: 8.951118, Max: 8.951118},
		"policies": {Min: 13.133582, Max: 13.133582}, "quotes": {Min: 4.475559, Max: 12.645427},
	}
	approx := cmpopts.EquateApprox(0, 1e-6)
	if diff := cmp.Diff(want, got, approx); diff != "" {
		t.Errorf("modules' monthly estimates (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(cost.Range{Min: 44.462495, Max: 60.802231}, doc.Estimate.Monthly, approx); diff != "" {
		t.Errorf("dev's monthly estimate (-want +got):\n%s", diff)
	}
	if doc.Estimate.PodsOn != "e2-standard-4" || doc.Estimate.Prices.Region != "europe-west1" || doc.Delta != nil {
		t.Errorf("priced on %s in %s, delta %v", doc.Estimate.PodsOn, doc.Estimate.Prices.Region, doc.Delta)
	}

	text := func(args ...string) string {
		t.Helper()
		code, out, stderr := run(t, args...)
		if code != ExitOK {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		return out
	}
	for _, want := range []string{"Monthly estimate of dev: 44 to 61 USD", "claims  claims", "assumes: "} {
		if out := text("cost", "--env", "dev"); !strings.Contains(out, want) {
			t.Errorf("the text lacks %q:\n%s", want, out)
		}
	}
	if out := text("cost", "--env", "cluster-nonprod", "--markdown"); !strings.Contains(out, "| cloud-sql | db-custom-2-7680, 10 GiB SSD | 106 USD |") {
		t.Errorf("cluster-nonprod's markdown:\n%s", out)
	}
	for _, bad := range [][]string{{"cost", "--env", "local"}, {"cost", "--env", "dev", "--prices", "/nonexistent.yaml"}} {
		if code, _, stderr := run(t, bad...); code != ExitSetup {
			t.Errorf("%v: exit %d, want %d: %s", bad, code, ExitSetup, stderr)
		}
	}
	if code, _, _ := run(t, "cost", "--env", "dev", "--against", "Dev"); code != ExitUsage {
		t.Errorf("--against a name no stack has: exit %d, want %d", code, ExitUsage)
	}
}

// TestCostDeltaOfACatalogChange raises quotes' autoscaler maximum from 6 to 10 in a pull
// request's catalog: against dev, that is 4 more replicas of 2.042467 at the most, 0 at the
// least.
func TestCostDeltaOfACatalogChange(t *testing.T) {
	changed := filepath.Join(t.TempDir(), "catalog")
	if err := os.CopyFS(changed, os.DirFS(filepath.Join("..", "..", "..", "stacks", "catalog"))); err != nil {
		t.Fatal(err)
	}
	quotes := filepath.Join(changed, "sales", "quotes.conveyor.yaml")
	data, err := os.ReadFile(quotes)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(data), "autoscaling: {min: 2, max: 6}", "autoscaling: {min: 2, max: 10}", 1)
	if text == string(data) {
		t.Fatal("the demo catalog's quotes no longer scales from 2 to 6: update this test")
	}
	if err := os.WriteFile(quotes, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := run(t, "cost", "--env", "dev", "--catalog", changed, "--against", "dev", "--json")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	d := decode[costDocument](t, out).Delta
	want := &cost.Delta{Environment: "dev", Against: "dev", Currency: "USD", Monthly: cost.Range{Max: 8.169868}, Modules: []cost.ModuleDelta{
		{Space: "sales", Module: "quotes", From: &cost.Range{Min: 4.475559, Max: 12.645427}, To: &cost.Range{Min: 4.475559, Max: 20.815295}, Change: cost.Range{Max: 8.169868}},
	}}
	if diff := cmp.Diff(want, d, cmpopts.EquateApprox(0, 1e-6)); diff != "" {
		t.Errorf("delta (-want +got):\n%s", diff)
	}
	code, out, _ = run(t, "cost", "--env", "dev", "--catalog", changed, "--against", "dev", "--markdown")
	if code != ExitOK || !strings.Contains(out, "**+0 to +8 USD a month against `dev`**") || !strings.Contains(out, "| sales | quotes | 4 to 13 USD | 4 to 21 USD | +0 to +8 USD |") {
		t.Errorf("markdown: exit %d\n%s", code, out)
	}
}
