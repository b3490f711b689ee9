package naming

import (
	"fmt"
	"strings"
)

// The service mesh (Istio) names what it reads by fixed labels, annotations and object names;
// Conveyor writes them, and its policy pack reads them, from here.

// Namespace labels Istio reads: sidecar injection by the default revision, injection by a
// named revision, and ambient mode.
const (
	MeshInjectionLabel    = "istio-injection"
	MeshInjectionEnabled  = "enabled"
	MeshRevisionLabel     = "istio.io/rev"
	MeshDataplaneLabel    = "istio.io/dataplane-mode"
	MeshDataplaneAmbient  = "ambient"
	MeshInjectLabel       = "sidecar.istio.io/inject"
	MeshInjectAnnotation  = "sidecar.istio.io/inject"
	MeshNativeSidecar     = "sidecar.istio.io/nativeSidecar"
	MeshRewriteProbes     = "sidecar.istio.io/rewriteAppHTTPProbers"
	MeshProxyCPU          = "sidecar.istio.io/proxyCPU"
	MeshProxyCPULimit     = "sidecar.istio.io/proxyCPULimit"
	MeshProxyMemory       = "sidecar.istio.io/proxyMemory"
	MeshProxyMemoryLimit  = "sidecar.istio.io/proxyMemoryLimit"
	MeshPeerAuthName      = "default"
	MeshAllowPolicyName   = "allow-callers"
	MeshDenyPolicyName    = "deny-other-callers"
	MeshSystemNamespace   = "istio-system"
	MeshControlPlaneLabel = "app"
	MeshControlPlaneApp   = "istiod"
	// MeshControlPlanePort is istiod's port for configuration (xDS) and certificates, over TLS.
	MeshControlPlanePort = 15012
	// PolicyAllowMeshControlPlane is the NetworkPolicy that lets a meshed space's sidecars
	// reach istiod, under the space's default-deny egress.
	PolicyAllowMeshControlPlane = "allow-mesh-control-plane"
	MeshLocalTrustDomain        = "cluster.local"
	meshPrincipalNSMarker       = "/ns/"
	meshPrincipalSAMarker       = "/sa/"
)

// The Helm releases of Istio's official charts that a local cluster installs, in the order
// they must be installed: the CRDs and cluster roles, the CNI node agent (so that pods need no
// privileged init container), then the control plane.
const (
	MeshReleaseBase   = "istio-base"
	MeshReleaseCNI    = "istio-cni"
	MeshReleaseIstiod = "istiod"
)

// MeshTrustDomain is the trust domain of a GKE cluster's managed mesh: the fleet's workload
// identity pool, so that a workload's mesh identity and its GCP identity name the same pool.
func MeshTrustDomain(project string) string { return project + ".svc.id.goog" }

// MeshPrincipal is the identity Istio gives a workload running as a Kubernetes service
// account: "<trust domain>/ns/<namespace>/sa/<account>", as AuthorizationPolicies name it.
func MeshPrincipal(trustDomain, namespace, serviceAccount string) string {
	return trustDomain + meshPrincipalNSMarker + namespace + meshPrincipalSAMarker + serviceAccount
}

// ParseMeshPrincipal reads a principal back into its namespace and service account. A
// principal with a wildcard, or in another form, is not one Conveyor writes.
func ParseMeshPrincipal(principal string) (namespace, serviceAccount string, err error) {
	_, rest, ok := strings.Cut(principal, meshPrincipalNSMarker)
	if !ok || strings.Contains(principal, "*") {
		return "", "", fmt.Errorf("principal %q is not <trust domain>/ns/<namespace>/sa/<account>", principal)
	}
	namespace, serviceAccount, ok = strings.Cut(rest, meshPrincipalSAMarker)
	if !ok || namespace == "" || serviceAccount == "" || strings.Contains(serviceAccount, "/") {
		return "", "", fmt.Errorf("principal %q is not <trust domain>/ns/<namespace>/sa/<account>", principal)
	}
	return namespace, serviceAccount, nil
}

// SpaceOfNamespace reads a space's namespace ("<env>-<space>") back into its environment and
// space. Space names are one word, so the last dash separates them, and the name is never cut
// (an environment and a space are at most 20 characters each).
func SpaceOfNamespace(namespace string) (env, space string, ok bool) {
	i := strings.LastIndexByte(namespace, '-')
	if i <= 0 || i == len(namespace)-1 {
		return "", "", false
	}
	env, space = namespace[:i], namespace[i+1:]
	if ValidatePart(PartEnvironment, env) != nil || ValidatePart(PartSpace, space) != nil {
		return "", "", false
	}
	return env, space, Namespace(env, space) == namespace
}
