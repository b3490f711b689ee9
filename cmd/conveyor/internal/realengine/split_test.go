package realengine

import (
	"encoding/json"
	"os"
	"slices"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/opsummary"
	"github.com/conveyor-paas/conveyor/naming"
)

// TestSplitMovesNothingLive: a deployed local environment of two modules is split into its
// base and a stack per module (`conveyor env split`, pulumi state move). Afterwards a preview
// of the base and of each module stack creates, replaces and deletes nothing, no live object
// was recreated (their UIDs are the same), and a second split moves nothing. Then a deploy
// of one module runs on its stack alone and leaves the other module's stack as it was, two
// deploys of different modules started together both succeed and neither waits on a lock,
// and `up` of the environment updates the base and every module stack. A destroy of the
// environment destroys the module stacks, then the base.
func TestSplitMovesNothingLive(t *testing.T) {
	f := setup(t)
	const env = "local-split"
	c, _ := twoModulesDeployed(t, f, env)
	before := liveUIDs(t, f, env)
	if len(before) < 10 {
		t.Fatalf("only %d live objects of %s: %v", len(before), env, before)
	}

	out, code := c.conveyor(t, "env", "split", "--env", env, "--json")
	if code != 0 {
		t.Fatalf("env split: exit %d", code)
	}
	var res struct{ Moved, Already []string }
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("env split --json: %v\n%s", err, out)
	}
	modules := []string{"claims", "quotes"}
	if got := slices.Sorted(slices.Values(res.Moved)); !slices.Equal(got, modules) {
		t.Fatalf("env split moved %v, want %v", res.Moved, modules)
	}

	t.Run("every stack previews no change", func(t *testing.T) {
		for _, stack := range []string{env, naming.ModuleStack(env, "claims"), naming.ModuleStack(env, "quotes")} {
			s := c.mustConveyor(t, "preview", "--env", stack, "--always-run-engine")
			for _, op := range []string{"create", "replace", "create-replacement", "delete-replaced", "delete"} {
				if s.Changes[op] != 0 {
					t.Errorf("preview of %s after the split: %d to %s: %v", stack, s.Changes[op], op, changing(s))
				}
			}
			if s.Changes["update"] != 0 {
				t.Errorf("preview of %s after the split updates %d: %v", stack, s.Changes["update"], changing(s))
			}
		}
		if diff := cmp.Diff(before, liveUIDs(t, f, env)); diff != "" {
			t.Errorf("live objects after the split (-before +after):\n%s", diff)
		}
	})

	t.Run("a second split moves nothing", func(t *testing.T) {
		out, code := c.conveyor(t, "env", "split", "--env", env, "--json")
		if code != 0 {
			t.Fatalf("env split again: exit %d", code)
		}
		var again struct{ Moved, Already []string }
		if err := json.Unmarshal([]byte(out), &again); err != nil {
			t.Fatal(err)
		}
		if len(again.Moved) != 0 || !slices.Equal(slices.Sorted(slices.Values(again.Already)), modules) {
			t.Errorf("second split: moved %v, already %v; want none moved, %v already", again.Moved, again.Already, modules)
		}
	})

	claimsState := c.checkpointFile(naming.ModuleStack(env, "claims"))
	t.Run("a deploy runs on its module's stack alone", func(t *testing.T) {
		kept, err := os.ReadFile(claimsState)
		if err != nil {
			t.Fatal(err)
		}
		s := c.mustConveyor(t, "deploy", "--env", env, "--module", "quotes", "--image", "ghcr.io/stefanprodan/podinfo:6.7.0")
		if s.Environment != naming.ModuleStack(env, "quotes") || len(s.Targets) != 0 {
			t.Errorf("the deploy ran on %s with targets %v, want %s untargeted", s.Environment, s.Targets, naming.ModuleStack(env, "quotes"))
		}
		if image := deploymentImage(t, f, env, "sales", "quotes"); image != "ghcr.io/stefanprodan/podinfo:6.7.0" {
			t.Errorf("quotes runs %s after its deploy", image)
		}
		if now, err := os.ReadFile(claimsState); err != nil || string(now) != string(kept) {
			t.Errorf("the state of %s changed with a deploy of quotes (%v)", naming.ModuleStack(env, "claims"), err)
		}
	})

	t.Run("deploys of two modules do not wait on each other", func(t *testing.T) {
		var wg sync.WaitGroup
		summaries := make([]*opsummary.Summary, 2)
		for i, d := range []struct{ module, image string }{
			{"quotes", "ghcr.io/stefanprodan/podinfo:6.7.1"},
			{"claims", "ghcr.io/acme/claims:1.0.1"},
		} {
			wg.Go(func() {
				summaries[i] = c.mustConveyor(t, "deploy", "--env", env, "--module", d.module, "--image", d.image)
			})
		}
		wg.Wait()
		for _, s := range summaries {
			if s.LockRetries != 0 {
				t.Errorf("the deploy on %s waited %d times for a lock", s.Environment, s.LockRetries)
			}
		}
	})

	t.Run("up updates the base and every module stack", func(t *testing.T) {
		c.mustConveyor(t, "up", "--env", env, "--always-run-engine")
		if image := deploymentImage(t, f, env, "sales", "quotes"); image != "ghcr.io/stefanprodan/podinfo:6.7.1" {
			t.Errorf("quotes runs %s after up: up rolled its deploy back", image)
		}
	})

	t.Run("destroy removes the module stacks' resources, then the base's", func(t *testing.T) {
		c.mustConveyor(t, "destroy", "--env", env, "--confirm", env)
		if left := f.labelled(t, env); len(left) > 0 {
			t.Errorf("left after destroying %s:\n  %s", env, join(left))
		}
		for _, m := range modules {
			if n := stateResources(t, c.checkpointFile(naming.ModuleStack(env, m))); n != 0 {
				t.Errorf("%s still holds %d resources after the destroy of %s", naming.ModuleStack(env, m), n, env)
			}
		}
	})
}

