package stackops_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackopstest"
)

// TestProdRollbackPlanChangesOnlyItsModule: a rollback of one module of prod saves a plan of
// a preview targeted at that module; applying the plan, in a fresh clone, must change that
// module and nothing else, although prod's stack file has a change pending for another module
// (issue 27, defect 8: the plan was applied by an untargeted update).
func TestProdRollbackPlanChangesOnlyItsModule(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env, e := stagingAndProd(t)
	mustUp(t, e, "staging")
	// promote copies staging's images into prod, through a saved plan, as the pipeline does.
	promote := func(module, image string) {
		t.Helper()
		if _, err := e.Deploy(ctx, stackops.DeployRequest{Env: "staging", Module: module, Image: image}, stackops.RunOptions{}); err != nil {
			t.Fatal(err)
		}
		plan := filepath.Join(t.TempDir(), "promote.plan.json")
		if _, err := e.Promote(ctx, stackops.PromoteRequest{From: "staging", To: "prod", Module: module}, stackops.RunOptions{Plan: plan}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Up(ctx, "prod", stackops.RunOptions{Plan: plan}); err != nil {
			t.Fatalf("applying the promotion of %s: %v", image, err)
		}
	}
	// Pinned by digest, as a deploy with a registry records them: prod runs nothing else.
	quotes7, quotes8, policies3 := pinned("quotes:7"), pinned("quotes:8"), pinned("policies:3")
	promote("quotes", quotes7)
	promote("policies", policies3)
	promote("quotes", quotes8)

	// A change for policies waits in prod's stack file, not yet reviewed.
	setConfig(t, e, "prod", "conveyor:replicas.policies", "4", false)
	plan := filepath.Join(t.TempDir(), "rollback.plan.json")
	res, err := e.Rollback(ctx, stackops.RollbackRequest{Env: "prod", Module: "quotes"}, stackops.RunOptions{Plan: plan})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]stackops.ImageChange{{Module: "quotes", Component: "api", From: quotes8, To: quotes7}}, res.Changes); diff != "" {
		t.Errorf("the rollback's changes (-want +got):\n%s", diff)
	}

	// The apply job is a fresh clone of the same commit: the same stack file.
	apply := env.New(t, stackopstest.Program)
	stackFile := filepath.Join("stacks", "Pulumi.prod.yaml")
	data, err := os.ReadFile(filepath.Join(e.Workspace().WorkDir(), stackFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(apply.Workspace().WorkDir(), stackFile), data, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := apply.Up(ctx, "prod", stackops.RunOptions{Plan: plan})
	if err != nil {
		t.Fatalf("applying the rollback's plan: %v", err)
	}
	if s.Changes["update"] != 1 {
		t.Errorf("applying the rollback's plan changed %v, want one update (quotes-api)", s.Changes)
	}
	got := inputs(t, apply, "prod")
	want := map[string]any{"quotes-api": map[string]any{"image": quotes7}, "policies-api": map[string]any{"image": policies3}}
	have := map[string]any{"quotes-api": got["quotes-api"], "policies-api": got["policies-api"]}
	if diff := cmp.Diff(want, have); diff != "" {
		t.Errorf("prod after the rollback's plan (-want +got); policies' pending replicas must wait for its own plan:\n%s", diff)
	}
}
