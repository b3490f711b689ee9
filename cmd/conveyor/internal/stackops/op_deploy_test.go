package stackops_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackopstest"
)

// TestDeployTargetsOneModule deploys a new image of quotes while policies has a pending
// change of its own: only quotes' component may change.
func TestDeployTargetsOneModule(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := stackopstest.NewEnv(t)
	e := env.New(t, stackopstest.Program)
	if _, _, err := e.CreateEnv(ctx, "dev", stackops.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	setConfig(t, e, "dev", "conveyor:images.quotes.api", "quotes:1", false)
	setConfig(t, e, "dev", "conveyor:images.policies.api", "policies:1", false)
	mustUp(t, e, "dev")

	// A pending change to policies that is not this deploy's business.
	setConfig(t, e, "dev", "conveyor:replicas.policies", "3", false)

	s, err := e.Deploy(ctx, stackops.DeployRequest{Env: "dev", Module: "quotes", Image: "quotes:2"}, stackops.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Targets) != 2 {
		t.Errorf("targets = %v, want the quotes module and its component", s.Targets)
	}
	var changed []string
	for _, r := range s.Resources {
		changed = append(changed, r.Op+" "+r.Name)
	}
	if len(changed) != 1 || changed[0] != "update quotes-api" {
		t.Errorf("deploy changed %v, want only [update quotes-api]", changed)
	}
	got := inputs(t, e, "dev")
	if got["quotes-api"]["image"] != "quotes:2" || got["policies-api"]["replicas"] != nil {
		t.Errorf("state: quotes-api %v, policies-api %v; want quotes:2 and policies-api untouched",
			got["quotes-api"], got["policies-api"])
	}
	// The image is recorded in the update's outputs, not in the stack file, which keeps its
	// seed.
	if out := s.Outputs["deployedImages"]; fmt.Sprint(out) != "map[quotes:map[api:quotes:2]]" {
		t.Errorf("deployedImages = %v", out)
	}
	if v := getConfig(t, e, "dev", "conveyor:images"); v.Value != `{"policies":{"api":"policies:1"},"quotes":{"api":"quotes:1"}}` {
		t.Errorf("the stack file's conveyor:images = %s", v.Value)
	}

	// Another clone of the same commit (its stack file has the seed of the first `up`): the
	// backend's record wins, so an `up` from there does not roll quotes back.
	clone := env.New(t, stackopstest.Program)
	setConfig(t, clone, "dev", "conveyor:images.quotes.api", "quotes:1", false)
	setConfig(t, clone, "dev", "conveyor:images.policies.api", "policies:1", false)
	s, err = clone.Preview(ctx, "dev", stackops.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if s.HasChanges() {
		t.Errorf("a stale clone's preview of dev shows changes %v: the deployed images were not taken from the backend", s.Resources)
	}

	refusals := []struct {
		name string
		req  stackops.DeployRequest
	}{
		{"unknown module", stackops.DeployRequest{Env: "dev", Module: "claims", Image: "claims:1"}},
		{"prod needs a plan", stackops.DeployRequest{Env: "prod", Module: "quotes", Image: "quotes:2"}},
		{"bad module name", stackops.DeployRequest{Env: "dev", Module: "Quotes", Image: "quotes:2"}},
		{"no image", stackops.DeployRequest{Env: "dev", Module: "quotes"}},
	}
	for _, r := range refusals {
		if _, err := e.Deploy(ctx, r.req, stackops.RunOptions{}); err == nil {
			t.Errorf("%s: deployed", r.name)
		}
	}
}
