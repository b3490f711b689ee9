package apiserver

import (
	"context"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/conveyor-paas/conveyor/evaluation"
	"github.com/conveyor-paas/conveyor/evaluation/kube"
	"github.com/conveyor-paas/conveyor/manifest"
	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/stacks"
)

// meshCatalog is a catalog whose meshed spaces call each other (the demo catalog has one
// meshed space, which nobody calls).
var meshCatalog, _ = filepath.Abs("testdata/meshcatalog")

// The Istio kinds the tier reads back.
var (
	authorizationPolicies = schema.GroupVersionResource{Group: "security.istio.io", Version: "v1", Resource: "authorizationpolicies"}
	peerAuthentications   = schema.GroupVersionResource{Group: "security.istio.io", Version: "v1", Resource: "peerauthentications"}
)

// TestMeshOnAKubeAPIServer applies every object of dev and pr-123, two environments of one
// shared cluster, built from a catalog whose meshed spaces allow each other, to a real API
// server that serves Istio's CRDs: none is rejected and none warned about (an unknown field
// of an Istio object would be). It then reads back the AuthorizationPolicies the server
// stored and derives, for each space of each environment, the service accounts that may call
// it; they must be the space's own modules' and those of its allowFrom spaces, of the same
// environment only.
func TestMeshOnAKubeAPIServer(t *testing.T) {
	c := startCluster(t)
	ctx := t.Context()
	cat, err := manifest.Load(meshCatalog)
	if err != nil {
		t.Fatal(err)
	}
	envs := []string{"dev", "pr-123"}
	for _, env := range envs {
		objects := renderMesh(t, env)
		meshKinds := 0
		for _, o := range objects {
			if _, err := c.apply(ctx, o); err != nil {
				t.Errorf("the API server rejects %s of %s: %v", describe(o), env, err)
			}
			for _, w := range c.warnings.take() {
				t.Errorf("applying %s of %s, the API server warns: %s", describe(o), env, w)
			}
			if o.Kind() == "Namespace" {
				if err := c.kube.WaitForDefaultServiceAccount(ctx, o.Name()); err != nil {
					t.Fatal(err)
				}
			}
			if o.Kind() == "PeerAuthentication" || o.Kind() == "AuthorizationPolicy" {
				meshKinds++
			}
		}
		// Three meshed spaces, each with a PeerAuthentication and two AuthorizationPolicies.
		if meshKinds != 9 {
			t.Errorf("%s has %d Istio objects, want 9 (3 meshed spaces × PeerAuthentication, ALLOW and DENY)", env, meshKinds)
		}
	}
	if t.Failed() {
		return
	}
	derived := allowedCallers(t, ctx, c, cat, envs)
	for _, env := range envs {
		for _, s := range cat.Spaces {
			ns := naming.Namespace(env, s.Name)
			want := expectedCallers(cat, env, s)
			got, meshed := derived[ns]
			if meshed != (s.Mesh != nil && *s.Mesh) {
				t.Errorf("%s: has AuthorizationPolicies %v, but its space file says mesh %v", ns, meshed, s.Mesh)
				continue
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s may be called by %v; its allowFrom %v wants %v", ns, got, s.AllowFrom, want)
			}
		}
	}
	strictMTLS(t, ctx, c, cat, envs)
}

// renderMesh evaluates an environment of the mesh catalog and renders its objects.
func renderMesh(t *testing.T, env string) []kube.Object {
	t.Helper()
	shipped, err := stacks.ShippedStacks(root)
	if err != nil {
		t.Fatal(err)
	}
	// The environment's own file pins images of the demo catalog's modules: it is left out,
	// and the cluster stacks' files are read.
	shipped = slices.DeleteFunc(shipped, func(s string) bool { return s == env })
	var rec *evaluation.Recording
	rec, err = stacks.Evaluate(stacks.EvaluateOptions{Root: root, Stack: env, Shipped: shipped,
		Config: map[string]string{naming.Project + ":catalog": meshCatalog}})
	if err != nil {
		t.Fatalf("evaluating %s: %v", env, err)
	}
	objects, err := kube.Objects(rec)
	if err != nil {
		t.Fatal(err)
	}
	return objects
}

// expectedCallers are what a meshed space's file allows: the service accounts of the modules
// of the space itself and of its allowFrom spaces, in the same environment, sorted.
func expectedCallers(cat *manifest.Catalog, env string, s *manifest.Space) []string {
	if s.Mesh == nil || !*s.Mesh {
		return nil
	}
	spaces := append([]string{s.Name}, s.AllowFrom...)
	var out []string
	for _, m := range cat.Modules {
		if slices.Contains(spaces, m.Space) {
			out = append(out, naming.Namespace(env, m.Space)+"/"+naming.KubernetesServiceAccount(m.Name))
		}
	}
	slices.Sort(out)
	return out
}

