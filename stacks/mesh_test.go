package stacks_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/conveyor-paas/conveyor/components"
	"github.com/conveyor-paas/conveyor/evaluation/evaluationtest"
	"github.com/conveyor-paas/conveyor/evaluation/kube"
	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/stacks"
)

// podAnnotations are a workload's pod template annotations.
func podAnnotations(o kube.Object) map[string]any {
	spec, _ := o["spec"].(map[string]any)
	if o.Kind() == "CronJob" {
		spec, _ = spec["jobTemplate"].(map[string]any)
		spec, _ = spec["spec"].(map[string]any)
	}
	tmpl, _ := spec["template"].(map[string]any)
	meta, _ := tmpl["metadata"].(map[string]any)
	a, _ := meta["annotations"].(map[string]any)
	return a
}

// TestMeshedSpacesRender checks what the demo catalog's one meshed space (claims) renders to
// in every kind of environment, and that the space outside the mesh (sales) gets none of it:
// the injection label, STRICT mutual TLS and the two AuthorizationPolicies; native sidecars
// and probe rewriting on every pod, Jobs' and CronJobs' included; and on a local cluster the
// egress to istiod and Istio's three charts at conveyor:istioVersion.
func TestMeshedSpacesRender(t *testing.T) {
	for _, env := range []string{"dev", "pr-123", "local"} {
		t.Run(env, func(t *testing.T) {
			var config map[string]string
			if env == "local" { // a local cluster runs the mesh when a person turns it on
				config = map[string]string{naming.Project + ":mesh": string(components.MeshOptIn)}
			}
			rec := evaluate(t, env, config)
			objects, err := kube.Objects(rec)
			if err != nil {
				t.Fatal(err)
			}
			meshed, plain := naming.Namespace(env, "claims"), naming.Namespace(env, "sales")
			found := map[string]int{}
			for _, o := range objects {
				ns := o.Namespace()
				if o.Kind() == "Namespace" {
					ns = o.Name()
				}
				if ns != meshed && ns != plain {
					continue
				}
				in := ns == meshed
				switch o.Kind() {
				case "Namespace":
					labels, _ := o["metadata"].(map[string]any)["labels"].(map[string]any)
					if got := labels[naming.MeshInjectionLabel] == naming.MeshInjectionEnabled; got != in {
						t.Errorf("namespace %s: injection label %v, want %v", ns, got, in)
					}
				case "PeerAuthentication", "AuthorizationPolicy":
					found[ns+" "+o.Kind()]++
				case "NetworkPolicy":
					if o.Name() == naming.NetworkPolicy(naming.PolicyAllowMeshControlPlane) {
						found[ns+" istiod egress"]++
					}
				case "Deployment", "Job", "CronJob":
					a := podAnnotations(o)
					for _, key := range []string{naming.MeshNativeSidecar, naming.MeshRewriteProbes} {
						if got := a[key] == "true"; got != in {
							t.Errorf("%s %s/%s: %s = %v, want it set: %v", o.Kind(), ns, o.Name(), key, a[key], in)
						}
					}
				case "Service":
					ports, _ := o["spec"].(map[string]any)["ports"].([]any)
					for _, p := range ports {
						if p.(map[string]any)["appProtocol"] != "http" {
							t.Errorf("service %s/%s port %v has no appProtocol http", ns, o.Name(), p)
						}
					}
				}
			}
			want := map[string]int{meshed + " PeerAuthentication": 1, meshed + " AuthorizationPolicy": 2}
			if env == "local" {
				want[meshed+" istiod egress"] = 1
			}
			for k, n := range want {
				if found[k] != n {
					t.Errorf("%s: %d, want %d", k, found[k], n)
				}
			}
			for k, n := range found {
				if want[k] != n {
					t.Errorf("%s: %d, want %d", k, n, want[k])
				}
			}
			releases := evaluationtest.OfType(rec, "kubernetes:helm.sh/v3:Release")
			if env != "local" {
				if len(releases) != 0 {
					t.Errorf("%d Helm releases in an environment on GKE, whose cluster stack runs the managed mesh", len(releases))
				}
				return
			}
			var charts []string
			for _, r := range releases {
				charts = append(charts, r.Inputs["chart"].StringValue()+"@"+r.Inputs["version"].StringValue())
			}
			if got, wantCharts := strings.Join(charts, ","), "base@1.32.0,cni@1.32.0,istiod@1.32.0"; got != wantCharts {
				t.Errorf("local installs %s, want %s", got, wantCharts)
			}
		})
	}
}

