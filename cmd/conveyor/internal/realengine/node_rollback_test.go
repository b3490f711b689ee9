package realengine

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/cli"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackopstest"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/status"
	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/tests/harness"
)

// rollbackCatalog is one module whose api is the test service, and nothing else: the story
// is its image.
var rollbackCatalog = map[string]string{
	"shop/space.conveyor.yaml": `space: shop
team: shop@example.com
mesh: false
`,
	"shop/orders.conveyor.yaml": `module: orders
space: shop
` + testServiceAPI,
}

// crashingDeployBound is how long the deploy of an image that crashes may take: the rollout
// deadline of an ad-hoc environment's Deployment (three minutes, components'
// adHocRolloutDeadline) and the engine's own work around it, well short of the ten minutes
// the kubernetes provider waits on a Deployment by default.
const crashingDeployBound = 7 * time.Minute

// TestCrashingDeployOnANode deploys, with the real command onto a node that runs it, an image
// that exits as soon as it starts (harness.CrashingImage), and follows what a team sees: the
// deploy fails, stopped by the command once the new pod has crash-looped for a minute, before
// the rollout deadline and the provider's ten minutes, saying why;
// `conveyor status` reports the api failing with the pod's reason (its crash loop and how
// its last run ended) while the earlier image's pod still serves; `conveyor rollback` to the
// update before the crash brings Ready pods of the earlier image back, and `status` says the
// module is healthy again. Rollback without --to is refused after a failed deploy, a known
// defect of stackops that its subtest names and skips on.
func TestCrashingDeployOnANode(t *testing.T) {
	f := setupNode(t)
	c := f.newClone(t, stackopstest.NewEnv(t), nil)
	const env, module = "local-crash", "orders"
	catalog := filepath.Join(t.TempDir(), "catalog")
	writeFiles(t, catalog, rollbackCatalog)
	c.configure(t, env, catalog)
	ns := naming.Namespace(env, "shop")
	var printed bytes.Buffer

	c.mustConveyor(t, "up", "--env", env)
	// Deferred rather than a cleanup, which runs when the test's context, that the command
	// runs under, is already canceled.
	defer c.mustConveyor(t, "destroy", "--env", env, "--confirm", env)
	earlier := readyPod(t, f, ns, module)

	t.Run("the deploy of an image that crashes fails by the rollout deadline, saying why", func(t *testing.T) {
		start := time.Now()
		out, code := runConveyor(t, c, &printed, "", "deploy", "--env", env, "--module", module, "--image", harness.CrashingImage)
		took := time.Since(start)
		t.Logf("the deploy of the crashing image took %s:\n%s", took.Round(time.Second), out)
		if code != cli.ExitFailed {
			t.Errorf("deploy of %s: exit %d, want %d", harness.CrashingImage, code, cli.ExitFailed)
		}
		if took > crashingDeployBound {
			t.Errorf("deploy of %s took %s, want it to give up within %s", harness.CrashingImage, took.Round(time.Second), crashingDeployBound)
		}
		// "crash-looping" is the command's own word (stackops' crash-loop watch), which stops
		// the update a minute into the crash loop rather than at the rollout deadline.
		for _, want := range []string{naming.Workload(module, "api"), "CrashLoopBackOff", "crash-looping"} {
			if !strings.Contains(out, want) {
				t.Errorf("the deploy's output does not name %q:\n%s", want, out)
			}
		}
	})

	t.Run("status reports the api failing with the pod's reason, the earlier image still serving", func(t *testing.T) {
		var api status.Component
		var code int
		// A crash-looping container is briefly running, then terminated, between its
		// back-offs: the reason names the crash loop most of the time, not at every instant.
		err := poll(t.Context(), 2*time.Minute, func(context.Context) bool {
			var r status.Report
			r, code = statusOf(t, c, env)
			api = componentOf(t, r, module, "api")
			return strings.Contains(api.Reason, "CrashLoopBackOff")
		})
		if err != nil || code != cli.ExitFailed || api.State != status.Failed || !strings.Contains(api.Reason, "its last run exited 3 (Error)") ||
			api.ClusterImage != harness.CrashingImage || !slices.Equal(api.RunningImages, []string{harness.TestServiceImage}) {
			t.Errorf("status: exit %d (want %d), orders/api %+v; want failed in CrashLoopBackOff, its last run exited 3, the cluster asking for %s while %s serves",
				code, cli.ExitFailed, api, harness.CrashingImage, harness.TestServiceImage)
		}
		still, err := f.kube.Client.CoreV1().Pods(ns).Get(t.Context(), earlier.Name, metav1.GetOptions{})
		if err != nil || !ready(still) {
			t.Errorf("the earlier image's pod %s stopped serving during the crashing rollout: %v", earlier.Name, err)
		}
	})

	t.Run("rollback with no update named undoes the failed deploy", func(t *testing.T) {
		out, code := runConveyor(t, c, &printed, "", "rollback", "--env", env, "--module", module)
		if code != 0 {
			t.Errorf("rollback: exit %d\n%s", code, out)
		}
	})

	t.Run("rollback to the update before the crash brings Ready pods of the earlier image back, and status says so", func(t *testing.T) {
		before := lastSucceeded(t, c, env)
		if out, code := runConveyor(t, c, &printed, "", "rollback", "--env", env, "--module", module, "--to", strconv.Itoa(before)); code != 0 {
			t.Fatalf("rollback --to %d: exit %d\n%s", before, code, out)
		}
		var r status.Report
		var code int
		var pods []string
		err := poll(t.Context(), 3*time.Minute, func(ctx context.Context) bool {
			r, code = statusOf(t, c, env)
			pods = podsOf(ctx, t, f, ns, module)
			return code == 0
		})
		api := componentOf(t, r, module, "api")
		if err != nil || !r.Healthy || api.State != status.Available || api.ClusterImage != harness.TestServiceImage ||
			!slices.Equal(api.RunningImages, []string{harness.TestServiceImage}) {
			t.Errorf("status after the rollback: exit %d, healthy %v, problems %v, orders/api %+v; want it available on %s",
				code, r.Healthy, r.Problems, api, harness.TestServiceImage)
		}
		for _, p := range pods {
			if !strings.HasSuffix(p, " Ready "+harness.TestServiceImage) {
				t.Errorf("after the rollback, pod %s; want every pod of %s Ready on %s", p, module, harness.TestServiceImage)
			}
		}
	})
}

