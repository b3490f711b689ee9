// Package imagedigest pins container images to the digest their registry serves, so that an
// environment records, and a promotion carries, exactly the bytes that ran: a tag can be
// moved, a digest cannot. A pinned image keeps its tag for people to read
// (ghcr.io/acme/quotes:1.4.2@sha256:…); Kubernetes and the container runtime pull by the
// digest and ignore the tag.
package imagedigest

import (
	"context"
	"fmt"

	distref "github.com/distribution/reference"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/conveyor-paas/conveyor/naming"
)

// Resolver pins an image reference to a digest.
type Resolver interface {
	// Resolve returns image pinned to the digest its registry serves for it now; an image
	// that is already pinned is returned as it is, without asking the registry.
	Resolve(ctx context.Context, image string) (string, error)
}

// Registry resolves through the image's registry with go-containerregistry, authenticated
// the way docker and the container runtime's helpers are (~/.docker/config.json and its
// credential helpers, such as gcloud's for Artifact Registry).
type Registry struct {
	// Keychain finds the credentials of a registry; authn.DefaultKeychain when nil.
	Keychain authn.Keychain
}

// Resolve asks the registry for the manifest (or index) the image's tag names now.
func (r Registry) Resolve(ctx context.Context, image string) (string, error) {
	if naming.Pinned(image) {
		return image, nil
	}
	ref, err := name.ParseReference(image)
	if err != nil {
		return "", fmt.Errorf("image %s: %w", image, err)
	}
	kc := r.Keychain
	if kc == nil {
		kc = authn.DefaultKeychain
	}
	opts := []remote.Option{remote.WithContext(ctx), remote.WithAuthFromKeychain(kc)}
	desc, err := remote.Head(ref, opts...)
	if err != nil {
		// Some registries answer no HEAD for manifests: read the manifest instead.
		got, gerr := remote.Get(ref, opts...)
		if gerr != nil {
			return "", fmt.Errorf("resolving %s to a digest at %s: %w", image, ref.Context().RegistryStr(), gerr)
		}
		desc = &got.Descriptor
	}
	return Pin(image, desc.Digest.String())
}

// Pin adds digest to image, keeping its name and tag as written.
func Pin(image, digest string) (string, error) {
	pinned := image + "@" + digest
	if _, err := distref.ParseAnyReference(pinned); err != nil {
		return "", fmt.Errorf("pinning %s to %s: %w", image, digest, err)
	}
	return pinned, nil
}
