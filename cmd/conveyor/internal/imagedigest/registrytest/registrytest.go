// Package registrytest runs go-containerregistry's in-process registry on loopback for tests,
// so that resolving images never reaches the internet.
package registrytest

import (
	"io"
	"log"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Start serves a new, empty registry until the test ends and returns its host:port, which
// go-containerregistry reaches over plain HTTP because it is on loopback.
func Start(tb testing.TB) string {
	tb.Helper()
	// Quiet: the registry logs every request otherwise.
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	tb.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// Push writes a new random image under ref (moving its tag if it had one) and returns the
// digest the registry serves for it.
func Push(tb testing.TB, ref string) string {
	tb.Helper()
	r, err := name.ParseReference(ref)
	if err != nil {
		tb.Fatal(err)
	}
	img, err := random.Image(64, 1)
	if err != nil {
		tb.Fatal(err)
	}
	if err := remote.Write(r, img); err != nil {
		tb.Fatalf("pushing %s: %v", ref, err)
	}
	d, err := img.Digest()
	if err != nil {
		tb.Fatal(err)
	}
	return d.String()
}
