package stackops_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/imagedigest"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/imagedigest/registrytest"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/release"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackopstest"
)

// TestProductionGetsTheDigestStagingRan follows one image from main's deploy to dev to a prod
// plan, with an in-process registry: dev records the digest the registry served; the tag is
// then moved, and neither the promotion to staging nor the one to prod follows it; the prod
// plan names the digest and the staging update that ran it, read from the release record.
func TestProductionGetsTheDigestStagingRan(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	image := registrytest.Start(t) + "/acme/quotes:1.4.2"
	served := registrytest.Push(t, image)

	env := stackopstest.NewEnv(t)
	opts := env.Options(t, stackopstest.Program)
	opts.Resolver = imagedigest.Registry{}
	e, err := stackops.New(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"dev", "staging", "prod"} {
		if _, _, err := e.CreateEnv(ctx, name, stackops.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	mustUp(t, e, "dev")
	mustUp(t, e, "staging")

	if _, err := e.Deploy(ctx, stackops.DeployRequest{Env: "dev", Module: "quotes", Image: image}, stackops.RunOptions{}); err != nil {
		t.Fatal(err)
	}
	pinned := image + "@" + served
	if got := inputs(t, e, "dev")["quotes-api"]["image"]; got != pinned {
		t.Fatalf("dev runs %v, want the digest the registry served: %s", got, pinned)
	}

	if moved := registrytest.Push(t, image); moved == served {
		t.Fatal("the tag did not move")
	}
	res, err := e.Promote(ctx, stackops.PromoteRequest{From: "dev", To: "staging", Apply: true}, stackops.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]stackops.ImageChange{{Module: "quotes", Component: "api", To: pinned}}, res.Changes); diff != "" {
		t.Errorf("promotion to staging after the tag moved (-want +got):\n%s", diff)
	}
	history, err := e.History(ctx, "staging")
	if err != nil {
		t.Fatal(err)
	}
	ran := history[0]

	plan := filepath.Join(t.TempDir(), "prod.plan.json")
	res, err = e.Promote(ctx, stackops.PromoteRequest{From: "staging", To: "prod"}, stackops.RunOptions{Plan: plan})
	if err != nil {
		t.Fatal(err)
	}
	want := []stackops.ImageChange{{Module: "quotes", Component: "api", To: pinned,
		RanIn: &release.Ran{Env: "staging", Update: ran.Version, Time: ran.Start}}}
	if diff := cmp.Diff(want, res.Changes); diff != "" {
		t.Errorf("the prod plan's changes (-want +got):\n%s", diff)
	}
	if res.Summary == nil || res.Summary.Plan != plan {
		t.Errorf("no plan saved: %+v", res.Summary)
	}
}

// TestProductionRefusesWhatStagingRanByTag: staging runs a tag (its stack file's seed), so
// the record cannot say which bytes ran, and prod refuses it; prod is promoted from staging
// only.
func TestProductionRefusesWhatStagingRanByTag(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := stackopstest.NewEnv(t)
	e := env.New(t, stackopstest.Program)
	for _, name := range []string{"dev", "staging", "prod"} {
		if _, _, err := e.CreateEnv(ctx, name, stackops.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	setConfig(t, e, "staging", "conveyor:images.quotes.api", "ghcr.io/acme/quotes:7", false)
	setConfig(t, e, "dev", "conveyor:images.quotes.api", "ghcr.io/acme/quotes:7@sha256:"+strings.Repeat("ab", 32), false)
	mustUp(t, e, "staging")
	mustUp(t, e, "dev")

	for _, tt := range []struct {
		name string
		req  stackops.PromoteRequest
		want string
	}{
		{"a tag", stackops.PromoteRequest{From: "staging", To: "prod"}, "ghcr.io/acme/quotes:7 is a tag"},
		{"a tag of one module", stackops.PromoteRequest{From: "staging", To: "prod", Module: "quotes"}, "ghcr.io/acme/quotes:7 is a tag"},
		{"not from staging", stackops.PromoteRequest{From: "dev", To: "prod"}, "only from staging"},
	} {
		plan := filepath.Join(t.TempDir(), "prod.plan.json")
		_, err := e.Promote(ctx, tt.req, stackops.RunOptions{Plan: plan})
		if !stackops.IsRefused(err) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: promote = %v, want a refusal saying %q", tt.name, err, tt.want)
		}
	}
}
