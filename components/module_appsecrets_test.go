package components_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/components"
	"github.com/conveyor-paas/conveyor/evaluation"
	"github.com/conveyor-paas/conveyor/evaluation/evaluationtest"
	"github.com/conveyor-paas/conveyor/manifest"
)

const (
	typeSecretManagerSecret  = "gcp:secretmanager/secret:Secret"
	typeSecretVersion        = "gcp:secretmanager/secretVersion:SecretVersion"
	typeSecretIAMMember      = "gcp:secretmanager/secretIamMember:SecretIamMember"
	typeSecretProviderClass  = "kubernetes:secrets-store.csi.x-k8s.io/v1:SecretProviderClass"
	typeDeploymentForSecrets = "kubernetes:apps/v1:Deployment"
	typeJobForSecrets        = "kubernetes:batch/v1:Job"
)

// secretsCatalog: quotes reads a secret in every component and one in its api only; claims,
// in another space, reads none.
func secretsCatalog(t *testing.T, adHocDefaults bool) *manifest.Catalog {
	t.Helper()
	quotes := `module: quotes
space: sales
secrets: [STRIPE_API_KEY]
components:
  api:
    image: ghcr.io/acme/quotes:1.0.0
    secrets: [WEBHOOK_SECRET]
  migrate:
    kind: job
    image: ghcr.io/acme/quotes-migrate:1.0.0
`
	if adHocDefaults {
		quotes = strings.Replace(quotes, "space: sales\n", "space: sales\nadHocSecretDefaults: true\n", 1)
	}
	cat, err := manifest.Parse([]manifest.Source{
		{Name: "sales.conveyor.yaml", Data: []byte("space: sales\nteam: sales@example.com\n")},
		{Name: "claims.conveyor.yaml", Data: []byte("space: claims\nteam: claims@example.com\n")},
		{Name: "quotes.conveyor.yaml", Data: []byte(quotes)},
		{Name: "claims.module.conveyor.yaml", Data: []byte("module: claims\nspace: claims\ncomponents:\n  api: {image: ghcr.io/acme/claims:2.0.0}\n")},
	})
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// The test's values, unlike any other string of the stack.
const (
	stripeValue  = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"
	webhookValue = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
)

func localValues(module string) components.ModuleSecrets {
	values := map[string]string{}
	if module == "quotes" {
		values = map[string]string{"STRIPE_API_KEY": stripeValue, "WEBHOOK_SECRET": webhookValue}
	}
	text, _ := json.Marshal(values) // a map of strings always marshals
	return components.ModuleSecrets{Values: pulumi.ToSecret(pulumi.String(text)).(pulumi.StringOutput)}
}

// On GKE, each secret is a Secret Manager secret of the environment, never a version (no
// value in the state), readable by the module's own service account alone, and each
// component mounts exactly its secrets through its SecretProviderClass.
func TestSecretsOnGKE(t *testing.T) {
	rec := deployCatalog(t, components.Environment{Name: "dev"}, false, secretsCatalog(t, false), nil)
	if v := evaluationtest.OfType(rec, typeSecretVersion); len(v) != 0 {
		t.Errorf("the stack declares %d secret versions; values must never enter the state", len(v))
	}
	var ids []string
	for _, s := range evaluationtest.OfType(rec, typeSecretManagerSecret) {
		ids = append(ids, str(&s, "secretId"))
		if got := labelsOf(&s, "labels"); got["conveyor-module"] != "quotes" || got["conveyor-environment"] != "dev" {
			t.Errorf("secret %s has labels %v", s.Name, got)
		}
		if _, ok := evaluationtest.Lookup(s.Inputs, "replication.auto"); !ok {
			t.Errorf("secret %s has no automatic replication", s.Name)
		}
	}
	slices.Sort(ids) // resources register in no fixed order
	if diff := cmp.Diff([]string{"dev-quotes-STRIPE_API_KEY", "dev-quotes-WEBHOOK_SECRET"}, ids); diff != "" {
		t.Errorf("Secret Manager secrets (-want +got):\n%s", diff)
	}
	type binding struct{ Secret, Role, Member string }
	var bindings []binding
	for _, b := range evaluationtest.OfType(rec, typeSecretIAMMember) {
		bindings = append(bindings, binding{str(&b, "secretId"), str(&b, "role"), str(&b, "member")})
	}
	slices.SortFunc(bindings, func(a, b binding) int { return strings.Compare(a.Secret, b.Secret) })
	const quotesSA = "serviceAccount:dev-quotes@acme-nonprod.iam.gserviceaccount.com"
	want := []binding{
		{"dev-quotes-STRIPE_API_KEY", components.SecretAccessorRole, quotesSA},
		{"dev-quotes-WEBHOOK_SECRET", components.SecretAccessorRole, quotesSA},
	}
	if diff := cmp.Diff(want, bindings); diff != "" {
		t.Errorf("IAM on the secrets (-want +got):\n%s", diff)
	}

	files := map[string]string{
		"quotes-api":     "- resourceName: projects/acme-nonprod/secrets/dev-quotes-STRIPE_API_KEY/versions/latest\n  path: STRIPE_API_KEY\n- resourceName: projects/acme-nonprod/secrets/dev-quotes-WEBHOOK_SECRET/versions/latest\n  path: WEBHOOK_SECRET\n",
		"quotes-migrate": "- resourceName: projects/acme-nonprod/secrets/dev-quotes-STRIPE_API_KEY/versions/latest\n  path: STRIPE_API_KEY\n",
	}
	classes := evaluationtest.OfType(rec, typeSecretProviderClass)
	if len(classes) != len(files) {
		t.Errorf("%d SecretProviderClasses, want one per component that reads a secret (%d)", len(classes), len(files))
	}
	for name, want := range files {
		spc := must(t, rec, typeSecretProviderClass, name)
		if got := str(spc, "spec.provider"); got != components.SecretsStoreProvider {
			t.Errorf("%s: provider %q", name, got)
		}
		if got := str(spc, "metadata.namespace"); got != "dev-sales" {
			t.Errorf("%s: namespace %q, want the module's", name, got)
		}
		if diff := cmp.Diff(want, str(spc, "spec.parameters.secrets")); diff != "" {
			t.Errorf("%s mounts (-want +got):\n%s", name, diff)
		}
	}
	for _, w := range []struct{ typ, name, pod string }{
		{typeDeploymentForSecrets, "quotes-api", "spec.template.spec"},
		{typeJobForSecrets, "quotes-migrate", "spec.template.spec"},
	} {
		r := must(t, rec, w.typ, w.name)
		if got := str(r, w.pod+".volumes[1].csi.volumeAttributes.secretProviderClass"); got != w.name {
			t.Errorf("%s mounts the secrets of class %q, want %q", w.name, got, w.name)
		}
		if got := str(r, w.pod+".volumes[1].csi.driver"); got != components.SecretsStoreDriver {
			t.Errorf("%s: CSI driver %q", w.name, got)
		}
		assertSecretsMount(t, r, w.pod)
	}
	if v, ok := evaluationtest.Lookup(must(t, rec, typeDeploymentForSecrets, "claims-api").Inputs, "spec.template.spec.volumes[1]"); ok {
		t.Errorf("claims, which reads no secret, mounts %v", v)
	}
}

func assertSecretsMount(t *testing.T, r *evaluation.Resource, pod string) {
	t.Helper()
	c := pod + ".containers[0].volumeMounts[1]"
	if str(r, c+".name") != "secrets" || str(r, c+".mountPath") != "/var/run/secrets/conveyor" {
		t.Errorf("%s mounts %q at %q, want the secrets at /var/run/secrets/conveyor", r.Name, str(r, c+".name"), str(r, c+".mountPath"))
	}
	if v, _ := evaluationtest.Lookup(r.Inputs, c+".readOnly"); !v.IsBool() || !v.BoolValue() {
		t.Errorf("%s mounts its secrets writable", r.Name)
	}
}

// An ad-hoc environment of a module that allows it reads the ad-hoc tier's default where it
// has no value of its own, and its service account alone is bound on it for that; dev's,
// staging's or prod's secrets are never named.
func TestAdHocEnvironmentReadsTheTierDefault(t *testing.T) {
	for _, tt := range []struct {
		name    string
		allowed bool
		wantAPI string
	}{
		{"allowed", true, "conveyor-adhoc-quotes-STRIPE_API_KEY"},
		{"not allowed by the module", false, "pr-7-quotes-STRIPE_API_KEY"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			env := components.Environment{Name: "pr-7", AdHoc: true}
			rec := deployCatalog(t, env, false, secretsCatalog(t, tt.allowed), func(string) components.ModuleSecrets {
				return components.ModuleSecrets{FromAdHocDefaults: []string{"STRIPE_API_KEY"}}
			})
			spc := str(must(t, rec, typeSecretProviderClass, "quotes-migrate"), "spec.parameters.secrets")
			if !strings.Contains(spc, "/secrets/"+tt.wantAPI+"/") {
				t.Errorf("quotes-migrate reads %q, want %s", spc, tt.wantAPI)
			}
			for _, b := range evaluationtest.OfType(rec, typeSecretIAMMember) {
				if got := str(&b, "member"); got != "serviceAccount:pr-7-quotes@acme-nonprod.iam.gserviceaccount.com" {
					t.Errorf("%s binds %s", b.Name, got)
				}
				if id := str(&b, "secretId"); !strings.HasPrefix(id, "pr-7-") && !strings.HasPrefix(id, "conveyor-adhoc-") {
					t.Errorf("an ad-hoc environment is bound on %s", id)
				}
			}
		})
	}
}

