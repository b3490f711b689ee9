package components

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/manifest"
	"github.com/conveyor-paas/conveyor/naming"
)

// MeshMode says whether a cluster runs the service mesh, and whether spaces are in it unless
// their space file says otherwise.
type MeshMode string

// The mesh modes.
const (
	// MeshOff: the cluster runs no mesh; a space file that asks for it is an error.
	MeshOff MeshMode = "off"
	// MeshOptIn: the cluster runs the mesh; spaces whose file says mesh: true are in it.
	MeshOptIn MeshMode = "opt-in"
	// MeshDefault: the cluster runs the mesh; every space is in it unless it says mesh: false.
	MeshDefault MeshMode = "default"
)

// DefaultMeshMode is a cluster's mode unless configured.
const DefaultMeshMode = MeshOptIn

// ParseMeshMode reads a configured mode.
func ParseMeshMode(s string) (MeshMode, error) {
	switch m := MeshMode(s); m {
	case MeshOff, MeshOptIn, MeshDefault:
		return m, nil
	}
	return "", fmt.Errorf("%q is not a mesh mode (want %q, %q or %q)", s, MeshOff, MeshOptIn, MeshDefault)
}

// Mesh is the service mesh of the cluster an environment runs on.
type Mesh struct {
	Mode MeshMode
	// Origin says where Mode was configured, for messages ("conveyor:mesh of cluster-nonprod").
	Origin string
	// TrustDomain is the first part of every workload's identity (naming.MeshPrincipal).
	TrustDomain pulumi.StringInput
	// Unconfigured: a local cluster runs no mesh because its stack leaves conveyor:mesh unset.
	// A space that asks for the mesh then runs outside it (Declined) instead of being refused:
	// the mesh is something a person turns on for a local cluster.
	Unconfigured bool
	// Ready is what the mesh objects of the spaces wait for: on a local cluster, the install
	// of Istio, whose CRDs they need. On GKE the cluster stack installs the mesh beforehand.
	Ready []pulumi.Resource
}

// Meshes says whether a space is in the mesh: its file decides, else the cluster's mode.
func (m *Mesh) Meshes(s *manifest.Space) bool {
	if m == nil || m.Mode == MeshOff || s == nil {
		return false
	}
	if s.Mesh != nil {
		return *s.Mesh
	}
	return m.Mode == MeshDefault
}

// MeshedSpaces lists the catalog's spaces that are in the mesh, by name.
func (m *Mesh) MeshedSpaces(cat *manifest.Catalog) []string {
	var out []string
	for _, s := range cat.Spaces {
		if m.Meshes(s) {
			out = append(out, s.Name)
		}
	}
	return out
}

// Declined lists the spaces that ask for the mesh on a cluster that runs none because nobody
// turned it on (Unconfigured): they run outside it.
func (m *Mesh) Declined(cat *manifest.Catalog) []*manifest.Space {
	if m == nil || !m.Unconfigured || m.Mode != MeshOff {
		return nil
	}
	var out []*manifest.Space
	for _, s := range cat.Spaces {
		if s.Mesh != nil && *s.Mesh {
			out = append(out, s)
		}
	}
	return out
}

// CheckMesh refuses a catalog that the cluster's mesh cannot serve, naming the space file and
// field to change: a space that asks for the mesh on a cluster without one, and a meshed
// space that allows callers outside the mesh, whom its STRICT mutual TLS would refuse
// (a workload outside the mesh has no identity to present).
func CheckMesh(cat *manifest.Catalog, m *Mesh) error {
	var errs manifest.Errors
	for _, s := range cat.Spaces {
		if s.Mesh != nil && *s.Mesh && (m == nil || m.Mode == MeshOff) {
			if m != nil && m.Unconfigured {
				continue // runs outside the mesh; the program warns (Declined)
			}
			origin := "the cluster"
			if m != nil && m.Origin != "" {
				origin = m.Origin
			}
			errs = append(errs, s.ErrorAt("mesh", "space %s asks for the service mesh, but %s is %q: set it to %q or %q, or remove mesh from the space file",
				s.Name, origin, MeshOff, MeshOptIn, MeshDefault))
			continue
		}
		if !m.Meshes(s) {
			continue
		}
		for i, from := range s.AllowFrom {
			if caller := cat.Space(from); caller != nil && !m.Meshes(caller) {
				errs = append(errs, s.ErrorAt(fmt.Sprintf("allowFrom[%d]", i),
					"space %s is in the service mesh and allows %s, which is not: a workload outside the mesh has no identity, and mutual TLS (STRICT) refuses it; put %s in the mesh too (mesh: true in its space file) or remove it here",
					s.Name, from, from))
			}
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("the catalog does not fit the cluster's service mesh; nothing was deployed:\n%w", errs)
}

// SpaceMesh is what a meshed space's namespace is configured from.
type SpaceMesh struct {
	TrustDomain pulumi.StringInput
	// Callers are the service accounts allowed to call the space's workloads: its own
	// modules' and those of the spaces its file allows, all in the same environment.
	Callers []Caller
	Ready   []pulumi.Resource
}

// Caller is one module's Kubernetes service account in a space.
type Caller struct {
	Space, ServiceAccount string
}

// For is the mesh configuration of a space, or nil when the space is not in the mesh.
func (m *Mesh) For(cat *manifest.Catalog, s *manifest.Space) *SpaceMesh {
	if !m.Meshes(s) {
		return nil
	}
	spaces := append([]string{s.Name}, s.AllowFrom...)
	var callers []Caller
	for _, mod := range cat.Modules {
		if slices.Contains(spaces, mod.Space) {
			callers = append(callers, Caller{Space: mod.Space, ServiceAccount: naming.KubernetesServiceAccount(mod.Name)})
		}
	}
	slices.SortFunc(callers, func(a, b Caller) int {
		return cmp.Or(cmp.Compare(a.Space, b.Space), cmp.Compare(a.ServiceAccount, b.ServiceAccount))
	})
	return &SpaceMesh{TrustDomain: m.TrustDomain, Callers: callers, Ready: m.Ready}
}
