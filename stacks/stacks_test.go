package stacks_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/conveyor-paas/conveyor/components"
	"github.com/conveyor-paas/conveyor/evaluation"
	"github.com/conveyor-paas/conveyor/evaluation/evaluationtest"
	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/stacks"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// root is the project folder, where Pulumi.yaml is.
var root, _ = filepath.Abs("..")

func evaluate(t *testing.T, stack string, config map[string]string) *evaluation.Recording {
	t.Helper()
	rec, err := stacks.Evaluate(stacks.EvaluateOptions{Root: root, Stack: stack, Config: config, Shipped: shipped(t)})
	if err != nil {
		t.Fatalf("stack %s: %v", stack, err)
	}
	return rec
}

// shipped are the stacks whose files the repository tracks: the only stack files a test may
// read (a developer's own environments have files of their own in stacks/).
func shipped(t *testing.T) []string {
	t.Helper()
	stacks, err := stacks.ShippedStacks(root)
	if err != nil {
		t.Fatal(err)
	}
	return stacks
}

// everyStack is every shipped stack and an ad-hoc one with no configuration at all.
func everyStack(t *testing.T) []string {
	t.Helper()
	stacks := shipped(t)
	if len(stacks) < 6 {
		t.Fatalf("shipped stacks %v", stacks)
	}
	return append(stacks, "pr-123")
}

func TestEveryStackEvaluates(t *testing.T) {
	for _, stack := range everyStack(t) {
		t.Run(stack, func(t *testing.T) {
			rec := evaluate(t, stack, nil)
			if strings.HasPrefix(stack, "cluster-") {
				if len(evaluationtest.OfType(rec, "conveyor:platform:Cluster")) != 1 || len(evaluationtest.OfType(rec, "gcp:container/cluster:Cluster")) != 1 {
					t.Fatalf("cluster stack %s builds no cluster", stack)
				}
			} else {
				var spaces, modules []string
				for _, r := range evaluationtest.OfType(rec, "conveyor:platform:Space") {
					spaces = append(spaces, r.Name)
				}
				for _, r := range evaluationtest.OfType(rec, "conveyor:platform:Module") {
					modules = append(modules, r.Name)
				}
				slices.Sort(spaces)
				slices.Sort(modules)
				if got := strings.Join(spaces, ","); got != "claims,sales" {
					t.Errorf("spaces = %s", got)
				}
				if got := strings.Join(modules, ","); got != "claims,payments,policies,quotes" {
					t.Errorf("modules = %s", got)
				}
				for _, ns := range evaluationtest.OfType(rec, "kubernetes:core/v1:Namespace") {
					if !strings.HasPrefix(ns.Name, stack+"-") {
						t.Errorf("namespace %s does not belong to %s", ns.Name, stack)
					}
				}
			}
			checkGolden(t, filepath.Join("testdata", "summary", stack+".golden"), summary(rec))
		})
	}
}

// summary counts the resources of a stack by type: a change to what a stack creates shows up
// as a diff of its golden file.
func summary(rec *evaluation.Recording) string {
	counts := map[string]int{}
	for _, r := range rec.Resources {
		counts[r.Type]++
	}
	var lines []string
	for typ, n := range counts {
		lines = append(lines, fmt.Sprintf("%4d  %s", n, typ))
	}
	slices.SortFunc(lines, func(a, b string) int { return strings.Compare(a[6:], b[6:]) })
	return strings.Join(lines, "\n") + fmt.Sprintf("\n%4d  total\n", len(rec.Resources))
}

func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./stacks -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs (run go test ./stacks -update after checking the change):\n--- want\n%s\n--- got\n%s", path, want, got)
	}
}