// On a local cluster the values are one Kubernetes Secret in the module's namespace, Pulumi
// secrets there and nowhere else; each component mounts only the keys it reads.
func TestSecretsOnALocalCluster(t *testing.T) {
	rec := deployCatalog(t, components.Environment{Name: "local", AdHoc: true}, true, secretsCatalog(t, false), localValues)
	secret := must(t, rec, typeSecret, "local-sales/quotes-secrets")
	for key, value := range map[string]string{"STRIPE_API_KEY": stripeValue, "WEBHOOK_SECRET": webhookValue} {
		if got := str(secret, "stringData."+key); got != value {
			t.Errorf("the Secret's %s is %q", key, got)
		}
		for _, h := range find(rec, value) {
			if h.typ != typeSecret || h.name != secret.Name || h.path != "stringData."+key {
				t.Errorf("the value of %s is in %s %s at %s", key, h.typ, h.name, h.path)
			}
			if !h.secret {
				t.Errorf("the value of %s is in plain text in %s %s at %s", key, h.typ, h.name, h.path)
			}
		}
	}
	if got := str(secret, "metadata.namespace"); got != "local-sales" {
		t.Errorf("the Secret is in %q, want the module's namespace", got)
	}
	for name, want := range map[string][]string{"quotes-api": {"STRIPE_API_KEY", "WEBHOOK_SECRET"}, "quotes-migrate": {"STRIPE_API_KEY"}} {
		typ := typeDeploymentForSecrets
		if name == "quotes-migrate" {
			typ = typeJobForSecrets
		}
		r := must(t, rec, typ, name)
		vol := "spec.template.spec.volumes[1].secret"
		if got := str(r, vol+".secretName"); got != "quotes-secrets" {
			t.Errorf("%s mounts Secret %q", name, got)
		}
		var keys []string
		items, _ := evaluationtest.Lookup(r.Inputs, vol+".items")
		for _, it := range items.ArrayValue() {
			keys = append(keys, it.ObjectValue()["key"].StringValue())
		}
		if diff := cmp.Diff(want, keys); diff != "" {
			t.Errorf("%s mounts keys (-want +got):\n%s", name, diff)
		}
		assertSecretsMount(t, r, "spec.template.spec")
	}
	if n := len(evaluationtest.OfType(rec, typeSecretManagerSecret)); n != 0 {
		t.Errorf("a local cluster declares %d Secret Manager secrets", n)
	}
}

