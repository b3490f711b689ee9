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

// TestPromoteCarriesManifestImages: the source runs a component's manifest image (nothing
// was deployed there) while the destination runs an image a deploy set. The promotion makes
// the destination run the manifest image too. It used to compare only the images the layers
// set, so a component on its manifest image in the source was skipped, and the destination
// kept running its older deploy.
func TestPromoteCarriesManifestImages(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := stackopstest.NewEnv(t)
	opts := env.Options(t, stackopstest.Program)
	// The demo catalog, where the stand-in program's modules (quotes, policies) are declared
	// with their manifest images; the Runner reads it as the stack files name it (default).
	catalog := filepath.Join(opts.WorkDir, "stacks", "catalog")
	if err := os.CopyFS(catalog, os.DirFS(filepath.Join(stackopstest.RepoRoot(t), "stacks", "catalog"))); err != nil {
		t.Fatal(err)
	}
	const manifestImage = "ghcr.io/stefanprodan/podinfo:6.7.1" // quotes's api, stacks/catalog/sales/quotes.conveyor.yaml
	e, err := stackops.New(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"dev", "staging"} {
		if _, _, err := e.CreateEnv(ctx, name, stackops.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	mustUp(t, e, "staging")
	const older = "ghcr.io/acme/quotes:0.9.0"
	if _, err := e.Deploy(ctx, stackops.DeployRequest{Env: "staging", Module: "quotes", Image: older}, stackops.RunOptions{}); err != nil {
		t.Fatal(err)
	}
	mustUp(t, e, "dev")

	res, err := e.Promote(ctx, stackops.PromoteRequest{From: "dev", To: "staging", Apply: true}, stackops.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := []stackops.ImageChange{{Module: "quotes", Component: "api", From: older, To: manifestImage}}
	if diff := cmp.Diff(want, res.Changes); diff != "" {
		t.Errorf("the promotion's changes (-want +got):\n%s", diff)
	}
	if got := inputs(t, e, "staging")["quotes-api"]["image"]; got != manifestImage {
		t.Errorf("staging runs %v after the promotion, want the manifest image dev runs, %s", got, manifestImage)
	}
}
