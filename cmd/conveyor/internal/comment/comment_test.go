package comment

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/graph"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/opsummary"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/status"
	"github.com/conveyor-paas/conveyor/evaluation/cost"
	"github.com/conveyor-paas/conveyor/manifest"
	"github.com/conveyor-paas/conveyor/policy/rules"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// parts are every part of a comment, from fixed inputs.
func parts(t *testing.T) Parts {
	t.Helper()
	cat, err := manifest.Load(filepath.Join("..", "..", "..", "..", "stacks", "catalog"))
	if err != nil {
		t.Fatal(err)
	}
	changes := &graph.Changes{Modules: map[string]graph.Change{"quotes": graph.Changed, "payments": graph.Added}, Removed: []string{"legacy"}}
	checked := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	return Parts{
		Environment: "pr-7",
		Endpoints:   []Endpoint{{Module: "quotes", Component: "api", URL: "http://quotes-api.pr-7-sales.svc.cluster.local:80"}},
		Summary: &opsummary.Summary{Operation: "preview", Environment: "pr-7", DryRun: true, Result: opsummary.Succeeded, DurationSeconds: 4,
			Changes: map[string]int{"create": 1, "same": 40},
			ByType:  []opsummary.TypeChanges{{Type: "kubernetes:apps/v1:Deployment", Changes: map[string]int{"create": 1}}},
			Resources: []opsummary.ResourceChange{{URN: "urn:pulumi:pr-7::conveyor::kubernetes:apps/v1:Deployment::payments-handler",
				Type: "kubernetes:apps/v1:Deployment", Name: "payments-handler", Op: "create"}}},
		Policy: &rules.Report{Environment: "pr-7", Results: []rules.Result{{RuleID: "CONV-WL-001", Level: rules.Advisory, Kind: rules.Violation,
			Severity: "medium", URN: "urn:pulumi:pr-7::conveyor::kubernetes:apps/v1:Deployment::payments-handler", Message: "one replica", Remediation: "run two"}}},
		Graph:   graph.Build(cat, graph.Options{Title: "pr-7", Changes: changes}),
		Changes: changes,
		Status: &status.Report{Environment: "pr-7", Cluster: "cluster stack cluster-nonprod", Checked: checked, Healthy: false,
			Modules: []status.Module{{Name: "payments", Space: "claims", Namespace: "pr-7-claims", Components: []status.Component{
				{Name: "handler", Kind: "handler", State: status.Failed, DesiredImage: "payments:2", ClusterImage: "payments:2", Desired: 1},
			}}},
			Problems: []string{"payments/handler: failed: pod payments-handler-x: ImagePullBackOff"}},
		Cost: &cost.Estimate{Environment: "pr-7", PodsOn: "e2-standard-4", Monthly: cost.Range{Min: 30, Max: 55},
			Prices: cost.PriceInfo{Date: "2026-11-01", Currency: "USD", Source: "Google Cloud list prices", Region: "europe-west1"},
			Spaces: []cost.Space{{Name: "claims", Monthly: cost.Range{Min: 30, Max: 55}, Modules: []cost.Module{{Name: "payments",
				CPU: cost.Range{Min: 0.2, Max: 0.4}, Memory: cost.Range{Min: 0.25, Max: 0.5}, Pods: cost.Range{Min: 2, Max: 4}, Monthly: cost.Range{Min: 30, Max: 55}}}}},
			Assumptions: []string{"jobs and cron jobs run to completion and are not counted"}},
		CostDelta: &cost.Delta{Environment: "pr-7", Against: "dev", Currency: "USD", Monthly: cost.Range{Min: 10, Max: 25},
			Modules: []cost.ModuleDelta{{Space: "claims", Module: "payments", To: &cost.Range{Min: 10, Max: 25}, Change: cost.Range{Min: 10, Max: 25}}}},
	}
}

// TestWriteGolden renders a comment with every part (go test -update rewrites the golden).
func TestWriteGolden(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, parts(t)); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "comment.md")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (go test -update writes it)", err)
	}
	if b.String() != string(want) {
		t.Errorf("the comment differs from %s:\n%s", golden, b.String())
	}
	for _, part := range []string{Marker("pr-7"), "### Endpoints", "### Conveyor preview of `pr-7`", "### Conveyor policy: `pr-7`",
		"```mermaid", "class m_quotes changed", "class m_payments added", "adds `payments`; changes `quotes`; removes `legacy`", "**degraded** (1 problem)",
		"### Monthly cost estimate: `pr-7`", "**+10 to +25 USD a month against `dev`** (30 to 55 USD in all)", "| claims | payments | - | 10 to 25 USD | +10 to +25 USD |"} {
		if !strings.Contains(b.String(), part) {
			t.Errorf("the comment lacks %q", part)
		}
	}
}

func TestWriteSaysWhatIsMissing(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, Parts{Environment: "pr-8", PolicyError: "the catalog is not valid", GraphError: "the catalog is not valid", CostError: "the catalog is not valid"}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"The policy report could not be made: the catalog is not valid", "The graph could not be drawn", "Not deployed yet",
		"The estimate could not be made: the catalog is not valid"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("lacks %q:\n%s", want, b.String())
		}
	}
}

func TestWriteStaysWithinGitHubsLimit(t *testing.T) {
	p := parts(t)
	for i := 0; i < 3000; i++ {
		p.Endpoints = append(p.Endpoints, Endpoint{Module: "m", Component: "api", URL: strings.Repeat("x", 40)})
	}
	var b bytes.Buffer
	if err := Write(&b, p); err != nil {
		t.Fatal(err)
	}
	if b.Len() > 65536 || !strings.HasPrefix(b.String(), Marker("pr-7")) || !strings.Contains(b.String(), "(cut:") {
		t.Errorf("a long comment is %d characters", b.Len())
	}
}
