package stacks_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	apiresource "k8s.io/apimachinery/pkg/api/resource"

	"github.com/conveyor-paas/conveyor/components"
	"github.com/conveyor-paas/conveyor/evaluation"
	"github.com/conveyor-paas/conveyor/evaluation/evaluationtest"
	"github.com/conveyor-paas/conveyor/evaluation/kube"
	"github.com/conveyor-paas/conveyor/naming"
)

// LocalDifferences are the only ways a local environment's workloads may differ from a GCP
// environment's (the README lists them): local is a different cluster, not a different
// platform. Each is checked for what it is, then taken out before the rest is compared.
var localDifferences = []string{
	"names and labels carry the environment's name",
	"the size: local runs one replica, never autoscales and gets half the quotas, like an ad-hoc environment",
	"a rollout gives up after three minutes (progressDeadlineSeconds), like an ad-hoc environment's, not the default ten",
	"PUBSUB_EMULATOR_HOST is set, and GOOGLE_CLOUD_PROJECT names the emulator's project",
	"the Kubernetes service account has no workload identity annotation",
	"the database Secret points at the environment's own PostgreSQL, not at the Cloud SQL Auth Proxy on loopback (both sslmode=disable)",
	"a pod that connects to its database runs no Cloud SQL Auth Proxy beside it",
	"egress reaches the in-cluster PostgreSQL and Pub/Sub emulator, not Cloud SQL's address, the metadata server and Google APIs",
	"a namespace's conveyor.io/tier label is its environment's trust tier: local's is ad-hoc, dev's long-lived",
	"a meshed space's egress reaches istiod, and its mesh identities are in the trust domain cluster.local, not the fleet's",
	"the mesh runs only when the stack turns it on (conveyor:mesh; compared here with it on)",
}

// The database each environment's Secrets point at, and how.
var databaseOf = map[string]struct{ host, sslmode string }{
	"dev":   {"127.0.0.1", "disable"},
	"local": {"conveyor-postgres.local-conveyor.svc.cluster.local", "disable"},
}

// cloudOnlyPolicies and localOnlyPolicies are the network policies of that last difference.
var (
	cloudOnlyPolicies = []string{naming.PolicyAllowMetadataServer, naming.PolicyAllowGoogleAPIs}
	localOnlyPolicies = []string{naming.PolicyAllowPubSubEmulator, naming.PolicyAllowMeshControlPlane}
)

// TestLocalIsTheSamePlatform renders dev and local and compares every object of the spaces,
// Secrets' data included, after checking and taking out exactly the documented differences.
func TestLocalIsTheSamePlatform(t *testing.T) {
	dev := spaceObjects(t, "dev")
	local := spaceObjects(t, "local")
	// The size: dev autoscales what asks for it, local never does.
	if n := countKind(dev, "HorizontalPodAutoscaler"); n == 0 {
		t.Fatalf("dev has no autoscaler: the comparison would prove nothing about autoscaling")
	}
	if n := countKind(local, "HorizontalPodAutoscaler"); n != 0 {
		t.Errorf("local has %d autoscalers", n)
	}
	for key, o := range dev {
		if o.Kind() == "HorizontalPodAutoscaler" {
			delete(dev, key)
		}
	}
	if len(dev) != len(local) {
		t.Fatalf("dev has %d objects in its spaces, local %d", len(dev), len(local))
	}
	for key, d := range dev {
		l, ok := local[key]
		if !ok {
			t.Errorf("local has no %s", key)
			continue
		}
		want, got := normalize(t, d, "dev", nil), normalize(t, l, "local", d)
		if !reflect.DeepEqual(want, got) {
			a, _ := json.MarshalIndent(want, "", " ")
			b, _ := json.MarshalIndent(got, "", " ")
			t.Errorf("%s differs beyond %q:\n--- dev\n%s\n--- local\n%s", key, localDifferences, a, b)
		}
	}
}

func countKind(objects map[string]kube.Object, kind string) int {
	n := 0
	for _, o := range objects {
		if o.Kind() == kind {
			n++
		}
	}
	return n
}