// physical is what a resource is called where it lives: two environments on one cluster
// (one Kubernetes API, one GCP project, one SQL instance) must never share one.
func physical(r evaluation.Resource) (string, bool) {
	switch {
	case strings.HasPrefix(r.Type, "kubernetes:"):
		if evaluation.IsProvider(r.Type) {
			return "", false
		}
		name := evaluationtest.String(r.Inputs, "metadata.name")
		if ns := evaluationtest.String(r.Inputs, "metadata.namespace"); ns != "" {
			return r.Type + " " + ns + "/" + name, true
		}
		return r.Type + " " + name, true
	case r.Type == "gcp:serviceaccount/account:Account":
		return r.Type + " " + evaluationtest.String(r.Inputs, "accountId"), true
	case strings.HasPrefix(r.Type, "gcp:pubsub/topic:"), strings.HasPrefix(r.Type, "gcp:pubsub/subscription:"),
		strings.HasPrefix(r.Type, "gcp:sql/database:"), strings.HasPrefix(r.Type, "gcp:sql/user:"):
		return r.Type + " " + evaluationtest.String(r.Inputs, "name"), true
	}
	return "", false
}

func TestNoNameSharedBetweenEnvironments(t *testing.T) {
	owner := map[string]string{}
	for _, stack := range []string{"dev", "staging", "pr-1", "pr-2"} {
		rec := evaluate(t, stack, nil)
		names := 0
		for _, r := range rec.Resources {
			name, ok := physical(r)
			if !ok {
				continue
			}
			names++
			if other, taken := owner[name]; taken && other != stack {
				t.Errorf("%s is created by both %s and %s", name, other, stack)
			}
			owner[name] = stack
		}
		if names < 50 {
			t.Fatalf("stack %s has only %d named resources", stack, names)
		}
	}
}

func TestEnvironmentsDiffer(t *testing.T) {
	tests := []struct {
		stack        string
		wantReplicas string // of claims-api, which sets no replica count
		wantProtect  bool
		wantCluster  string
	}{
		{"pr-123", "1", false, "cluster-nonprod"},
		{"dev", "2", false, "cluster-nonprod"},
		{"prod", "3", true, "cluster-prod"},
	}
	for _, tt := range tests {
		t.Run(tt.stack, func(t *testing.T) {
			rec := evaluate(t, tt.stack, nil)
			api := evaluationtest.Find(rec, "kubernetes:apps/v1:Deployment", "claims-api")
			if api == nil {
				t.Fatal("no claims-api deployment")
			}
			if v, _ := evaluationtest.Lookup(api.Inputs, "spec.replicas"); fmt.Sprint(v.NumberValue()) != tt.wantReplicas {
				t.Errorf("replicas = %v, want %s", v, tt.wantReplicas)
			}
			// A database is no Pulumi resource, so no deletion can take it; only the teardown
			// drops an environment's databases, and it refuses production's.
			if evaluationtest.Find(rec, "kubernetes:batch/v1:Job", tt.stack+"-conveyor/claims-database-setup") == nil {
				t.Errorf("no database setup job for claims")
			}
			teardown, err := stacks.Evaluate(stacks.EvaluateOptions{Root: root, Stack: tt.stack, Program: stacks.TeardownProgram, Shipped: shipped(t)})
			switch {
			case tt.wantProtect && (err == nil || !strings.Contains(err.Error(), "never drops its databases")):
				t.Errorf("the teardown of %s = %v, want a refusal", tt.stack, err)
			case !tt.wantProtect && err != nil:
				t.Errorf("the teardown of %s fails: %v", tt.stack, err)
			case !tt.wantProtect && evaluationtest.Find(teardown, "kubernetes:batch/v1:Job", tt.stack+"-conveyor/conveyor-database-teardown") == nil:
				t.Errorf("the teardown of %s drops nothing", tt.stack)
			}
			// Two references: to its cluster, and to its own last checkpoint, which holds
			// the images it runs (package deployed).
			var toCluster, toSelf int
			for _, r := range evaluationtest.OfType(rec, "pulumi:pulumi:StackReference") {
				switch {
				case strings.HasSuffix(r.Name, "/conveyor/"+naming.ClusterReference(tt.stack, tt.wantCluster)):
					toCluster++
				case strings.HasSuffix(r.Name, "/conveyor/"+tt.stack):
					toSelf++
				default:
					t.Errorf("a stack reference to %s", r.Name)
				}
			}
			if toCluster != 1 || toSelf != 1 {
				t.Errorf("%d stack references to %s and %d to %s itself, want one each", toCluster, tt.wantCluster, toSelf, tt.stack)
			}
			if hpa := evaluationtest.OfType(rec, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"); (len(hpa) == 0) != (tt.stack == "pr-123") {
				t.Errorf("%d autoscalers in %s", len(hpa), tt.stack)
			}
		})
	}
}

