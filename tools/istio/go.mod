// The Istio API the mesh is tested against: its CustomResourceDefinitions
// (kubernetes/customresourcedefinitions.gen.yaml) are what the API-server tier installs before
// it applies the mesh objects of every stack. The module is only ever downloaded, never built
// or imported, and kept out of the main module so that its dependency graph never touches it.
// Keep the version in step with conveyor:istioVersion's default (a test checks it).
module github.com/conveyor-paas/conveyor/tools/istio

go 1.26.0

require istio.io/api v1.32.0
