package cli

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/status"
	"github.com/conveyor-paas/conveyor/tests/harness"
)

// component finds a component in a status document, failing the test when it is absent.
func component(t *testing.T, r status.Report, module, name string) status.Component {
	t.Helper()
	c, ok := r.Component(module, name)
	if !ok {
		t.Fatalf("the status has no %s/%s: %+v", module, name, r)
	}
	return c
}

func module(t *testing.T, r status.Report, name string) status.Module {
	t.Helper()
	for _, m := range r.Modules {
		if m.Name == name {
			return m
		}
	}
	t.Fatalf("the status has no module %s", name)
	return status.Module{}
}

// TestStatusAndLogsReadTheCluster deploys a local environment onto a real control plane
// and checks what `conveyor status` reads there: a healthy environment (a CronJob that has
// never run among it), and its logs; then a Deployment stuck on an image that does not exist
// and a Job that failed, then one module of it; and an environment on a cluster stack,
// reached through the kubeconfig that stack exports.
func TestStatusAndLogsReadTheCluster(t *testing.T) {
	kube := worldKube(t)
	t.Setenv("KUBECONFIG", kube.Kubeconfig)
	w := newWorld(t, kube)
	w.storage("local-status-postgres")
	const env = "local-status"
	w.must(ExitOK, "env", "create", env)
	w.configure(env, map[string]string{"conveyor:catalog": "catalog"})
	w.must(ExitOK, "up", "--env", env)
	w.deploy(env)

	t.Run("healthy", func(t *testing.T) { testHealthyStatus(t, w.in(t), env) })
	t.Run("logs", func(t *testing.T) { testLogs(t, w.in(t), env) })
	t.Run("a stuck Deployment and a failed Job", func(t *testing.T) { testDegradedStatus(t, w.in(t), env) })
	t.Run("an environment on a cluster stack", func(t *testing.T) { testClusterStackStatus(t, w.in(t), kube.Kubeconfig) })
}

// testHealthyStatus: a healthy environment, a CronJob that has never run among it.
func testHealthyStatus(t *testing.T, w *world, env string) {
	t.Helper()
	r := decode[status.Report](t, w.must(ExitOK, "status", "--env", env, "--watch", "--timeout", "4m", "--json"))
	text := w.must(ExitOK, "status", "--env", env)
	api := component(t, r, "orders", "api")
	migrate := component(t, r, "orders", "migrate")
	nightly := component(t, r, "orders", "nightly")
	handler := component(t, r, "billing", "handler")
	orders := module(t, r, "orders")
	runChecks(t, []check{
		{"the verdict", verdict{Healthy: true, Cluster: "kubeconfig context conveyor-test"}, verdictOf(r)},
		{"orders/api", rollout{State: status.Available, Workload: "Deployment orders-api", DesiredImage: "busybox:1.37.0",
			RunningImages: []string{"busybox:1.37.0"}, Ready: 1, Desired: 1}, rolloutOf(api)},
		{"orders/api's endpoint", &endpoint{URL: "http://orders-api.local-status-shop.svc.cluster.local:80", Ready: 1}, endpointOf(api.Endpoint)},
		{"orders/migrate, a Job that succeeded", jobRun{State: status.Succeeded, LastRun: status.Succeeded}, runOf(migrate)},
		{"orders/nightly, a CronJob that never ran", jobRun{State: status.Scheduled, NextRun: true}, runOf(nightly)},
		{"orders/nightly says it never ran", says("never run"), saysIn(nightly.Reason, "never run")},
		{"billing/handler, a handler, has no endpoint", (*endpoint)(nil), endpointOf(handler.Endpoint)},
		{"billing/handler's state", status.Available, handler.State},
		{"orders' database", []presence{{"local_status_orders", status.Exists}}, presencesOf(database(orders))},
		{"how orders' database was found", says("local-status-conveyor/orders-database-setup completed"),
			saysIn(howOf(orders.Database), "local-status-conveyor/orders-database-setup completed")},
		{"orders' topics", []presence{{"local-status.shop.orders.order-placed", status.Exists}}, presencesOf(orders.Topics)},
		{"billing's subscriptions", []string{status.Exists}, statesOf(presencesOf(module(t, r, "billing").Subscriptions))},
		{"the platform's services", 2, len(r.Platform)},
		{"the text", says("local-status is healthy", "shop/orders (namespace local-status-shop)", "nightly", "it has never run yet", "local_status_orders exists"),
			saysIn(text, "local-status is healthy", "shop/orders (namespace local-status-shop)", "nightly", "it has never run yet", "local_status_orders exists")},
	})
}

