package imagedigest_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/imagedigest"
)

// TestRegistryResolvesWhatTheRegistryServes pushes an image to an in-process registry and
// resolves its tag: the digest is the registry's, and a moved tag resolves to the new one.
func TestRegistryResolvesWhatTheRegistryServes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := httptest.NewServer(registry.New())
	t.Cleanup(srv.Close)
	image := strings.TrimPrefix(srv.URL, "http://") + "/acme/quotes:1.4.2"

	first := Push(t, image)
	got, err := imagedigest.Registry{}.Resolve(ctx, image)
	if err != nil {
		t.Fatal(err)
	}
	if want := image + "@" + first; got != want {
		t.Errorf("Resolve(%s) = %s, want %s", image, got, want)
	}

	second := Push(t, image)
	moved, err := imagedigest.Registry{}.Resolve(ctx, image)
	if err != nil {
		t.Fatal(err)
	}
	if want := image + "@" + second; moved != want || second == first {
		t.Errorf("after the tag moved, Resolve = %s, want %s", moved, want)
	}
	// A pinned image is kept: the registry is not asked again.
	if again, err := (imagedigest.Registry{}).Resolve(ctx, got); err != nil || again != got {
		t.Errorf("Resolve(%s) = %s, %v, want it unchanged", got, again, err)
	}
	if _, err := (imagedigest.Registry{}).Resolve(ctx, strings.TrimPrefix(srv.URL, "http://")+"/acme/absent:1"); err == nil {
		t.Error("resolving an image the registry does not have succeeded")
	}
}

// Push writes a new random image under ref to its registry and returns the digest the
// registry serves for it.
func Push(t testing.TB, ref string) string {
	t.Helper()
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(r, img); err != nil {
		t.Fatalf("pushing %s: %v", ref, err)
	}
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d.String()
}