// allowedCallers reads every AuthorizationPolicy the server stored and derives, by namespace,
// the callers ("<namespace>/<service account>") that Istio's evaluation would admit: a
// request is refused if a DENY policy matches it, then admitted only if an ALLOW policy does.
// Every policy here is namespace-wide and matches on the source principal alone.
func allowedCallers(t *testing.T, ctx context.Context, c *cluster, cat *manifest.Catalog, envs []string) map[string][]string {
	t.Helper()
	list, err := c.dynamic.Resource(authorizationPolicies).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	type policies struct{ allowed, denied []matcher }
	byNamespace := map[string]*policies{}
	for _, p := range list.Items {
		ps := byNamespace[p.GetNamespace()]
		if ps == nil {
			ps = &policies{}
			byNamespace[p.GetNamespace()] = ps
		}
		action, _, _ := unstructured.NestedString(p.Object, "spec", "action")
		rules, _, _ := unstructured.NestedSlice(p.Object, "spec", "rules")
		m := matcher{policy: p.GetNamespace() + "/" + p.GetName(), rules: rules}
		if action == "DENY" {
			ps.denied = append(ps.denied, m)
		} else {
			ps.allowed = append(ps.allowed, m)
		}
	}
	// The candidate callers are every principal any policy names, and under each trust domain
	// seen every module's service account of every environment and one outside the catalog,
	// which no policy names: a policy that admitted more than it names would admit those.
	candidates := map[string]string{} // principal: "<namespace>/<service account>"
	trustDomains := map[string]bool{}
	for _, p := range list.Items {
		for _, principal := range principalsIn(p.Object) {
			ns, sa, err := naming.ParseMeshPrincipal(principal)
			if err != nil {
				t.Errorf("%s/%s: %v", p.GetNamespace(), p.GetName(), err)
				continue
			}
			candidates[principal] = ns + "/" + sa
			td, _, _ := strings.Cut(principal, "/ns/")
			trustDomains[td] = true
		}
	}
	for td := range trustDomains {
		for _, env := range envs {
			for _, m := range cat.Modules {
				ns, sa := naming.Namespace(env, m.Space), naming.KubernetesServiceAccount(m.Name)
				candidates[naming.MeshPrincipal(td, ns, sa)] = ns + "/" + sa
			}
		}
		candidates[naming.MeshPrincipal(td, "elsewhere", "default")] = "elsewhere/default"
	}
	out := map[string][]string{}
	for ns, ps := range byNamespace {
		var admitted []string
		for _, principal := range slices.Sorted(maps.Keys(candidates)) {
			if slices.ContainsFunc(ps.denied, func(m matcher) bool { return m.matches(principal) }) {
				continue
			}
			if slices.ContainsFunc(ps.allowed, func(m matcher) bool { return m.matches(principal) }) {
				admitted = append(admitted, candidates[principal])
			}
		}
		slices.Sort(admitted)
		out[ns] = admitted
	}
	return out
}

// matcher is one AuthorizationPolicy's rules, as far as the source principal goes.
type matcher struct {
	policy string
	rules  []any
}

// matches says whether some rule matches a request from principal: a rule with no from
// matches every request; a source matches when principal is in its principals (if set) and
// not in its notPrincipals (if set).
func (m matcher) matches(principal string) bool {
	for _, r := range m.rules {
		rule, _ := r.(map[string]any)
		from, _, _ := unstructured.NestedSlice(rule, "from")
		if len(from) == 0 {
			return true
		}
		for _, f := range from {
			source, _, _ := unstructured.NestedMap(f.(map[string]any), "source")
			in, hasIn, _ := unstructured.NestedStringSlice(source, "principals")
			notIn, hasNotIn, _ := unstructured.NestedStringSlice(source, "notPrincipals")
			if (!hasIn || slices.Contains(in, principal)) && (!hasNotIn || !slices.Contains(notIn, principal)) {
				return true
			}
		}
	}
	return false
}

// principalsIn lists every principal and notPrincipal a policy names.
func principalsIn(obj map[string]any) []string {
	var out []string
	rules, _, _ := unstructured.NestedSlice(obj, "spec", "rules")
	for _, r := range rules {
		from, _, _ := unstructured.NestedSlice(r.(map[string]any), "from")
		for _, f := range from {
			for _, key := range []string{"principals", "notPrincipals"} {
				ps, _, _ := unstructured.NestedStringSlice(f.(map[string]any), "source", key)
				out = append(out, ps...)
			}
		}
	}
	return out
}

// strictMTLS checks that the server stored, in every meshed namespace of each environment,
// the namespace-wide PeerAuthentication with STRICT mutual TLS, and in no other namespace.
func strictMTLS(t *testing.T, ctx context.Context, c *cluster, cat *manifest.Catalog, envs []string) {
	t.Helper()
	list, err := c.dynamic.Resource(peerAuthentications).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	strict := map[string]bool{}
	for _, pa := range list.Items {
		mode, _, _ := unstructured.NestedString(pa.Object, "spec", "mtls", "mode")
		_, hasSelector, _ := unstructured.NestedMap(pa.Object, "spec", "selector")
		strict[pa.GetNamespace()] = mode == "STRICT" && !hasSelector
	}
	for _, env := range envs {
		for _, s := range cat.Spaces {
			ns := naming.Namespace(env, s.Name)
			if want := s.Mesh != nil && *s.Mesh; strict[ns] != want {
				t.Errorf("%s: namespace-wide STRICT mutual TLS %v, want %v", ns, strict[ns], want)
			}
		}
	}
}