// lastSucceeded is the number of env's newest successful update, from `conveyor history`.
func lastSucceeded(t *testing.T, c *clone, env string) int {
	t.Helper()
	out, code := c.conveyor(t, "history", "--env", env, "--json")
	var entries []stackops.HistoryEntry
	if err := json.Unmarshal([]byte(out), &entries); err != nil || code != 0 {
		t.Fatalf("conveyor history --json: exit %d, %v\n%s", code, err, out)
	}
	for _, e := range entries { // newest first
		if e.Kind == "update" && e.Result == "succeeded" {
			return e.Version
		}
	}
	t.Fatalf("%s has no successful update: %+v", env, entries)
	return 0
}

// statusOf runs `conveyor status --json` once and returns its report and exit code.
func statusOf(t *testing.T, c *clone, env string) (status.Report, int) {
	t.Helper()
	out, code := c.conveyor(t, "status", "--env", env, "--json")
	var r status.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("conveyor status --json: exit %d, %v\n%s", code, err, out)
	}
	return r, code
}

// componentOf finds a component in a status report, failing the test when it is absent.
func componentOf(t *testing.T, r status.Report, module, name string) status.Component {
	t.Helper()
	c, ok := r.Component(module, name)
	if !ok {
		t.Fatalf("the status has no %s/%s: %+v", module, name, r)
	}
	return c
}

// podsOf describes every pod of module's api in ns that is not being deleted: "name Ready
// image", or "name <why not ready> image".
func podsOf(ctx context.Context, t *testing.T, f *fixture, ns, module string) []string {
	t.Helper()
	pods, err := f.kube.Client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: naming.LabelModule + "=" + module})
	if err != nil {
		return []string{err.Error()}
	}
	var out []string
	for i := range pods.Items {
		p := &pods.Items[i]
		if p.DeletionTimestamp != nil {
			continue
		}
		state := "Ready"
		if !ready(p) {
			state = "not Ready (" + waiting(p) + ")"
		}
		out = append(out, p.Name+" "+state+" "+p.Spec.Containers[0].Image)
	}
	return out
}