// stateResources counts the resources of a checkpoint file.
func stateResources(t *testing.T, path string) int {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cp struct {
		Checkpoint struct {
			Latest struct {
				Resources []json.RawMessage `json:"resources"`
			} `json:"latest"`
		} `json:"checkpoint"`
	}
	if err := json.Unmarshal(data, &cp); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return len(cp.Checkpoint.Latest.Resources)
}

// liveUIDs are the UIDs of env's live objects of the kinds a module and its base are made
// of, by kind, namespace and name.
func liveUIDs(t *testing.T, f *fixture, env string) map[string]string {
	t.Helper()
	ctx, sel := t.Context(), metav1.ListOptions{LabelSelector: naming.LabelEnvironment + "=" + env}
	out := map[string]string{}
	add := func(kind string, items []metav1.ObjectMeta) {
		for _, m := range items {
			out[kind+" "+m.Namespace+"/"+m.Name] = string(m.UID)
		}
	}
	client := f.kube.Client
	ns, err := client.CoreV1().Namespaces().List(ctx, sel)
	if err != nil {
		t.Fatal(err)
	}
	var metas []metav1.ObjectMeta
	for _, o := range ns.Items {
		metas = append(metas, o.ObjectMeta)
	}
	add("Namespace", metas)
	metas = nil
	deps, err := client.AppsV1().Deployments("").List(ctx, sel)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range deps.Items {
		metas = append(metas, o.ObjectMeta)
	}
	add("Deployment", metas)
	metas = nil
	secrets, err := client.CoreV1().Secrets("").List(ctx, sel)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range secrets.Items {
		metas = append(metas, o.ObjectMeta)
	}
	add("Secret", metas)
	metas = nil
	svcs, err := client.CoreV1().Services("").List(ctx, sel)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range svcs.Items {
		metas = append(metas, o.ObjectMeta)
	}
	add("Service", metas)
	metas = nil
	jobs, err := client.BatchV1().Jobs("").List(ctx, sel)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range jobs.Items {
		metas = append(metas, o.ObjectMeta)
	}
	add("Job", metas)
	return out
}

// deploymentImage is the image of module's api in space of env, as the cluster runs it.
func deploymentImage(t *testing.T, f *fixture, env, space, module string) string {
	t.Helper()
	d, err := f.kube.Client.AppsV1().Deployments(naming.Namespace(env, space)).Get(t.Context(), naming.Workload(module, "api"), metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return d.Spec.Template.Spec.Containers[0].Image
}

// changing lists what a summary changes, for a failure's message.
func changing(s *opsummary.Summary) []string {
	var out []string
	for _, r := range s.Resources {
		out = append(out, r.Op+" "+r.URN)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