func TestImagesFromStackConfig(t *testing.T) {
	rec := evaluate(t, "pr-9", map[string]string{"conveyor:images": `{"payments": {"handler": "ghcr.io/acme/payments:9.9.9"}}`})
	d := evaluationtest.Find(rec, "kubernetes:apps/v1:Deployment", "payments-handler")
	if got := evaluationtest.String(d.Inputs, "spec.template.spec.containers[0].image"); got != "ghcr.io/acme/payments:9.9.9" {
		t.Errorf("image = %q", got)
	}
	tests := []struct{ images, want string }{
		{`{"billing": {"api": "a:1"}}`, `config conveyor:images.billing: there is no module "billing" in the catalog`},
		{`{"quotes": {"worker": "a:1"}}`, `config conveyor:images.quotes.worker: module quotes has no component "worker"`},
		{`{"quotes": {"api": "ghcr.io/acme/quotes"}}`, `config conveyor:images.quotes.api: image "ghcr.io/acme/quotes" has no tag or digest`},
	}
	for _, tt := range tests {
		_, err := stacks.Evaluate(stacks.EvaluateOptions{Root: root, Stack: "pr-9", Config: map[string]string{"conveyor:images": tt.images}, Shipped: shipped(t)})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("images %s: error %v, want %q", tt.images, err, tt.want)
		}
	}
}

func TestInvalidCatalogDeploysNothing(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "bad.conveyor.yaml"), []byte("module: Bad\nspace: nowhere\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rec, err := stacks.Evaluate(stacks.EvaluateOptions{Root: root, Stack: "pr-1", Config: map[string]string{"conveyor:catalog": dir}, Shipped: shipped(t)})
	if err == nil || !strings.Contains(err.Error(), "bad.conveyor.yaml:1:9: module:") || !strings.Contains(err.Error(), "nothing was deployed") {
		t.Fatalf("error = %v", err)
	}
	if rec != nil {
		t.Errorf("an invalid catalog produced %d resources", len(rec.Resources))
	}
}

// A cluster stack whose conveyor:securityGroup is the shipped placeholder, or any reserved
// example domain's, is refused: its teams' RoleBindings would name groups of nobody's domain.
func TestClusterStackNeedsARealSecurityGroup(t *testing.T) {
	for _, group := range []string{"", stacks.DefaultSecurityGroup, "gke-security-groups@acme.example", "gke-security-groups@example.org"} {
		config := map[string]string{"conveyor:gcpProject": "acme-test"}
		if group != "" {
			config["conveyor:securityGroup"] = group
		}
		_, err := stacks.Evaluate(stacks.EvaluateOptions{Root: root, Stack: "cluster-test", Config: config, Shipped: shipped(t)})
		if err == nil || !strings.Contains(err.Error(), "stack cluster-test: config conveyor:securityGroup: ") || !strings.Contains(err.Error(), "is a placeholder") {
			t.Errorf("securityGroup %q: error = %v, want a refusal naming conveyor:securityGroup", group, err)
		}
	}
}

