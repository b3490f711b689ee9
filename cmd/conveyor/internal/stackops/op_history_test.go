package stackops_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackopstest"
)

// TestHistoryAndRollback deploys twice, rolls one module back, then the whole environment,
// with the real CLI, and reads the images each update ran from the state (issue 13).
func TestHistoryAndRollback(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := stackopstest.NewEnv(t)
	e := env.New(t, stackopstest.Program)
	mustUp(t, e, "dev")
	deploy := func(module, image string) {
		t.Helper()
		if _, err := e.Deploy(ctx, stackops.DeployRequest{Env: "dev", Module: module, Image: image}, stackops.RunOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	deploy("quotes", "quotes:1")
	setConfig(t, e, "dev", "conveyor:secret", "hunter2-plaintext", true)
	deploy("quotes", "quotes:2")
	deploy("policies", "policies:5")
	running := func(want map[string]string, when string) {
		t.Helper()
		got := inputs(t, e, "dev")
		for name, img := range want {
			if got[name]["image"] != img {
				t.Errorf("%s: %s runs %q, want %q", when, name, got[name]["image"], img)
			}
		}
	}
	running(map[string]string{"quotes-api": "quotes:2", "policies-api": "policies:5"}, "after the deploys")

	h, err := e.History(ctx, "dev")
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 4 || h[0].Images["policies"]["api"] != "policies:5" || h[1].Images["quotes"]["api"] != "quotes:2" || h[3].Images != nil {
		t.Fatalf("history: %+v", h)
	}
	if h[0].By != "tester" || h[0].Result != "succeeded" || h[0].Start.IsZero() {
		t.Errorf("newest entry: %+v", h[0])
	}
	if len(h[1].Config) != 1 || h[1].Config[0].Key != "conveyor:secret" || !h[1].Config[0].Secret || h[1].Config[0].To != "" {
		t.Errorf("the secret's change: %+v", h[1].Config)
	}
	if data, _ := json.Marshal(h); strings.Contains(string(data), "hunter2") {
		t.Errorf("history shows a secret in plain text: %s", data)
	}

	// One module: quotes goes back to the image before its last deploy; policies stays.
	res, err := e.Rollback(ctx, stackops.RollbackRequest{Env: "dev", Module: "quotes"}, stackops.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.To != h[2].Version || len(res.Changes) != 1 || res.Changes[0].To != "quotes:1" {
		t.Errorf("rollback of quotes: %+v", res)
	}
	running(map[string]string{"quotes-api": "quotes:1", "policies-api": "policies:5"}, "after rolling quotes back")

	// The whole environment, to its first update: no image was deployed then.
	if _, err := e.Rollback(ctx, stackops.RollbackRequest{Env: "dev", To: h[3].Version}, stackops.RunOptions{}); err != nil {
		t.Fatal(err)
	}
	running(map[string]string{"quotes-api": "", "policies-api": ""}, "after rolling dev back to its first update")

	// A fresh clone's up keeps what the rollback put back.
	mustUp(t, env.New(t, stackopstest.Program), "dev")
	running(map[string]string{"quotes-api": "", "policies-api": ""}, "after a fresh clone's up")

	for _, bad := range []stackops.RollbackRequest{{Env: "dev", To: 99}, {Env: "prod"}, {Env: "dev", Module: "Quotes"}} {
		if _, err := e.Rollback(ctx, bad, stackops.RunOptions{}); err == nil {
			t.Errorf("rollback %+v: no error", bad)
		}
	}
}