// testDegradedStatus: a Deployment stuck on an image that does not exist and a Job that
// failed; then one module of the environment.
func testDegradedStatus(t *testing.T, w *world, env string) {
	t.Helper()
	w.configure(env, map[string]string{
		"conveyor:images.orders.api":     harness.UnpullableImage("orders"),
		"conveyor:images.orders.migrate": harness.FailingImage("busybox"),
	})
	w.must(ExitOK, "up", "--env", env)
	w.deploy(env)
	out, stderr, code := w.run("status", "--env", env, "--watch", "--timeout", "4m", "--json")
	r := decode[status.Report](t, out)
	api := component(t, r, "orders", "api")
	migrate := component(t, r, "orders", "migrate")
	stderrSays := []string{"conveyor: local-status is degraded:", "orders/api: failed: pod orders-api-", "orders/migrate: failed: BackoffLimitExceeded"}
	one := decode[status.Report](t, w.must(ExitOK, "status", "--env", env, "--module", "billing", "--json"))
	runChecks(t, []check{
		{"the exit code", ExitFailed, code},
		{"the verdict", false, r.Healthy},
		{"orders/api, stuck on an image that does not exist", rollout{State: status.Failed, DesiredImage: harness.UnpullableImage("orders"),
			RunningImages: []string{"busybox:1.37.0"}}, imagesOf(api)},
		{"orders/api's reason", says("ImagePullBackOff", harness.UnpullableImage("orders")),
			saysIn(api.Reason, "ImagePullBackOff", harness.UnpullableImage("orders"))},
		{"orders/api's warning events have its pull failure", true, slices.ContainsFunc(api.Events, func(e status.Event) bool {
			return e.Reason == "Failed" && strings.HasPrefix(e.Object, "Pod orders-api-")
		})},
		{"orders/migrate, a failed Job", jobRun{State: status.Failed, LastRun: status.Failed}, runOf(migrate)},
		{"orders/migrate's reason", says("BackoffLimitExceeded", "exit code 1"), saysIn(migrate.Reason, "BackoffLimitExceeded", "exit code 1")},
		{"billing/handler, untouched", status.Available, component(t, r, "billing", "handler").State},
		{"standard error", says(stderrSays...), saysIn(stderr, stderrSays...)},
		{"status of billing alone", scope{Healthy: true, Modules: []string{"billing"}}, scopeOf(one)},
	})
	w.must(ExitUsage, "status", "--env", env, "--module", "nosuch")
}

// testClusterStackStatus: an environment on a cluster stack, reached through the kubeconfig
// that stack exports.
func testClusterStackStatus(t *testing.T, w *world, kubeconfigFile string) {
	t.Helper()
	kubeconfig := readFile(t, kubeconfigFile)
	w.must(ExitOK, "env", "create", "cluster-harness")
	w.setSecret("cluster-harness", "test:kubeconfig", kubeconfig)
	w.must(ExitOK, "up", "--env", "cluster-harness")
	// A long-lived environment: it reaches its cluster with the cluster stack's
	// kubeconfig. An ad-hoc one reads only its cluster's facts and authenticates as its
	// own identity (gke-gcloud-auth-plugin), which no test here holds.
	w.must(ExitOK, "env", "create", "dev")
	w.configure("dev", map[string]string{"conveyor:catalog": "catalog", "conveyor:cluster": "cluster-harness"})
	w.must(ExitOK, "up", "--env", "dev")
	w.deploy("dev")
	t.Setenv("KUBECONFIG", "/nonexistent") // only the cluster stack's kubeconfig can reach it
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", "/nonexistent")
	out, stderr, code := w.run("status", "--env", "dev", "--watch", "--timeout", "4m", "--json")
	if code != ExitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	r := decode[status.Report](t, out)
	credentials := []string{"PRIVATE KEY", "client-key-data"}
	runChecks(t, []check{
		{"the cluster", "cluster stack cluster-harness", r.Cluster},
		{"orders/api", status.Available, component(t, r, "orders", "api").State},
		// Without credentials the database is not checked, and said so.
		{"orders' database, not checked", []string{status.Unknown}, statesOf(presencesOf(database(module(t, r, "orders"))))},
		{"a note says what was not checked", true, len(r.Notes) > 0},
		{"the cluster's credentials in the report", says(), saysIn(out, credentials...)},
		{"the cluster's credentials on standard error", says(), saysIn(stderr, credentials...)},
	})
}

