package stackops_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackopstest"
	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/stacks/deployed"
)

// imagesText writes images as module/component=image, sorted.
func imagesText(im deployed.Images) string {
	var parts []string
	for _, m := range im.Modules() {
		for _, c := range slices.Sorted(maps.Keys(im[m])) {
			parts = append(parts, fmt.Sprintf("%s/%s=%s", m, c, im[m][c]))
		}
	}
	return strings.Join(parts, ",")
}

// TestSplitHistoryAndRollback: once dev is split, a module's deploys are updates of its own
// stack (issue 24). History lists them beside the base's, each with its stack; a rollback of
// one module puts back, in the module's stack, the image it ran before its last deploy, even
// when that image was deployed before the split (its module stack's history continues the
// environment's); --to names an update of that history; the images the next update deploys
// (what status and explain show) are the module stacks'. A rollback that names no module is
// refused, saying to name one, rather than updating the base, which holds no module.
func TestSplitHistoryAndRollback(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := stackopstest.NewEnv(t)
	p := &splitProgram{}
	e := env.New(t, p.run)
	mustUp(t, e, "dev")
	mustDeploy(t, e, "dev", "quotes", "quotes:1")
	mustSplit(t, e, "dev")
	mustDeploy(t, e, "dev", "quotes", "quotes:2")
	mustDeploy(t, e, "dev", "policies", "policies:5")

	h, err := e.History(ctx, "dev")
	if err != nil {
		t.Fatal(err)
	}
	type line struct {
		Stack  string
		Images string
	}
	var got []line
	for _, u := range h {
		got = append(got, line{u.Stack, imagesText(u.Images)})
	}
	want := []line{
		{"dev.policies", "policies/api=policies:5"},
		{"dev.quotes", "quotes/api=quotes:2"},
		{"dev", "quotes/api=quotes:1"},
		{"dev", ""},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("history of split dev (-want +got):\n%s", diff)
	}
	firstUp := h[3].Version

	next, err := e.NextImages(ctx, "dev")
	if err != nil {
		t.Fatal(err)
	}
	if im := next.Images(); im["quotes"]["api"] != "quotes:2" || im["policies"]["api"] != "policies:5" {
		t.Errorf("the images dev's next update deploys: %v, want quotes:2 and policies:5, which its module stacks run", im)
	}

	res, err := e.Rollback(ctx, stackops.RollbackRequest{Env: "dev", Module: "quotes"}, stackops.RunOptions{})
	if err != nil {
		t.Fatalf("rollback of quotes in split dev: %v", err)
	}
	if diff := cmp.Diff([]stackops.ImageChange{{Module: "quotes", Component: "api", From: "quotes:2", To: "quotes:1"}}, res.Changes); diff != "" {
		t.Errorf("rollback of quotes (-want +got):\n%s", diff)
	}
	if img := moduleImage(t, e, "dev", "quotes"); img != "quotes:1" {
		t.Errorf("dev.quotes runs %v after its rollback, want quotes:1", img)
	}

	// To the first update, before anything was deployed: policies ran no image then.
	if _, err := e.Rollback(ctx, stackops.RollbackRequest{Env: "dev", Module: "policies", To: firstUp}, stackops.RunOptions{}); err != nil {
		t.Fatalf("rollback of policies to update %d: %v", firstUp, err)
	}
	if img := moduleImage(t, e, "dev", "policies"); img != "" {
		t.Errorf("dev.policies runs %v after its rollback to update %d, want none", img, firstUp)
	}
	if img := moduleImage(t, e, "dev", "quotes"); img != "quotes:1" {
		t.Errorf("the rollback of policies changed quotes: it runs %v", img)
	}

	_, err = e.Rollback(ctx, stackops.RollbackRequest{Env: "dev"}, stackops.RunOptions{})
	if !stackops.IsRefused(err) {
		t.Errorf("a rollback of every module of split dev: %v, want it refused", err)
	}
}

// TestSplitPromote: dev and staging are both split. A deploy to dev's quotes is an update of
// dev.quotes; a promotion from dev to staging carries it (the source's images are its module
// stacks') and applies it in staging.quotes (the destination's modules are its module
// stacks), leaving the other modules' stacks untouched.
func TestSplitPromote(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := stackopstest.NewEnv(t)
	p := &splitProgram{}
	e := env.New(t, p.run)
	for _, name := range []string{"dev", "staging"} {
		if _, _, err := e.CreateEnv(ctx, name, stackops.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		mustUp(t, e, name)
		mustSplit(t, e, name)
	}
	mustDeploy(t, e, "dev", "quotes", "quotes:7")
	claimsBefore := len(history(t, e, naming.ModuleStack("staging", "claims")))

	res, err := e.Promote(ctx, stackops.PromoteRequest{From: "dev", To: "staging", Apply: true}, stackops.RunOptions{})
	if err != nil {
		t.Fatalf("promote dev to staging: %v", err)
	}
	if diff := cmp.Diff([]stackops.ImageChange{{Module: "quotes", Component: "api", To: "quotes:7"}}, res.Changes); diff != "" {
		t.Errorf("the promotion's changes (-want +got):\n%s", diff)
	}
	if img := moduleImage(t, e, "staging", "quotes"); img != "quotes:7" {
		t.Errorf("staging.quotes runs %v after the promotion, want quotes:7", img)
	}
	if n := len(history(t, e, naming.ModuleStack("staging", "claims"))); n != claimsBefore {
		t.Errorf("the promotion of quotes updated staging.claims (%d updates, was %d)", n, claimsBefore)
	}
	again, err := e.Promote(ctx, stackops.PromoteRequest{From: "dev", To: "staging", Module: "quotes", Apply: true}, stackops.RunOptions{})
	if err != nil || len(again.Changes) != 0 {
		t.Errorf("promoting again: %+v, %v; want no change", again, err)
	}
}
