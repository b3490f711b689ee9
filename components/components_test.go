package components_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/components"
	"github.com/conveyor-paas/conveyor/components/manifest"
	"github.com/conveyor-paas/conveyor/evaluation"
	"github.com/conveyor-paas/conveyor/evaluation/evaluationtest"
)

// The catalog of these tests: a producer in one space, a consumer with every component kind
// in another.
var testCatalog = map[string]string{
	"sales.conveyor.yaml":  "space: sales\nteam: sales@example.com\nallowFrom: [claims]\nquota: {cpu: \"6\", memory: 12Gi, pods: 40}\nbudget: {monthly: 300, currency: USD}\nconfig: {LOG_FORMAT: json, LOG_LEVEL: info}\n",
	"claims.conveyor.yaml": "space: claims\nteam: claims@example.com\n",
	"quotes.conveyor.yaml": `module: quotes
space: sales
database: true
publishes: [quote-accepted]
config: {LOG_LEVEL: warn}
components:
  api:
    image: ghcr.io/acme/quotes:1.0.0
    autoscaling: {min: 2, max: 5}
  migrate:
    kind: job
    image: ghcr.io/acme/quotes-migrate:1.0.0
`,
	"claims.module.conveyor.yaml": `module: claims
space: claims
database: true
publishes: [claim-filed]
consumes: [quotes.quote-accepted]
components:
  api:
    image: ghcr.io/acme/claims:2.0.0
    port: 9000
    replicas: 3
  intake:
    kind: handler
    image: ghcr.io/acme/claims:2.0.0
    handles: [quotes.quote-accepted]
    autoscaling: {min: 2, max: 8, cpu: 60}
  nightly:
    kind: cron
    image: ghcr.io/acme/claims:2.0.0
    schedule: "0 2 * * *"
    command: [claims, nightly]
  migrate:
    kind: job
    image: ghcr.io/acme/claims-migrate:2.0.0
`,
}

func loadCatalog(t *testing.T) *manifest.Catalog {
	t.Helper()
	var sources []manifest.Source
	for name, text := range testCatalog {
		sources = append(sources, manifest.Source{Name: name, Data: []byte(text)})
	}
	slices.SortFunc(sources, func(a, b manifest.Source) int { return strings.Compare(a.Name, b.Name) })
	cat, err := manifest.Parse(sources)
	if err != nil {
		t.Fatalf("test catalog: %v", err)
	}
	return cat
}

// testAdminPassword stands in for the Cloud SQL admin's password, read from the cluster stack.
const testAdminPassword = "admin-password-from-the-cluster-stack"

// gcpTarget is a GKE cluster's target as an environment stack sees it, with the
// environment's platform namespace.
func gcpTarget(ctx *pulumi.Context, env components.Environment) (*components.Target, error) {
	g, err := gcp.NewProvider(ctx, "gcp", &gcp.ProviderArgs{Project: pulumi.String("acme-nonprod"), Region: pulumi.String("europe-west1")})
	if err != nil {
		return nil, err
	}
	k, err := kubernetes.NewProvider(ctx, "kubernetes", &kubernetes.ProviderArgs{Kubeconfig: pulumi.String("kubeconfig")})
	if err != nil {
		return nil, err
	}
	target := &components.Target{
		Kubernetes: k, GCP: g,
		Project: pulumi.String("acme-nonprod"), ProjectNumber: pulumi.String("123456789012"),
		SQLInstance: pulumi.String("conveyor-nonprod-pg"), SQLHost: pulumi.String("10.100.0.3"),
	}
	target.Platform, err = components.NewPlatform(ctx, env, target, pulumi.ToSecret(pulumi.String(testAdminPassword)).(pulumi.StringOutput))
	return target, err
}

// deploy builds every space and module of the catalog into env, the way an environment
// stack does.
func deploy(t *testing.T, env components.Environment, local bool) *evaluation.Recording {
	t.Helper()
	cat := loadCatalog(t)
	program := func(ctx *pulumi.Context) error {
		var target *components.Target
		if local {
			cluster, err := components.NewCluster(ctx, "local", &components.ClusterArgs{Local: &components.LocalClusterArgs{Environment: env}})
			if err != nil {
				return err
			}
			target = cluster.Target()
		} else {
			var err error
			if target, err = gcpTarget(ctx, env); err != nil {
				return err
			}
		}
		events := components.NewEvents(ctx)
		namespaces := map[string]pulumi.StringOutput{}
		for _, s := range cat.Spaces {
			space, err := components.NewSpace(ctx, s.Name, &components.SpaceArgs{Environment: env, Spec: s, Catalog: cat, Target: target})
			if err != nil {
				return err
			}
			namespaces[s.Name] = space.Namespace
		}
		for _, m := range cat.Modules {
			if _, err := components.NewModule(ctx, m.Name, &components.ModuleArgs{
				Environment: env, Target: target, Catalog: cat, Spec: m,
				Namespace: namespaces[m.Space], Events: events,
				Images: map[string]string{"intake": "ghcr.io/acme/claims:2.0.1"},
			}); err != nil {
				return err
			}
		}
		return events.Close()
	}
	rec, err := evaluation.Run(program, evaluation.Options{Project: "conveyor", Stack: env.Name})
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// must finds a resource or fails the test.
func must(t *testing.T, rec *evaluation.Recording, typ, name string) *evaluation.Resource {
	t.Helper()
	r := evaluationtest.Find(rec, typ, name)
	if r == nil {
		var names []string
		for _, res := range evaluationtest.OfType(rec, typ) {
			names = append(names, res.Name)
		}
		t.Fatalf("no %s named %q; there are %v", typ, name, names)
	}
	return r
}

func str(r *evaluation.Resource, path string) string { return evaluationtest.String(r.Inputs, path) }

func isSecret(r *evaluation.Resource, path string) bool {
	v, ok := evaluationtest.Lookup(r.Inputs, path)
	return ok && v.IsSecret()
}

// parentChain lists the types of a resource's ancestors, nearest first.
func parentChain(rec *evaluation.Recording, r *evaluation.Resource) []string {
	var chain []string
	for p := evaluationtest.ByURN(rec, r.Parent); p != nil; p = evaluationtest.ByURN(rec, p.Parent) {
		chain = append(chain, p.Type+"::"+p.Name)
	}
	return chain
}

func dependsOn(r *evaluation.Resource, other *evaluation.Resource) bool {
	return slices.Contains(r.Dependencies, other.URN)
}

func labelsOf(r *evaluation.Resource, path string) map[string]string {
	out := map[string]string{}
	v, ok := evaluationtest.Lookup(r.Inputs, path)
	if !ok || !v.IsObject() {
		return out
	}
	for k, val := range v.ObjectValue() {
		if val.IsString() {
			out[string(k)] = val.StringValue()
		}
	}
	return out
}

func envOf(r *evaluation.Resource, container string) map[string]string {
	out := map[string]string{}
	v, ok := evaluationtest.Lookup(r.Inputs, container+".env")
	if !ok || !v.IsArray() {
		return out
	}
	for _, e := range v.ArrayValue() {
		obj := e.ObjectValue()
		name := obj["name"].StringValue()
		switch {
		case obj["value"].IsString():
			out[name] = obj["value"].StringValue()
		case obj["valueFrom"].IsObject():
			ref := obj["valueFrom"].ObjectValue()["secretKeyRef"].ObjectValue()
			out[name] = fmt.Sprintf("secret:%s/%s", ref["name"].StringValue(), ref["key"].StringValue())
		}
	}
	return out
}
