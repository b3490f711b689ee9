package imagedigest_test

import (
	"context"
	"testing"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/imagedigest"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/imagedigest/registrytest"
)

// TestRegistryResolvesWhatTheRegistryServes pushes an image to an in-process registry and
// resolves its tag: the digest is the registry's, and a moved tag resolves to the new one.
func TestRegistryResolvesWhatTheRegistryServes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	host := registrytest.Start(t)
	image := host + "/acme/quotes:1.4.2"
	r := imagedigest.Registry{}

	first := registrytest.Push(t, image)
	got, err := r.Resolve(ctx, image)
	if err != nil {
		t.Fatal(err)
	}
	if want := image + "@" + first; got != want {
		t.Errorf("Resolve(%s) = %s, want %s", image, got, want)
	}

	second := registrytest.Push(t, image)
	moved, err := r.Resolve(ctx, image)
	if err != nil {
		t.Fatal(err)
	}
	if want := image + "@" + second; moved != want || second == first {
		t.Errorf("after the tag moved, Resolve = %s, want %s", moved, want)
	}
	// A pinned image is kept as it is: the registry is not asked again.
	if again, err := r.Resolve(ctx, got); err != nil || again != got {
		t.Errorf("Resolve(%s) = %s, %v, want it unchanged", got, again, err)
	}
	if _, err := r.Resolve(ctx, host+"/acme/absent:1"); err == nil {
		t.Error("resolving an image the registry does not have succeeded")
	}
}