// TestClusterStackMesh checks that the cluster stack enables the managed mesh through the
// fleet unless conveyor:mesh is off, and exports the mode for its environments.
func TestClusterStackMesh(t *testing.T) {
	fleet := []string{"gcp:gkehub/membership:Membership", "gcp:gkehub/feature:Feature", "gcp:gkehub/featureMembership:FeatureMembership"}
	for _, mode := range []string{"opt-in", "default", "off"} {
		rec := evaluate(t, "cluster-nonprod", map[string]string{naming.Project + ":mesh": mode})
		for _, typ := range fleet {
			if got, want := len(evaluationtest.OfType(rec, typ)), map[bool]int{true: 1, false: 0}[mode != "off"]; got != want {
				t.Errorf("mesh %s: %d %s, want %d", mode, got, typ, want)
			}
		}
	}
}

// TestMeshRefusals: a catalog the cluster's mesh cannot serve is refused before anything is
// deployed, naming the space file and the field.
func TestMeshRefusals(t *testing.T) {
	t.Run("a meshed space on a cluster without the mesh", func(t *testing.T) {
		_, err := stacks.Evaluate(stacks.EvaluateOptions{Root: root, Stack: "local", Shipped: shipped(t),
			Config: map[string]string{naming.Project + ":mesh": string(components.MeshOff)}})
		wantError(t, err, filepath.Join("claims", "space.conveyor.yaml")+":12:7:", "mesh", `conveyor:mesh of local is "off"`)
	})
	t.Run("a meshed space allowing a space outside the mesh", func(t *testing.T) {
		dir := t.TempDir()
		write(t, filepath.Join(dir, "a", "space.conveyor.yaml"), "space: a\nteam: a@acme.io\nmesh: true\nallowFrom: [b]\n")
		write(t, filepath.Join(dir, "b", "space.conveyor.yaml"), "space: b\nteam: b@acme.io\n")
		_, err := stacks.Evaluate(stacks.EvaluateOptions{Root: root, Stack: "local", Shipped: shipped(t),
			Config: map[string]string{naming.Project + ":catalog": dir, naming.Project + ":mesh": string(components.MeshOptIn)}})
		wantError(t, err, filepath.Join("a", "space.conveyor.yaml")+":4:", "allowFrom[0]", "put b in the mesh too")
	})
}

func wantError(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("the error does not say %q:\n%v", p, err)
		}
	}
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestLocalClusterMeshIsTurnedOn: a local stack that leaves conveyor:mesh unset runs no mesh,
// so a person's first `conveyor up` installs no Istio (no chart download, no control plane):
// the demo catalog's meshed space deploys outside the mesh instead of being refused, with no
// mesh object anywhere. Set, the mesh is installed as before (TestMeshedSpacesRender).
func TestLocalClusterMeshIsTurnedOn(t *testing.T) {
	for _, stack := range []string{"local", "local-alice"} {
		t.Run(stack, func(t *testing.T) {
			rec := evaluate(t, stack, nil)
			if n := len(evaluationtest.OfType(rec, "kubernetes:helm.sh/v3:Release")); n != 0 {
				t.Errorf("%d Helm releases: a local cluster whose stack leaves %s:mesh unset installs Istio", n, naming.Project)
			}
			objects, err := kube.Objects(rec)
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range objects {
				switch o.Kind() {
				case "PeerAuthentication", "AuthorizationPolicy":
					t.Errorf("%s %s/%s on a local cluster that runs no mesh", o.Kind(), o.Namespace(), o.Name())
				case "Namespace":
					labels, _ := o["metadata"].(map[string]any)["labels"].(map[string]any)
					if _, ok := labels[naming.MeshInjectionLabel]; ok {
						t.Errorf("namespace %s has the injection label on a local cluster that runs no mesh", o.Name())
					}
				}
			}
		})
	}
}
