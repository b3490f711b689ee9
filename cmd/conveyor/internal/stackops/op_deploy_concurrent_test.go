package stackops_test

import (
	"context"
	"testing"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/opsummary"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackopstest"
)

// TestConcurrentDeploysKeepEachOthersImages runs two real deploys of different modules at
// once, from two clones as two pipelines would (issue 17.1): the second waits for the lock,
// and its update must start from the images the first one left, not from what it read before
// it waited. A fresh clone's `up` afterwards must keep both images.
func TestConcurrentDeploysKeepEachOthersImages(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := stackopstest.NewEnv(t)
	first := env.New(t, stackopstest.Program)
	mustUp(t, first, "dev")
	for _, m := range stackopstest.Modules {
		if _, err := first.Deploy(ctx, stackops.DeployRequest{Env: "dev", Module: m, Image: m + ":1"}, stackops.RunOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	second := env.New(t, stackopstest.Program)
	for _, e := range []*stackops.Runner{first, second} {
		setConfig(t, e, "dev", "conveyor:sleepMs", "10000", false)
	}

	reqs := []stackops.DeployRequest{
		{Env: "dev", Module: "quotes", Image: "quotes:2"},
		{Env: "dev", Module: "policies", Image: "policies:2"},
	}
	retries := overlap(t, env, []*stackops.Runner{first, second}, func(i int, e *stackops.Runner) (*opsummary.Summary, error) {
		return e.Deploy(ctx, reqs[i], stackops.RunOptions{})
	})
	if retries[1] == 0 {
		t.Fatalf("the second deploy did not wait for the lock: they did not overlap")
	}
	want := map[string]string{"quotes-api": "quotes:2", "policies-api": "policies:2"}
	checkImages := func(when string) {
		t.Helper()
		got := inputs(t, first, "dev")
		for name, img := range want {
			if got[name]["image"] != img {
				t.Errorf("%s: %s runs %v, want %s", when, name, got[name]["image"], img)
			}
		}
	}
	checkImages("after both deploys")

	fresh := env.New(t, stackopstest.Program)
	mustUp(t, fresh, "dev")
	checkImages("after a fresh clone's up")
}
