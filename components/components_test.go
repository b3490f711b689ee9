package components_test

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/components"
	"github.com/conveyor-paas/conveyor/evaluation"
	"github.com/conveyor-paas/conveyor/evaluation/evaluationtest"
	"github.com/conveyor-paas/conveyor/manifest"
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

// testAdminPassword stands in for the password of a scope's database admin, which the
// environment reads from the Secret where the cluster stack hands it over.
func testAdminPassword(scope string) string { return "admin-password-of-" + scope }

// readAdminSecret is a test double of the cluster's API server for the environment's read of
// its admin's Secret: it answers the Secret of any scope's admin namespace.
func readAdminSecret(typ, id string) (resource.PropertyMap, error) {
	ns, name, _ := strings.Cut(id, "/")
	scope, ok := strings.CutPrefix(ns, "conveyor-admin-")
	if typ != "kubernetes:core/v1:Secret" || !ok || name != "conveyor-database-admin" {
		return nil, fmt.Errorf("no %s %s on the test double's cluster", typ, id)
	}
	encoded := base64.StdEncoding.EncodeToString([]byte(testAdminPassword(scope)))
	return resource.PropertyMap{"data": resource.NewObjectProperty(resource.PropertyMap{
		"password": resource.MakeSecret(resource.NewProperty(encoded)),
	})}, nil
}

// testConnectionName is the test cluster's instance as the Cloud SQL Auth Proxy names it.
const testConnectionName = "acme-nonprod:europe-west1:conveyor-nonprod-pg"

// gcpTarget is a GKE cluster's target as an environment stack sees it, with the
// environment's platform namespace.
func gcpTarget(ctx *pulumi.Context, env components.Environment) (*components.Target, error) {
	return gcpTargetEdited(ctx, env, nil)
}

// gcpTargetEdited is gcpTarget with the target changed by edit, before the platform is made.
func gcpTargetEdited(ctx *pulumi.Context, env components.Environment, edit func(*components.Target)) (*components.Target, error) {
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
		SQLConnectionName: pulumi.String(testConnectionName),
	}
	if edit != nil {
		edit(target)
	}
	target.Platform, err = components.NewPlatform(ctx, env, target)
	return target, err
}

// deploy builds every space and module of the catalog into env, the way an environment
// stack does.
func deploy(t *testing.T, env components.Environment, local bool) *evaluation.Recording {
	t.Helper()
	return deployCatalog(t, env, local, loadCatalog(t), nil)
}

// deployCatalog is deploy with another catalog and the values of the modules' secrets.
func deployCatalog(t *testing.T, env components.Environment, local bool, cat *manifest.Catalog, secrets func(module string) components.ModuleSecrets) *evaluation.Recording {
	t.Helper()
	rec, err := evaluation.Run(catalogProgram(env, local, cat, secrets), evaluation.Options{Project: "conveyor", Stack: env.Name, Read: readAdminSecret})
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// catalogProgram is the program deploy evaluates.
func catalogProgram(env components.Environment, local bool, cat *manifest.Catalog, secrets func(module string) components.ModuleSecrets) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
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
			var values components.ModuleSecrets
			if secrets != nil {
				values = secrets(m.Name)
			}
			if _, err := components.NewModule(ctx, m.Name, &components.ModuleArgs{
				Environment: env, Target: target, Catalog: cat, Spec: m,
				Namespace: namespaces[m.Space], Events: events,
				Images:  map[string]string{"intake": "ghcr.io/acme/claims:2.0.1"},
				Secrets: values,
			}); err != nil {
				return err
			}
		}
		return events.Close()
	}
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