func TestClusterStackNeedsAProject(t *testing.T) {
	_, err := stacks.Evaluate(stacks.EvaluateOptions{Root: root, Stack: "cluster-test", Shipped: shipped(t)})
	if err == nil || !strings.Contains(err.Error(), "pulumi config set conveyor:gcpProject <project-id> -s cluster-test") {
		t.Fatalf("error = %v", err)
	}
}

// Pulumi.yaml declares the defaults `pulumi up` applies; the program applies the same ones
// when it runs elsewhere (the conveyor command, tests). They must agree.
// jsonValue is v as JSON sees it, so YAML's and Go's values compare by content.
func jsonValue(t *testing.T, v any) any {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestPulumiYamlAgreesWithTheProgram(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(root, "Pulumi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var project struct {
		Name           string `yaml:"name"`
		Main           string `yaml:"main"`
		StackConfigDir string `yaml:"stackConfigDir"`
		Config         map[string]struct {
			Type    string `yaml:"type"`
			Default any    `yaml:"default"`
		} `yaml:"config"`
	}
	if err := yaml.Unmarshal(data, &project); err != nil {
		t.Fatal(err)
	}
	if project.Name != naming.Project || project.StackConfigDir != "stacks" || project.Main != "cmd/platform/" {
		t.Errorf("project %q main %q stackConfigDir %q", project.Name, project.Main, project.StackConfigDir)
	}
	want := map[string]any{
		"conveyor:catalog":           stacks.DefaultCatalog,
		"conveyor:cluster":           "", // the program's default depends on the stack's name
		"conveyor:kubeContext":       "",
		"conveyor:allowKubeContext":  "", // read by the conveyor command's check, before the engine
		"conveyor:gcpProject":        "",
		"conveyor:gcpRegion":         stacks.DefaultRegion,
		"conveyor:sqlTier":           stacks.DefaultSQLTier,
		"conveyor:releaseChannel":    stacks.DefaultReleaseChannel,
		"conveyor:production":        false,
		"conveyor:asleep":            false,
		"conveyor:images":            map[string]any{},
		"conveyor:nodePools":         jsonValue(t, stacks.DefaultNodePools()),
		"conveyor:network":           jsonValue(t, components.DefaultNetworkRanges),
		"conveyor:securityGroup":     stacks.DefaultSecurityGroup,
		"conveyor:controlPlane":      jsonValue(t, components.ControlPlaneAccess{AuthorizedNetworks: []components.AuthorizedNetwork{}}),
		"conveyor:mesh":              string(components.DefaultMeshMode),
		"conveyor:istioVersion":      components.DefaultIstioVersion,
		"conveyor:allowedRegistries": jsonValue(t, stacks.DefaultAllowedRegistries()),
		"conveyor:attestorPublicKey": "",
		// The bootstrap stack's, which it requires (stacks/bootstrap).
		"conveyor:githubRepository": "",
		"conveyor:tierProjects":     map[string]any{},
	}
	for key, decl := range project.Config {
		// Pulumi requires every declared key without a default, and an ad-hoc stack must need
		// no configuration at all: every key has a default, and it is the program's.
		if decl.Type == "" || !strings.HasPrefix(key, "conveyor:") || decl.Default == nil {
			t.Errorf("config %s is declared without a type or default, or outside the conveyor namespace", key)
		}
		value, ok := want[key]
		if !ok {
			t.Errorf("config %s is declared in Pulumi.yaml but not checked here", key)
			continue
		}
		if !reflect.DeepEqual(jsonValue(t, decl.Default), jsonValue(t, value)) {
			t.Errorf("Pulumi.yaml default of %s = %v, the program's is %v", key, decl.Default, value)
		}
	}
}

// One stack's configuration never leaks into the next evaluated in the same process.
func TestDefaultsAreNotShared(t *testing.T) {
	evaluate(t, "cluster-prod", nil) // configures e2-standard-8 pools
	rec := evaluate(t, "cluster-test", map[string]string{"conveyor:gcpProject": "acme-test", "conveyor:securityGroup": "gke-security-groups@acme.io"})
	pools := evaluationtest.OfType(rec, "gcp:container/nodePool:NodePool")
	if len(pools) != 1 {
		t.Fatalf("%d node pools, want the default one", len(pools))
	}
	if got := evaluationtest.String(pools[0].Inputs, "nodeConfig.machineType"); got != "e2-standard-4" {
		t.Errorf("cluster-test's default pool runs %s: cluster-prod's configuration leaked into the defaults", got)
	}
}

// Only prod runs on cluster-prod, and prod runs nowhere else: the program refuses before it
// registers anything, naming the stack and the key.
func TestProductionClusterBoundary(t *testing.T) {
	tests := []struct{ stack, cluster, want string }{
		{"pr-9", "cluster-prod", "stack pr-9: config conveyor:cluster is cluster-prod: only prod runs on cluster-prod"},
		{"dev", "cluster-prod", "stack dev: config conveyor:cluster is cluster-prod: only prod runs on cluster-prod"},
		{"staging", "cluster-prod", "stack staging: config conveyor:cluster is cluster-prod"},
		{"prod", "cluster-nonprod", "stack prod: config conveyor:cluster is cluster-nonprod: prod runs only on cluster-prod"},
		{"prod", "cluster-other", "stack prod: config conveyor:cluster is cluster-other: prod runs only on cluster-prod"},
	}
	for _, tt := range tests {
		t.Run(tt.stack+"-on-"+tt.cluster, func(t *testing.T) {
			rec, err := stacks.Evaluate(stacks.EvaluateOptions{Root: root, Stack: tt.stack, Config: map[string]string{"conveyor:cluster": tt.cluster}})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want %q", err, tt.want)
			}
			if rec != nil {
				t.Errorf("%d resources were registered", len(rec.Resources))
			}
		})
	}
	// An ad-hoc environment needs its cluster to publish the ad-hoc environments' project
	// (cluster-nonprod does; an unknown cluster stack is simulated without one).
	for _, ok := range []struct{ stack, cluster string }{{"prod", "cluster-prod"}, {"pr-9", "cluster-nonprod"}} {
		evaluate(t, ok.stack, map[string]string{"conveyor:cluster": ok.cluster})
	}
}