// A local environment without a value stops the program, naming the command that sets it.
func TestMissingLocalValueStopsTheProgram(t *testing.T) {
	env := components.Environment{Name: "local", AdHoc: true}
	_, err := evaluation.Run(catalogProgram(env, true, secretsCatalog(t, false), func(string) components.ModuleSecrets {
		return components.ModuleSecrets{
			Values:  pulumi.ToSecret(pulumi.String(`{"STRIPE_API_KEY":"x"}`)).(pulumi.StringOutput),
			Missing: func(m, n string) string { return "conveyor secret set --env local --module " + m + " " + n },
		}
	}), evaluation.Options{Project: "conveyor", Stack: env.Name})
	if err == nil || !strings.Contains(err.Error(), "conveyor secret set --env local --module quotes WEBHOOK_SECRET") {
		t.Fatalf("got %v, want an error naming the command to run", err)
	}
	if strings.Contains(err.Error(), `"x"`) {
		t.Errorf("the error quotes a value: %v", err)
	}
}

// A GKE cluster runs the Secrets Store CSI driver with rotation, so a new version reaches
// running pods, and no sync into Kubernetes Secrets; and Google's provider for it.
func TestGKEClusterMountsSecretsWithRotation(t *testing.T) {
	rec := gkeCluster(t, false)
	driver := must(t, rec, "kubernetes:helm.sh/v3:Release", "secrets-store-csi-driver")
	if v, _ := evaluationtest.Lookup(driver.Inputs, "values.enableSecretRotation"); !v.IsBool() || !v.BoolValue() {
		t.Errorf("the driver does not rotate: %v", v)
	}
	if v, _ := evaluationtest.Lookup(driver.Inputs, "values.syncSecret.enabled"); !v.IsBool() || v.BoolValue() {
		t.Errorf("the driver syncs secrets into Kubernetes Secrets: %v", v)
	}
	if got := str(driver, "values.tokenRequests[0].audience"); !strings.HasSuffix(got, ".svc.id.goog") {
		t.Errorf("the driver requests tokens for %q, not the workload pool", got)
	}
	gcp := must(t, rec, "kubernetes:helm.sh/v3:Release", "secrets-store-csi-driver-provider-gcp")
	if !dependsOn(gcp, driver) {
		t.Errorf("the provider does not wait for the driver")
	}
	for _, r := range []*evaluation.Resource{driver, gcp} {
		if str(r, "version") == "" {
			t.Errorf("%s is not pinned", r.Name)
		}
	}
}
