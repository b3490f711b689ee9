package components

import (
	"github.com/conveyor-paas/conveyor/manifest"
	"github.com/conveyor-paas/conveyor/naming"
)

// meshAnnotations are what keeps a meshed space's workloads working with the sidecar Istio
// injects, written on every pod rather than left to the mesh's defaults:
//   - the sidecar is a native sidecar (an init container that keeps running), so that it
//     starts before the application and a Job or CronJob completes when its container ends;
//   - HTTP probes are rewritten to go through the sidecar's agent, since STRICT mutual TLS
//     refuses the kubelet's plaintext probes;
//   - the sidecar requests and is limited to the space's container defaults, so that it fits
//     the space's LimitRange maximum like any container (and counts in its quota).
//
// Pods of a space outside the mesh get none.
func (b *moduleBuilder) meshAnnotations() map[string]string {
	space := b.args.Catalog.Space(b.args.Spec.Space)
	if !b.args.Target.Mesh.Meshes(space) {
		return nil
	}
	limits := manifest.ContainerLimits(space.Limits)
	return map[string]string{
		naming.MeshNativeSidecar:    "true",
		naming.MeshRewriteProbes:    "true",
		naming.MeshProxyCPU:         string(limits.DefaultRequest.CPU),
		naming.MeshProxyMemory:      string(limits.DefaultRequest.Memory),
		naming.MeshProxyCPULimit:    string(limits.Default.CPU),
		naming.MeshProxyMemoryLimit: string(limits.Default.Memory),
	}
}
