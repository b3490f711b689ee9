package realengine

import (
	"slices"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/opsummary"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackopstest"
	"github.com/conveyor-paas/conveyor/evaluation/kube"
	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/stacks"
	"github.com/conveyor-paas/conveyor/tests/harness"
)

// TestLocalEnvironments deploys the demo catalog twice onto one cluster, as the local
// environment through the engine and as an ad-hoc local environment beside it through the
// real conveyor command, with the real providers, and then takes both down again.
func TestLocalEnvironments(t *testing.T) {
	f := setup(t)
	backend := stackopstest.NewEnv(t)
	c := f.newClone(t, backend, nil)
	ctx := t.Context()
	const local, alice = "local", "local-alice"
	c.configure(t, local, f.demoCatalog())
	c.configure(t, alice, f.demoCatalog())
	// A local-<name> stack is made by its first up, as local is: it lives on the developer's
	// cluster until destroyed, with no TTL.
	// How each environment is driven: local through the engine, alice through the command.
	ops := map[string]struct {
		up, preview, destroy func(t *testing.T) *opsummary.Summary
	}{
		local: {
			up: func(t *testing.T) *opsummary.Summary {
				t.Helper()
				return mustRun(t, "up", local, func() (*opsummary.Summary, error) { return c.e.Up(ctx, local, stackops.RunOptions{}) })
			},
			preview: func(t *testing.T) *opsummary.Summary {
				t.Helper()
				return mustRun(t, "preview", local, func() (*opsummary.Summary, error) { return c.e.Preview(ctx, local, stackops.RunOptions{}) })
			},
			destroy: func(t *testing.T) *opsummary.Summary {
				t.Helper()
				return mustRun(t, "destroy", local, func() (*opsummary.Summary, error) { return c.e.Destroy(ctx, local, local, stackops.RunOptions{}) })
			},
		},
		alice: {
			up:      func(t *testing.T) *opsummary.Summary { t.Helper(); return c.mustConveyor(t, "up", "--env", alice) },
			preview: func(t *testing.T) *opsummary.Summary { t.Helper(); return c.mustConveyor(t, "preview", "--env", alice) },
			destroy: func(t *testing.T) *opsummary.Summary {
				t.Helper()
				return c.mustConveyor(t, "destroy", "--env", alice, "--confirm", alice)
			},
		},
	}

	for _, env := range []string{local, alice} {
		t.Run("up "+env, func(t *testing.T) {
			s := ops[env].up(t)
			for op, n := range s.Changes {
				if op != opsummary.OpCreate && op != opsummary.OpSame && n > 0 {
					t.Errorf("a first up of %s: changes %v, want only creations", env, s.Changes)
				}
			}
			// What is live is what the offline rendering of the same environment says.
			rendered := renderedObjects(t, f, env)
			live := f.labelled(t, env)
			for _, o := range rendered {
				ref := harness.Ref(o.Kind(), o.Namespace(), o.Name())
				if !slices.Contains(live, ref) {
					t.Errorf("%s: %s is rendered but not live (labelled %s=%s)", env, ref, naming.LabelEnvironment, env)
				}
			}
			if t.Failed() {
				t.Logf("live objects of %s:\n  %s", env, join(live))
			}
		})
	}
	if t.Failed() {
		t.FailNow()
	}

	t.Run("a second preview and up change nothing", func(t *testing.T) {
		for _, env := range []string{local, alice} {
			if p := ops[env].preview(t); p.HasChanges() {
				t.Errorf("a preview of %s right after up changes %v: %v", env, p.Changes, p.Resources)
			}
			if u := ops[env].up(t); u.HasChanges() {
				t.Errorf("a second up of %s changes %v: %v", env, u.Changes, u.Resources)
			}
		}
	})

	t.Run("deploy changes one module only", func(t *testing.T) {
		const image = "ghcr.io/acme/quotes:2.0.0"
		ns := naming.Namespace(local, "sales")
		before := generations(t, f, local)
		s := mustRun(t, "deploy", local, func() (*opsummary.Summary, error) {
			return c.e.Deploy(ctx, stackops.DeployRequest{Env: local, Module: "quotes", Image: image}, stackops.RunOptions{})
		})
		if len(s.Resources) == 0 {
			t.Error("the deploy changed nothing")
		}
		for _, r := range s.Resources {
			if !slices.Contains(s.Targets, r.URN) {
				t.Errorf("the deploy of quotes changes %s (%s), which is not one of the module's resources", r.URN, r.Op)
			}
		}
		d, err := f.kube.Client.AppsV1().Deployments(ns).Get(ctx, naming.Workload("quotes", "api"), metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got := d.Spec.Template.Spec.Containers[0].Image; got != image {
			t.Errorf("the live quotes api runs %s, want %s", got, image)
		}
		after := generations(t, f, local)
		for ref, g := range before {
			if after[ref] != g && !strings.Contains(string(ref), "quotes") {
				t.Errorf("the deploy of quotes changed %s (generation %d -> %d)", ref, g, after[ref])
			}
		}
		p := mustRun(t, "preview", local, func() (*opsummary.Summary, error) { return c.e.Preview(ctx, local, stackops.RunOptions{}) })
		if p.HasChanges() {
			t.Errorf("a preview after the deploy changes %v: %v", p.Changes, p.Resources)
		}
	})

	t.Run("two deploys, rollback one, the earlier image running again", func(t *testing.T) {
		// Through the real conveyor command, on the ad-hoc local environment; what runs is
		// read from the harness's API server.
		const first, second = "ghcr.io/acme/quotes:3.0.0", "ghcr.io/acme/quotes:3.0.1"
		running := func(want string) {
			t.Helper()
			d, err := f.kube.Client.AppsV1().Deployments(naming.Namespace(alice, "sales")).Get(ctx, naming.Workload("quotes", "api"), metav1.GetOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got := d.Spec.Template.Spec.Containers[0].Image; got != want {
				t.Errorf("the live quotes api of %s runs %s, want %s", alice, got, want)
			}
		}
		c.mustConveyor(t, "deploy", "--env", alice, "--module", "quotes", "--image", first)
		c.mustConveyor(t, "deploy", "--env", alice, "--module", "quotes", "--image", second)
		running(second)
		out, code := c.conveyor(t, "rollback", "--env", alice, "--module", "quotes", "--json")
		if code != 0 {
			t.Fatalf("rollback: exit %d\n%s", code, out)
		}
		running(first)
		if p := ops[alice].preview(t); p.HasChanges() {
			t.Errorf("a preview after the rollback changes %v: %v", p.Changes, p.Resources)
		}
	})

	// The ad-hoc environment first: taking it down must leave local as it is.
	for _, env := range []string{alice, local} {
		t.Run("destroy "+env, func(t *testing.T) {
			ops[env].destroy(t)
			if left := f.labelled(t, env); len(left) > 0 {
				t.Errorf("after destroying %s, objects labelled with it are left:\n  %s", env, join(left))
			}
		})
	}
	if left := f.labelled(t, local); len(left) > 0 {
		t.Errorf("objects of %s outlive its destroy:\n  %s", local, join(left))
	}
}

// mustRun runs one engine operation, logs its summary and fails t if it failed.
func mustRun(t *testing.T, op, env string, run func() (*opsummary.Summary, error)) *opsummary.Summary {
	t.Helper()
	start := time.Now()
	s, err := run()
	if err != nil {
		if s != nil {
			t.Logf("%s of %s: %+v", op, env, s.Diagnostics)
		}
		t.Fatalf("%s of %s: %v", op, env, err)
	}
	t.Logf("%s of %s: %v in %s", op, env, s.Changes, time.Since(start).Round(100*time.Millisecond))
	return s
}

// renderedObjects are the Kubernetes objects an offline evaluation of env renders.
func renderedObjects(t *testing.T, f *fixture, env string) []kube.Object {
	t.Helper()
	return renderedObjectsOf(t, f, env, f.demoCatalog())
}

// renderedObjectsOf are the Kubernetes objects an offline evaluation of env renders with the
// catalog in the folder catalog.
func renderedObjectsOf(t *testing.T, f *fixture, env, catalog string) []kube.Object {
	t.Helper()
	rec, err := stacks.Evaluate(stacks.EvaluateOptions{Root: f.root, Stack: env, Config: config(catalog)})
	if err != nil {
		t.Fatal(err)
	}
	objects, err := kube.Objects(rec)
	if err != nil {
		t.Fatal(err)
	}
	return objects
}

// generations are the metadata.generation of env's workloads, which a change of their spec
// bumps.
func generations(t *testing.T, f *fixture, env string) map[harness.ObjectRef]int64 {
	t.Helper()
	ctx := t.Context()
	sel := metav1.ListOptions{LabelSelector: naming.LabelEnvironment + "=" + env}
	out := map[harness.ObjectRef]int64{}
	deployments, err := f.kube.Client.AppsV1().Deployments("").List(ctx, sel)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range deployments.Items {
		out[harness.Ref("Deployment", d.Namespace, d.Name)] = d.Generation
	}
	crons, err := f.kube.Client.BatchV1().CronJobs("").List(ctx, sel)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range crons.Items {
		out[harness.Ref("CronJob", c.Namespace, c.Name)] = c.Generation
	}
	return out
}
