package graph

import "github.com/conveyor-paas/conveyor/manifest"

// Meshed says whether a space's file puts it in the service mesh (mesh: true). A cluster whose
// conveyor:mesh is "default" also meshes the spaces that leave the field unset; the graph
// draws a catalog, not a cluster, so it shows what the files say.
func Meshed(s *manifest.Space) bool { return s.Mesh != nil && *s.Mesh }
