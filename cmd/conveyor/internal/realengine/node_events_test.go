package realengine

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/conveyor-paas/conveyor/naming"
)

// The event of twoEnvsCatalog: orders publishes it, billing's handler consumes it.
const (
	orderPlaced = "order-placed"
	invoicer    = "invoicer"
)

// eventsStayInTheirEnvironment publishes an order-placed event from orders' pod in each of
// two environments deployed from twoEnvsCatalog, through the emulator, as orders' code would
// (the test service's /publish, to the topic in $CONVEYOR_TOPIC_ORDER_PLACED), and reads what
// billing's handler in each pulled from its subscription (/received). Each handler receives
// its own environment's event exactly once, and never the other's: here's is published
// first, and there's handler must have pulled it by the time it has its own.
func eventsStayInTheirEnvironment(t *testing.T, f *fixture, here, there string) {
	t.Helper()
	stamp := time.Now().UTC().Format(time.RFC3339Nano)
	type side struct {
		env, ns     string
		orders, bil string // pod names
		data        string // the event each publishes
	}
	var sides []side
	for _, env := range []string{here, there} {
		ns := naming.Namespace(env, "shop")
		sides = append(sides, side{
			env: env, ns: ns,
			orders: readyPod(t, f, ns, "orders").Name,
			bil:    readyComponentPod(t, f, ns, "billing", invoicer).Name,
			data:   fmt.Sprintf("order placed in %s at %s", env, stamp),
		})
	}
	for _, s := range sides {
		var published string
		err := poll(t.Context(), time.Minute, func(ctx context.Context) bool {
			answer, err := f.kube.Publish(ctx, s.ns, s.orders, orderPlaced, s.data)
			published = answer
			if err != nil {
				published = err.Error()
			}
			return err == nil
		})
		if err != nil {
			t.Fatalf("publishing from %s/%s: %s", s.ns, s.orders, published)
		}
		topic := naming.Topic(s.env, "shop", "orders", orderPlaced)
		if !strings.Contains(published, " to "+topic) {
			t.Errorf("published from %s/%s: %q, want it on %s", s.ns, s.orders, published, topic)
		}
		// Exactly its own event, once, on its own subscription.
		want := naming.Subscription(s.env, "shop", "billing", "shop", "orders", orderPlaced) + " " + s.data + "\n"
		var got string
		err = poll(t.Context(), time.Minute, func(ctx context.Context) bool {
			answer, err := f.kube.Received(ctx, s.ns, s.bil)
			got = answer
			if err != nil {
				got = err.Error()
			}
			return err == nil && answer != ""
		})
		if err != nil || got != want {
			t.Errorf("billing's %s in %s received %q, want only %q", invoicer, s.env, got, want)
		}
	}
}
