package realengine

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackopstest"
	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/tests/harness"
)

// twoEnvsCatalog has two modules with a database each, whose apis are the test service: the
// pod of orders is the one that tries what its credentials and its network let it open. Orders
// publishes an event that billing's handler, the test service too, consumes.
var twoEnvsCatalog = map[string]string{
	"shop/space.conveyor.yaml": `space: shop
team: shop@example.com
mesh: false
`,
	"shop/orders.conveyor.yaml": `module: orders
space: shop
database: true
publishes: [` + orderPlaced + `]
` + testServiceAPI,
	"shop/billing.conveyor.yaml": `module: billing
space: shop
database: true
consumes: [orders.` + orderPlaced + `]
` + testServiceAPI + `  ` + invoicer + `:
    kind: handler
    image: ` + harness.TestServiceImage + `
    handles: [orders.` + orderPlaced + `]
`,
}

// TestTwoEnvironmentsOnANode deploys `local` and `local-south` side by side on one node, with
// the real command, and proves their walls from inside a pod of local's orders, with its own
// credentials: they open its own database and no other, neither billing's beside it on the
// same server nor its namesake's on local-south's server; and with the NetworkPolicy agent
// running, local-south's PostgreSQL gets no answer from it at all. Every connection that is
// to be dropped is first seen connecting with the agent stopped, so that a probe that cannot
// connect at all proves nothing. With the agent still running, an event orders publishes
// reaches billing's handler in its own environment and never the other's
// (eventsStayInTheirEnvironment).
func TestTwoEnvironmentsOnANode(t *testing.T) {
	f := setupNode(t)
	c := f.newClone(t, stackopstest.NewEnv(t), nil)
	const here, there = "local", "local-south"
	catalog := filepath.Join(t.TempDir(), "catalog")
	writeFiles(t, catalog, twoEnvsCatalog)
	for _, env := range []string{here, there} {
		c.configure(t, env, catalog)
		c.mustConveyor(t, "up", "--env", env)
		// Deferred rather than a cleanup, which runs when the test's context, that the
		// command runs under, is already canceled.
		defer c.mustConveyor(t, "destroy", "--env", env, "--confirm", env)
	}
	ns := naming.Namespace(here, "shop")
	orders := readyPod(t, f, ns, "orders")
	postgres := func(env string) string {
		return naming.ServiceHost(naming.LocalPostgres(), naming.PlatformNamespace(env)) + ":5432"
	}
	opened := func(database string) string {
		return "opened " + database + " as " + naming.DatabaseUser(here, "orders")
	}

	// Each row is tried from orders' pod in local, as what its code would do.
	type row struct {
		name           string
		database, host string // "" for the pod's own
		want           string // in the answer or its error
	}
	credentials := []row{
		{"its own database", "", "", opened(naming.Database(here, "orders"))},
		{"billing's database on the same server", naming.Database(here, "billing"), "", "permission denied"},
		{"local-south's orders database, on local-south's server", naming.Database(there, "orders"), postgres(there), "password authentication failed"},
	}
	open := func(t *testing.T, r row) {
		t.Helper()
		var got string
		err := poll(t.Context(), time.Minute, func(ctx context.Context) bool {
			answer, err := f.kube.OpenDatabase(ctx, ns, orders.Name, r.database, r.host)
			if err != nil {
				answer = err.Error()
			}
			got = answer
			return strings.Contains(answer, r.want)
		})
		if err != nil {
			t.Errorf("opening %s from pod %s/%s: %q, want %q", r.name, ns, orders.Name, got, r.want)
		}
	}
	for _, r := range credentials {
		t.Run("the module's credentials open: "+r.name, func(t *testing.T) { open(t, r) })
	}

	const dropped = "no answer within"
	t.Run("without the agent, local-south's PostgreSQL is reachable", func(t *testing.T) {
		expectProbe(t, f, ns, orders.Name, postgres(there), "connected")
	})
	if err := f.kube.StartNetworkPolicies(t.Context()); err != nil {
		t.Fatal(err)
	}
	// Stopped before the destroys (deferred calls run last-in first-out), so that the node
	// the other tests share forwards every connection again.
	defer func() {
		if err := f.kube.StopNetworkPolicies(); err != nil {
			t.Error(err)
		}
	}()
	t.Run("enforced: local-south's PostgreSQL gets no answer", func(t *testing.T) {
		expectProbe(t, f, ns, orders.Name, postgres(there), dropped)
		open(t, row{"local-south's orders database, on local-south's server", naming.Database(there, "orders"), postgres(there), dropped})
	})
	t.Run("enforced: its own database still opens", func(t *testing.T) { open(t, credentials[0]) })
	t.Run("enforced: events reach their consumer in their own environment only", func(t *testing.T) {
		eventsStayInTheirEnvironment(t, f, here, there)
	})
}
