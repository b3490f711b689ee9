package cli

import (
	"slices"
	"strings"
	"testing"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/status"
	"github.com/conveyor-paas/conveyor/tests/harness"
)

// component finds a component in a status document, failing the test when it is absent.
func component(t *testing.T, r status.Report, module, name string) status.Component {
	t.Helper()
	for _, m := range r.Modules {
		for _, c := range m.Components {
			if m.Name == module && c.Name == name {
				return c
			}
		}
	}
	t.Fatalf("the status has no %s/%s: %+v", module, name, r)
	return status.Component{}
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

	t.Run("healthy", func(t *testing.T) {
		w := w.in(t)
		out := w.must(ExitOK, "status", "--env", env, "--watch", "--timeout", "4m", "--json")
		r := decode[status.Report](t, out)
		if !r.Healthy || len(r.Problems) != 0 || r.Cluster != "kubeconfig context conveyor-test" {
			t.Fatalf("healthy = %v, problems %v, cluster %q", r.Healthy, r.Problems, r.Cluster)
		}
		api := component(t, r, "orders", "api")
		if api.State != status.Available || api.Ready != 1 || api.Desired != 1 || api.DesiredImage != "busybox:1.37.0" ||
			!slices.Equal(api.RunningImages, []string{"busybox:1.37.0"}) || api.Workload != "Deployment orders-api" {
			t.Errorf("orders/api: %+v", api)
		}
		if api.Endpoint == nil || api.Endpoint.URL != "http://orders-api.local-status-shop.svc.cluster.local:80" || api.Endpoint.Ready != 1 {
			t.Errorf("orders/api endpoint: %+v", api.Endpoint)
		}
		if migrate := component(t, r, "orders", "migrate"); migrate.State != status.Succeeded || migrate.LastRun == nil || migrate.LastRun.Outcome != status.Succeeded {
			t.Errorf("orders/migrate: %+v", migrate)
		}
		nightly := component(t, r, "orders", "nightly")
		if nightly.State != status.Scheduled || nightly.LastRun != nil || nightly.NextRun == nil || !strings.Contains(nightly.Reason, "never run") {
			t.Errorf("orders/nightly, a CronJob that never ran: %+v", nightly)
		}
		if h := component(t, r, "billing", "handler"); h.State != status.Available || h.Endpoint != nil {
			t.Errorf("billing/handler: %+v", h)
		}
		orders := module(t, r, "orders")
		if orders.Database == nil || orders.Database.Name != "local_status_orders" || orders.Database.State != status.Exists ||
			!strings.Contains(orders.Database.How, "local-status-conveyor/orders-database-setup completed") {
			t.Errorf("orders' database: %+v", orders.Database)
		}
		if len(orders.Topics) != 1 || orders.Topics[0].Name != "local-status.shop.orders.order-placed" || orders.Topics[0].State != status.Exists {
			t.Errorf("orders' topics: %+v", orders.Topics)
		}
		if subs := module(t, r, "billing").Subscriptions; len(subs) != 1 || subs[0].State != status.Exists {
			t.Errorf("billing's subscriptions: %+v", subs)
		}
		if len(r.Platform) != 2 {
			t.Errorf("the platform: %+v", r.Platform)
		}

		text := w.must(ExitOK, "status", "--env", env)
		for _, want := range []string{"local-status is healthy", "shop/orders (namespace local-status-shop)", "nightly", "it has never run yet", "local_status_orders exists"} {
			if !strings.Contains(text, want) {
				t.Errorf("the text lacks %q:\n%s", want, text)
			}
		}
	})

	t.Run("logs", func(t *testing.T) { testLogs(t, w.in(t), env) })

	t.Run("a stuck Deployment and a failed Job", func(t *testing.T) {
		w := w.in(t)
		w.configure(env, map[string]string{
			"conveyor:images.orders.api":     harness.UnpullableImage("orders"),
			"conveyor:images.orders.migrate": harness.FailingImage("busybox"),
		})
		w.must(ExitOK, "up", "--env", env)
		w.deploy(env)
		out, stderr, code := w.run("status", "--env", env, "--watch", "--timeout", "4m", "--json")
		if code != ExitFailed {
			t.Fatalf("exit %d, want %d", code, ExitFailed)
		}
		r := decode[status.Report](t, out)
		api := component(t, r, "orders", "api")
		if api.State != status.Failed || !strings.Contains(api.Reason, "ImagePullBackOff") || !strings.Contains(api.Reason, harness.UnpullableImage("orders")) ||
			api.DesiredImage != harness.UnpullableImage("orders") || !slices.Equal(api.RunningImages, []string{"busybox:1.37.0"}) {
			t.Errorf("orders/api, stuck on an image that does not exist: %+v", api)
		}
		if !slices.ContainsFunc(api.Events, func(e status.Event) bool {
			return e.Reason == "Failed" && strings.HasPrefix(e.Object, "Pod orders-api-")
		}) {
			t.Errorf("orders/api has no pull failure among its warning events: %+v", api.Events)
		}
		migrate := component(t, r, "orders", "migrate")
		if migrate.State != status.Failed || !strings.Contains(migrate.Reason, "BackoffLimitExceeded") || !strings.Contains(migrate.Reason, "exit code 1") ||
			migrate.LastRun == nil || migrate.LastRun.Outcome != status.Failed {
			t.Errorf("orders/migrate, a failed Job: %+v", migrate)
		}
		for _, want := range []string{"conveyor: local-status is degraded:", "orders/api: failed: pod orders-api-", "orders/migrate: failed: BackoffLimitExceeded"} {
			if !strings.Contains(stderr, want) {
				t.Errorf("standard error lacks %q:\n%s", want, stderr)
			}
		}
		if r.Healthy || component(t, r, "billing", "handler").State != status.Available {
			t.Errorf("the report: %+v", r)
		}

		one := decode[status.Report](t, w.must(ExitOK, "status", "--env", env, "--module", "billing", "--json"))
		if len(one.Modules) != 1 || one.Modules[0].Name != "billing" || !one.Healthy || len(one.Platform) != 0 {
			t.Errorf("status of billing alone: %+v", one)
		}
		w.must(ExitUsage, "status", "--env", env, "--module", "nosuch")
	})

	t.Run("an environment on a cluster stack", func(t *testing.T) {
		w := w.in(t)
		kubeconfig := readFile(t, kube.Kubeconfig)
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
		if r.Cluster != "cluster stack cluster-harness" || component(t, r, "orders", "api").State != status.Available {
			t.Errorf("the report: %+v", r)
		}
		db := module(t, r, "orders").Database
		if db == nil || db.State != status.Unknown || len(r.Notes) == 0 {
			t.Errorf("without credentials the database is not checked, and said so: %+v, notes %v", db, r.Notes)
		}
		for _, text := range []string{out, stderr} {
			if strings.Contains(text, "PRIVATE KEY") || strings.Contains(text, "client-key-data") {
				t.Errorf("the cluster's credentials leaked into the output:\n%s", text)
			}
		}
	})
}
