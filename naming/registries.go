package naming

import (
	"slices"
	"strings"

	distref "github.com/distribution/reference"
)

// AllowedRegistriesAnnotation is the annotation of every namespace of an environment that
// lists the registries its images may come from (the cluster's conveyor:allowedRegistries),
// comma-separated: the program writes it from the cluster stack, the policy pack reads it,
// and on GKE Binary Authorization admits the same list.
const AllowedRegistriesAnnotation = "conveyor.io/allowed-registries"

// JoinRegistries is the annotation's value for a list of registries.
func JoinRegistries(registries []string) string { return strings.Join(registries, ",") }

// SplitRegistries reads the annotation's value back; empty entries are dropped.
func SplitRegistries(value string) []string {
	var out []string
	for r := range strings.SplitSeq(value, ",") {
		if r = strings.TrimSpace(r); r != "" {
			out = append(out, r)
		}
	}
	return out
}

// Pinned reports whether image names a digest (repo@sha256:… or repo:tag@sha256:…): the
// bytes it runs cannot change. An image that is no valid reference is not pinned.
func Pinned(image string) bool {
	ref, err := distref.ParseAnyReference(image)
	if err != nil {
		return false
	}
	_, ok := ref.(distref.Digested)
	return ok
}

// RegistryAllowed reports whether image comes from one of the registries: a registry is a
// host (ghcr.io) or a host and a path (ghcr.io/acme, docker.io/library), and an image comes
// from it when its full name (docker.io/library/busybox for busybox) is under it.
func RegistryAllowed(image string, registries []string) bool {
	named, err := distref.ParseNormalizedNamed(image)
	if err != nil {
		return false
	}
	name := named.Name()
	return slices.ContainsFunc(registries, func(r string) bool {
		r = strings.TrimSuffix(r, "/")
		return r != "" && strings.HasPrefix(name, r+"/")
	})
}