// conveyor:production makes any environment a production one: its data is protected and it
// runs production's replicas and team access, through the stack's own wiring.
func TestProductionConfigIsHonoured(t *testing.T) {
	for _, tt := range []struct {
		production string
		want       bool
	}{{"true", true}, {"false", false}} {
		config := map[string]string{"conveyor:production": tt.production}
		rec := evaluate(t, "pr-9", config)
		ns := evaluationtest.Find(rec, "kubernetes:core/v1:Namespace", "pr-9-sales")
		if ns == nil {
			t.Fatal("no sales namespace")
		}
		if ns.Protect != tt.want {
			t.Errorf("production %s: namespace protected %v, want %v", tt.production, ns.Protect, tt.want)
		}
		// The databases are no Pulumi resources: only the teardown drops them, and it must
		// refuse a production environment, whatever its name.
		_, err := stacks.Evaluate(stacks.EvaluateOptions{Root: root, Stack: "pr-9", Config: config, Program: stacks.TeardownProgram, Shipped: shipped(t)})
		if refused := err != nil && strings.Contains(err.Error(), "never drops its databases"); refused != tt.want {
			t.Errorf("production %s: the teardown = %v, want refused %v", tt.production, err, tt.want)
		}
		binding := evaluationtest.Find(rec, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "pr-9-sales/sales-team")
		if binding == nil {
			t.Fatal("no team role binding")
		}
		wantRole := "conveyor-team-edit"
		if tt.want {
			wantRole = "conveyor-team-view"
		}
		if got := evaluationtest.String(binding.Inputs, "roleRef.name"); got != wantRole {
			t.Errorf("production %s: the team gets %s, want %s", tt.production, got, wantRole)
		}
	}
}
