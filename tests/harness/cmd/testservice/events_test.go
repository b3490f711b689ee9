package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/tests/harness"
)

// TestEventsThroughTheEmulator publishes with /publish and receives with a consumer, through
// a real emulator, under the variables Conveyor sets: what the node's tests rely on the test
// service for, seen without a node. A subscription of another topic receives nothing.
func TestEventsThroughTheEmulator(t *testing.T) {
	ps := harness.PubSubForTest(t)
	api := "http://" + ps.Host + "/v1/projects/" + ps.Project
	put := func(path, body string) {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPut, api+"/"+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("PUT %s: %s", path, resp.Status)
		}
	}
	for _, topic := range []string{"placed", "other"} {
		put("topics/"+topic, "{}")
		put("subscriptions/"+topic+"-sub", `{"topic": "projects/`+ps.Project+`/topics/`+topic+`"}`)
	}
	t.Setenv(naming.EnvPubSubEmulator, ps.Host)
	t.Setenv(naming.EnvProject, ps.Project)
	t.Setenv(naming.TopicEnvVar("order-placed"), "placed")
	t.Setenv(naming.SubscriptionEnvVar("orders", "order-placed"), "placed-sub")
	t.Setenv(naming.SubscriptionEnvVar("orders", "other"), "other-sub")

	get := func(h http.HandlerFunc, target string) (int, string) {
		rec := httptest.NewRecorder()
		h(rec, httptest.NewRequest(http.MethodGet, target, nil))
		body, _ := io.ReadAll(rec.Result().Body)
		return rec.Code, string(body)
	}
	if code, body := get(publish, "/publish?event=order-placed&data=order+42"); code != http.StatusOK || !strings.Contains(body, "to placed") {
		t.Fatalf("/publish: %d %q, want 200 published … to placed", code, body)
	}
	if code, body := get(publish, "/publish?event=order-shipped&data=x"); code != http.StatusNotFound {
		t.Errorf("/publish of an event the module does not publish: %d %q, want 404", code, body)
	}

	var in inbox
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	if got := subscriptions(); strings.Join(got, " ") != "other-sub placed-sub" {
		t.Fatalf("subscriptions() = %q, want [other-sub placed-sub]", got)
	}
	for _, sub := range subscriptions() {
		go in.consume(ctx, emulator(), sub)
	}
	const want = "placed-sub order 42\n"
	deadline := time.Now().Add(30 * time.Second)
	var got string
	for time.Now().Before(deadline) {
		if _, got = get(in.serve, "/received"); got != "" {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(2 * pullPause) // long enough for a second delivery, or one to other-sub, to show
	if _, got = get(in.serve, "/received"); got != want {
		t.Errorf("/received = %q, want %q", got, want)
	}
}