// check is one comparison of a scenario: its name, the value expected and the value found.
type check struct {
	name      string
	want, got any
}

// runChecks runs each check as a subtest of its own, so that a failure names the check.
func runChecks(t *testing.T, checks []check) {
	t.Helper()
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if diff := cmp.Diff(c.want, c.got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// says is the set of phrases a text is expected to contain; saysIn those of phrases it does.
func says(phrases ...string) []string { return phrases }

func saysIn(text string, phrases ...string) []string {
	var found []string
	for _, p := range phrases {
		if strings.Contains(text, p) {
			found = append(found, p)
		}
	}
	return found
}

// verdict is what a report says of the whole environment.
type verdict struct {
	Healthy  bool
	Cluster  string
	Problems []string
}

func verdictOf(r status.Report) verdict {
	return verdict{Healthy: r.Healthy, Cluster: r.Cluster, Problems: r.Problems}
}

// scope is what a report covers: its modules, and how many platform services.
type scope struct {
	Healthy  bool
	Modules  []string
	Platform int
}

func scopeOf(r status.Report) scope {
	s := scope{Healthy: r.Healthy, Platform: len(r.Platform)}
	for _, m := range r.Modules {
		s.Modules = append(s.Modules, m.Name)
	}
	return s
}

// rollout is what a component's rollout is checked by.
type rollout struct {
	State, Workload, DesiredImage string
	RunningImages                 []string
	Ready, Desired                int
}

func rolloutOf(c status.Component) rollout {
	return rollout{State: c.State, Workload: c.Workload, DesiredImage: c.DesiredImage, RunningImages: c.RunningImages, Ready: c.Ready, Desired: c.Desired}
}

// imagesOf is a component's rollout by its state and images alone.
func imagesOf(c status.Component) rollout {
	return rollout{State: c.State, DesiredImage: c.DesiredImage, RunningImages: c.RunningImages}
}

// jobRun is a job's or cron's state, the outcome of its last run ("" if none) and whether it has
// a next one.
type jobRun struct {
	State, LastRun string
	NextRun        bool
}

func runOf(c status.Component) jobRun {
	r := jobRun{State: c.State, NextRun: c.NextRun != nil}
	if c.LastRun != nil {
		r.LastRun = c.LastRun.Outcome
	}
	return r
}

// endpoint is an api's endpoint by its URL and ready pods.
type endpoint struct {
	URL   string
	Ready int
}

func endpointOf(e *status.Endpoint) *endpoint {
	if e == nil {
		return nil
	}
	return &endpoint{URL: e.URL, Ready: e.Ready}
}

// presence is a database's, topic's or subscription's name and state.
type presence struct{ Name, State string }

func presencesOf(ps []status.Presence) []presence {
	var out []presence
	for _, p := range ps {
		out = append(out, presence{p.Name, p.State})
	}
	return out
}

func statesOf(ps []presence) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.State)
	}
	return out
}

// database is a module's database as a list: none, or one.
func database(m status.Module) []status.Presence {
	if m.Database == nil {
		return nil
	}
	return []status.Presence{*m.Database}
}

func howOf(p *status.Presence) string {
	if p == nil {
		return ""
	}
	return p.How
}