// spaceObjects renders a stack and keeps the objects of its spaces (not the local platform
// namespace), keyed by kind and name without the environment. A Secret keeps its data, which
// the rendering redacts: the comparison must see it.
func spaceObjects(t *testing.T, stack string) map[string]kube.Object {
	t.Helper()
	var config map[string]string
	if stack == "local" { // as dev's cluster does; TestLocalClusterMeshIsTurnedOn checks it off
		config = map[string]string{naming.Project + ":mesh": string(components.MeshOptIn)}
	}
	rec := evaluate(t, stack, config)
	objects, err := kube.Objects(rec)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]kube.Object{}
	for _, o := range objects {
		ns := o.Namespace()
		if o.Kind() == "Namespace" {
			ns = o.Name()
		}
		if ns == stack+"-conveyor" || !strings.HasPrefix(ns, stack+"-") {
			continue
		}
		if o.Kind() == "Secret" {
			o["stringData"] = secretData(t, rec, ns, o.Name())
		}
		if o.Kind() == "NetworkPolicy" && (slices.Contains(cloudOnlyPolicies, o.Name()) || slices.Contains(localOnlyPolicies, o.Name())) {
			continue // what egress reaches
		}
		name := o.Name()
		if o.Kind() == "Namespace" {
			name = ""
		}
		out[fmt.Sprintf("%s %s/%s", o.Kind(), strings.TrimPrefix(ns, stack+"-"), name)] = o
	}
	return out
}

// secretData is a Secret's stringData in plain text, from the recording.
func secretData(t *testing.T, rec *evaluation.Recording, ns, name string) map[string]any {
	t.Helper()
	for _, r := range evaluationtest.OfType(rec, "kubernetes:core/v1:Secret") {
		if evaluationtest.String(r.Inputs, "metadata.namespace") != ns || evaluationtest.String(r.Inputs, "metadata.name") != name {
			continue
		}
		v, _ := evaluationtest.Lookup(r.Inputs, "stringData")
		for v.IsSecret() {
			v = v.SecretValue().Element
		}
		out := map[string]any{}
		for k := range v.ObjectValue() {
			out[string(k)] = evaluationtest.String(r.Inputs, "stringData."+string(k))
		}
		return out
	}
	t.Fatalf("no Secret %s/%s recorded", ns, name)
	return nil
}

// normalize checks the documented differences of an object and takes them out. dev is the
// dev object a local one is compared with (nil for dev itself).
func normalize(t *testing.T, o kube.Object, env string, dev kube.Object) any {
	t.Helper()
	if o.Kind() == "Secret" {
		o = normalizeDatabaseSecret(t, o, env)
	}
	data, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	// The environment's name, wherever a name or label carries it.
	text := string(data)
	for _, sep := range []string{"-", ".", "_"} {
		text = strings.ReplaceAll(text, `"`+env+sep, `"<env>`+sep)
	}
	text = strings.ReplaceAll(text, `"`+env+`"`, `"<env>"`)
	var v any
	if err := json.Unmarshal([]byte(text), &v); err != nil {
		t.Fatal(err)
	}
	m := v.(map[string]any)
	// The size: one replica, half the quota.
	if spec, ok := m["spec"].(map[string]any); ok && m["kind"] == "Deployment" {
		if r, fixed := spec["replicas"].(float64); dev != nil && (!fixed || r != 1) {
			t.Errorf("local Deployment %s runs %v replicas, want 1", o.Name(), spec["replicas"])
		}
		delete(spec, "replicas")
		if d, set := spec["progressDeadlineSeconds"]; dev != nil && d != float64(180) {
			t.Errorf("local Deployment %s has progressDeadlineSeconds %v (set %v), want 180 as an ad-hoc environment's", o.Name(), d, set)
		}
		delete(spec, "progressDeadlineSeconds")
	}
	if m["kind"] == "ResourceQuota" && dev != nil {
		hard := m["spec"].(map[string]any)["hard"].(map[string]any)
		devHard := dev["spec"].(map[string]any)["hard"].(map[string]any)
		for key, d := range devHard {
			if want := halved(t, d.(string)); hard[key] != want {
				t.Errorf("local quota %s = %v, want half of dev's %v: %s", key, hard[key], d, want)
			}
			hard[key] = d
		}
	}
	// The tier.
	if m["kind"] == "Namespace" {
		labels := m["metadata"].(map[string]any)["labels"].(map[string]any)
		if got, want := labels[naming.LabelTier], string(naming.TierOf(env)); got != want {
			t.Errorf("%s namespace %s is of tier %v, want %s", env, o.Name(), got, want)
		}
		labels[naming.LabelTier] = "<tier>"
	}
	// Where the database is.
	if m["kind"] == "NetworkPolicy" && o.Name() == naming.PolicyAllowDatabase {
		m["spec"].(map[string]any)["egress"] = "<the environment's database server>"
	}
	// The mesh's trust domain and the environment, in every principal of an AuthorizationPolicy.
	if m["kind"] == "AuthorizationPolicy" {
		text, _ := json.Marshal(m["spec"])
		var spec any
		principal := regexp.MustCompile(`"[^"/]+/ns/` + regexp.QuoteMeta(env) + `-`)
		if err := json.Unmarshal(principal.ReplaceAll(text, []byte(`"<trust domain>/ns/<env>-`)), &spec); err != nil {
			t.Fatal(err)
		}
		m["spec"] = spec
	}
	// The workload identity annotation.
	if meta, ok := m["metadata"].(map[string]any); ok && m["kind"] == "ServiceAccount" {
		delete(meta, "annotations")
	}
	// The proxy: beside dev's pods, never beside local's.
	walkPodSpecs(m, func(spec map[string]any) {
		inits, _ := spec["initContainers"].([]any)
		kept := slices.DeleteFunc(slices.Clone(inits), func(c any) bool { return c.(map[string]any)["name"] == naming.SQLProxyContainer })
		if dev != nil && len(kept) != len(inits) {
			t.Errorf("local %s %s runs the Cloud SQL Auth Proxy", o.Kind(), o.Name())
		}
		if len(kept) == 0 {
			delete(spec, "initContainers")
		} else {
			spec["initContainers"] = kept
		}
	})
	// The emulator and the project.
	walkContainers(m, func(c map[string]any) {
		env, _ := c["env"].([]any)
		var kept []any
		for _, e := range env {
			name := e.(map[string]any)["name"]
			switch name {
			case "PUBSUB_EMULATOR_HOST":
				continue
			case "GOOGLE_CLOUD_PROJECT":
				e.(map[string]any)["value"] = "<project>"
			}
			kept = append(kept, e)
		}
		c["env"] = kept
	})
	return m
}

