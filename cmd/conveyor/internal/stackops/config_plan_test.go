package stackops_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackopstest"
)

// TestProdThroughSavedPlan walks the production flow: prod refuses an update without a plan;
// staging's images are promoted with a saved plan in one clone (the pipeline's plan job) and
// the plan is applied in another (the approval job), which applies the promoted images even
// though its config file never saw them; a plan made stale by a change is refused.
func TestProdThroughSavedPlan(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env, e := stagingAndProd(t)
	// Pinned by digest in staging's stack file: what ran there is known (the release record).
	quotes, policies := "quotes:7@sha256:"+strings.Repeat("7", 64), "policies:3@sha256:"+strings.Repeat("3", 64)
	setConfig(t, e, "staging", "conveyor:images.quotes.api", quotes, false)
	setConfig(t, e, "staging", "conveyor:images.policies.api", policies, false)
	mustUp(t, e, "staging")

	var planErr *stackops.PlanRequiredError
	if _, err := e.Up(ctx, "prod", stackops.RunOptions{}); !errors.As(err, &planErr) {
		t.Fatalf("up prod without a plan: %v, want PlanRequiredError", err)
	}
	if _, err := e.Promote(ctx, stackops.PromoteRequest{From: "staging", To: "prod", Apply: true}, stackops.RunOptions{}); !errors.As(err, &planErr) {
		t.Fatalf("promote --yes to prod: %v, want PlanRequiredError", err)
	}

	// The plan job: promote quotes only, saving the plan.
	plan := filepath.Join(t.TempDir(), "prod.plan.json")
	res, err := e.Promote(ctx, stackops.PromoteRequest{From: "staging", To: "prod", Module: "quotes"}, stackops.RunOptions{Plan: plan})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Changes) != 1 || res.Changes[0].To != quotes || res.Changes[0].RanIn == nil || res.Changes[0].RanIn.Env != "staging" {
		t.Errorf("promotion changes %+v", res.Changes)
	}
	if res.Summary == nil || !res.Summary.DryRun || res.Summary.Plan != plan || res.Summary.Changes["create"] != 5 {
		t.Errorf("promotion preview %+v", res.Summary)
	}

	// The apply job, in a fresh clone.
	apply := env.New(t, stackopstest.Program)
	s, err := apply.Up(ctx, "prod", stackops.RunOptions{Plan: plan})
	if err != nil {
		t.Fatal(err)
	}
	if s.Plan != plan || s.Changes["create"] != 5 {
		t.Errorf("apply: %+v", s)
	}
	got := inputs(t, apply, "prod")
	if got["quotes-api"]["image"] != quotes || got["policies-api"]["image"] != "" {
		t.Errorf("prod runs quotes %v and policies %v, want %s and no policies image", got["quotes-api"]["image"], got["policies-api"]["image"], quotes)
	}

	// A plan no longer matches once the program would do something else.
	stale := filepath.Join(t.TempDir(), "stale.plan.json")
	if _, err := apply.Preview(ctx, "prod", stackops.RunOptions{Plan: stale}); err != nil {
		t.Fatal(err)
	}
	setConfig(t, apply, "prod", "conveyor:replicas.quotes", "4", false)
	s, err = apply.Up(ctx, "prod", stackops.RunOptions{Plan: stale})
	var opErr *stackops.OpError
	if !errors.As(err, &opErr) || s.Result != "failed" {
		t.Fatalf("applying a stale plan: %v, want an OpError", err)
	}
	t.Logf("stale plan refused: %v", err)
}

// TestDrift makes a stack whose StackReference reads another stack's output: changing that
// output behind its back is drift that a refresh detects, with no provider plugin involved.
func TestDrift(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := stackopstest.NewEnv(t)
	e := env.New(t, stackopstest.Program)
	for _, name := range []string{"upstream", "dev"} {
		if _, _, err := e.CreateEnv(ctx, name, stackops.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	setConfig(t, e, "upstream", "conveyor:value", "one", false)
	mustUp(t, e, "upstream")
	setConfig(t, e, "dev", "conveyor:upstream", "organization/conveyor/upstream", false)
	mustUp(t, e, "dev")

	s, err := e.Drift(ctx, "dev", stackops.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if s.HasChanges() {
		t.Fatalf("drift right after up: %+v", s)
	}

	setConfig(t, e, "upstream", "conveyor:value", "two", false)
	mustUp(t, e, "upstream")
	s, err = e.Drift(ctx, "dev", stackops.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !s.HasChanges() || len(s.Resources) != 1 || s.Resources[0].Type != "pulumi:pulumi:StackReference" {
		t.Errorf("drift after upstream changed: changes %v resources %+v", s.Changes, s.Resources)
	}
	// Drift changes nothing: the state still has the old value.
	if s, err := e.Drift(ctx, "dev", stackops.RunOptions{}); err != nil || !s.HasChanges() {
		t.Errorf("second drift check: %v %+v", err, s)
	}
}
