package components

import (
	"fmt"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	networkingv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/networking/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/naming"
)

// The API of the Istio objects a meshed space gets (security.istio.io/v1, in Istio since 1.22).
const (
	meshSecurityAPI        = "security.istio.io/v1"
	kindPeerAuthentication = "PeerAuthentication"
	kindAuthorization      = "AuthorizationPolicy"
)

// mesh is the space's mesh configuration, or nil when it is not in the mesh.
func (a *SpaceArgs) mesh() *SpaceMesh { return a.Target.Mesh.For(a.Catalog, a.Spec) }

// namespaceLabels are the labels a meshed space's namespace carries besides its own: Istio
// injects its sidecar into every pod of a namespace labelled so.
func (m *SpaceMesh) namespaceLabels() map[string]string {
	if m == nil {
		return nil
	}
	return map[string]string{naming.MeshInjectionLabel: naming.MeshInjectionEnabled}
}

// newSpaceMesh configures a meshed space's namespace: mutual TLS is STRICT, so that no
// plaintext connection reaches its workloads and every caller presents its identity; an
// ALLOW policy admits the service accounts of the space's own modules and of the spaces its
// file allows, in the same environment (the namespace in each identity carries the
// environment, so pr-123 can never call dev); and a DENY policy refuses every other identity,
// so that no ALLOW policy added later can widen that. A space that is not meshed gets nothing.
func newSpaceMesh(ctx *pulumi.Context, args *SpaceArgs, ns pulumi.StringOutput, scope naming.Scope, opts []pulumi.ResourceOption) error {
	mesh := args.mesh()
	if mesh == nil {
		return nil
	}
	opts = append(opts, pulumi.DependsOn(mesh.Ready))
	nsName := naming.Namespace(scope.Environment, scope.Space)
	principals := pulumi.StringArray{}
	for _, c := range mesh.Callers {
		principals = append(principals, mesh.TrustDomain.ToStringOutput().ApplyT(func(trustDomain string) string {
			return naming.MeshPrincipal(trustDomain, naming.Namespace(scope.Environment, c.Space), c.ServiceAccount)
		}).(pulumi.StringOutput))
	}
	var allowRules, denyRules pulumi.Array
	if len(principals) > 0 {
		allowRules = pulumi.Array{pulumi.Map{"from": pulumi.Array{pulumi.Map{"source": pulumi.Map{"principals": principals}}}}}
		denyRules = pulumi.Array{pulumi.Map{"from": pulumi.Array{pulumi.Map{"source": pulumi.Map{"notPrincipals": principals}}}}}
	} else {
		// No module may call the space: the ALLOW policy has no rule, which admits nothing,
		// and the DENY policy's one empty rule matches every request.
		allowRules = pulumi.Array{}
		denyRules = pulumi.Array{pulumi.Map{}}
	}
	objects := []struct {
		name, kind string
		spec       pulumi.Map
	}{
		{naming.MeshPeerAuthName, kindPeerAuthentication, pulumi.Map{"mtls": pulumi.Map{"mode": pulumi.String("STRICT")}}},
		{naming.MeshAllowPolicyName, kindAuthorization, pulumi.Map{"action": pulumi.String("ALLOW"), "rules": allowRules}},
		{naming.MeshDenyPolicyName, kindAuthorization, pulumi.Map{"action": pulumi.String("DENY"), "rules": denyRules}},
	}
	if args.Target.IsLocal() {
		// Under the space's default-deny egress, the sidecars must still reach istiod for their
		// configuration and certificates. On GKE the managed control plane is a Google API,
		// which every space already reaches through Private Google Access.
		if _, err := newNetworkPolicies(ctx, nsName, ns, scope, []networkPolicy{allowMeshControlPlane()}, opts); err != nil {
			return err
		}
	}
	for _, o := range objects {
		if _, err := apiextensions.NewCustomResource(ctx, nsName+"/"+o.name, &apiextensions.CustomResourceArgs{
			ApiVersion:  pulumi.String(meshSecurityAPI),
			Kind:        pulumi.String(o.kind),
			Metadata:    objectMeta(o.name, ns, scope),
			OtherFields: kubernetes.UntypedArgs{"spec": o.spec},
		}, opts...); err != nil {
			return fmt.Errorf("mesh %s %s: %w", o.kind, o.name, err)
		}
	}
	return nil
}

// allowMeshControlPlane lets a meshed space's pods reach istiod, and nothing else of
// istio-system.
func allowMeshControlPlane() networkPolicy {
	return egressTo(naming.PolicyAllowMeshControlPlane, networkingv1.NetworkPolicyPeerArgs{
		NamespaceSelector: &metav1.LabelSelectorArgs{MatchLabels: pulumi.StringMap{labelNamespaceName: pulumi.String(naming.MeshSystemNamespace)}},
		PodSelector:       &metav1.LabelSelectorArgs{MatchLabels: pulumi.StringMap{naming.MeshControlPlaneLabel: pulumi.String(naming.MeshControlPlaneApp)}},
	}, ports("TCP", naming.MeshControlPlanePort))
}