// halved is half a quota quantity, as an ad-hoc environment's quota is; a quantity that does
// not halve exactly stays whole.
func halved(t *testing.T, q string) string {
	t.Helper()
	v, err := apiresource.ParseQuantity(q)
	if err != nil {
		t.Fatalf("quota %q: %v", q, err)
	}
	if v.MilliValue()%2 != 0 {
		return q
	}
	half := apiresource.NewMilliQuantity(v.MilliValue()/2, v.Format)
	return half.String()
}

// normalizeDatabaseSecret checks that a module's database Secret is whole and consistent (the
// URL says what the other keys say) and points at its environment's database, then replaces
// what differs by design: the host, the generated password and the TLS mode.
func normalizeDatabaseSecret(t *testing.T, o kube.Object, env string) kube.Object {
	t.Helper()
	data := o["stringData"].(map[string]any)
	get := func(key string) string { s, _ := data[key].(string); return s }
	want := databaseOf[env]
	u, err := url.Parse(get("url"))
	if err != nil {
		t.Fatalf("%s secret %s: url: %v", env, o.Name(), err)
	}
	password, _ := u.User.Password()
	for _, c := range []struct{ what, got, want string }{
		{"host", get("host"), want.host},
		{"port", get("port"), "5432"},
		{"url scheme", u.Scheme, "postgres"},
		{"url user", u.User.Username(), get("user")},
		{"url password", password, get("password")},
		{"url host", u.Host, get("host") + ":" + get("port")},
		{"url database", u.Path, "/" + get("database")},
		{"sslmode", u.Query().Get("sslmode"), want.sslmode},
	} {
		if c.got != c.want {
			t.Errorf("%s secret %s: %s = %q, want %q", env, o.Name(), c.what, c.got, c.want)
		}
	}
	if get("password") == "" {
		t.Errorf("%s secret %s has no password", env, o.Name())
	}
	out := kube.Object{}
	for k, v := range o {
		out[k] = v
	}
	normalized := map[string]any{}
	for k, v := range data {
		normalized[k] = v
	}
	normalized["host"], normalized["password"] = "<database host>", "<password>"
	// The URL was checked against the other keys above.
	normalized["url"] = "postgres://<user>:<password>@<database host>:<port>/<database>?sslmode=<tls>"
	out["stringData"] = normalized
	return out
}

// walkPodSpecs calls f on every pod spec (a map with containers) in v.
func walkPodSpecs(v any, f func(map[string]any)) {
	switch x := v.(type) {
	case map[string]any:
		if _, ok := x["containers"].([]any); ok {
			f(x)
		}
		for _, child := range x {
			walkPodSpecs(child, f)
		}
	case []any:
		for _, child := range x {
			walkPodSpecs(child, f)
		}
	}
}

func walkContainers(v any, f func(map[string]any)) {
	switch x := v.(type) {
	case map[string]any:
		if containers, ok := x["containers"].([]any); ok {
			for _, c := range containers {
				f(c.(map[string]any))
			}
		}
		for _, child := range x {
			walkContainers(child, f)
		}
	case []any:
		for _, child := range x {
			walkContainers(child, f)
		}
	}
}
