package rules

import (
	"testing"

	"github.com/conveyor-paas/conveyor/naming"
)

func TestMeshRules(t *testing.T) { runCases(t, meshCases()) }

// meshedNamespace is the fixture space's namespace, in the mesh.
func meshedNamespace(mods ...mutation) Resource {
	return namespace(spaceScope(), append([]mutation{
		set("metadata.labels.["+naming.MeshInjectionLabel+"]", naming.MeshInjectionEnabled),
	}, mods...)...)
}

func peerAuthentication(mods ...mutation) Resource {
	s := spaceScope()
	return kubeObject(s, TypePeerAuthentication, naming.MeshPeerAuthName, NamesOf(s).Namespace,
		fixture{"mtls": fixture{"mode": "STRICT"}}, mods)
}

// principal is the mesh identity of a module's service account in a space of an environment.
func principal(env, space, module string) string {
	return naming.MeshPrincipal(naming.MeshLocalTrustDomain, naming.Namespace(env, space), naming.KubernetesServiceAccount(module))
}

func authorizationPolicy(mods ...mutation) Resource {
	s := spaceScope()
	return kubeObject(s, TypeAuthorizationPolicy, naming.MeshAllowPolicyName, NamesOf(s).Namespace, fixture{
		"action": "ALLOW",
		"rules": []any{fixture{"from": []any{fixture{"source": fixture{"principals": []any{
			principal(testEnv, "sales", "quotes"), principal(testEnv, "claims", "claims"),
		}}}}}},
	}, mods)
}

// allowMeshControlPlane is a meshed namespace's egress to istiod.
func allowMeshControlPlane(s naming.Scope, mods ...mutation) Resource {
	return networkPolicy(s, naming.PolicyAllowMeshControlPlane, fixture{
		"policyTypes": []any{"Egress"},
		"egress": []any{fixture{
			"to": []any{fixture{
				"namespaceSelector": fixture{"matchLabels": fixture{"kubernetes.io/metadata.name": naming.MeshSystemNamespace}},
				"podSelector":       fixture{"matchLabels": fixture{naming.MeshControlPlaneLabel: naming.MeshControlPlaneApp}},
			}},
			"ports": []any{fixture{"protocol": "TCP", "port": naming.MeshControlPlanePort}},
		}},
	}, mods...)
}

func meshCases() []ruleCase {
	ns := meshedNamespace()
	pa := peerAuthentication()
	ap := authorizationPolicy()
	api := deployment(apiScope())
	optOut := deployment(apiScope(), set("spec.template.metadata.labels.["+naming.MeshInjectLabel+"]", "false"))
	istiod := allowMeshControlPlane(spaceScope())
	return []ruleCase{
		{rule: "CONV-NET-001", name: "a meshed namespace reaches istiod", resources: stack(allowMeshControlPlane(spaceScope()))},
		{rule: "CONV-NET-001", name: "all of istio-system",
			resources: stack(allowMeshControlPlane(spaceScope(), del("spec.egress.0.to.0.podSelector"))),
			want: []outcome{mandatory(istiod.URN, "spec.egress[0].to[0].namespaceSelector does not select namespaces by conveyor.io/environment: dev, "+
				"so it selects other environments' namespaces too")}},
		{rule: "CONV-MESH-001", name: "meshed namespace with STRICT mutual TLS", resources: stack(meshedNamespace(), peerAuthentication())},
		{rule: "CONV-MESH-001", name: "namespace outside the mesh needs none", resources: stack(namespace(spaceScope()))},
		{rule: "CONV-MESH-001", name: "meshed namespace without PeerAuthentication",
			resources: stack(meshedNamespace()),
			want:      []outcome{mandatory(ns.URN, `namespace "dev-sales" has no PeerAuthentication with mutual TLS STRICT for the whole namespace`)}},
		{rule: "CONV-MESH-001", name: "a revision label meshes the namespace too",
			resources: stack(namespace(spaceScope(), set("metadata.labels.["+naming.MeshRevisionLabel+"]", "asm-managed"))),
			want:      []outcome{mandatory(ns.URN, `namespace "dev-sales" has no PeerAuthentication with mutual TLS STRICT for the whole namespace`)}},
		{rule: "CONV-MESH-001", name: "PERMISSIVE",
			resources: stack(meshedNamespace(), peerAuthentication(set("spec.mtls.mode", "PERMISSIVE"))),
			want: []outcome{
				mandatory(ns.URN, `namespace "dev-sales" has no PeerAuthentication with mutual TLS STRICT for the whole namespace`),
				mandatory(pa.URN, `PeerAuthentication "default" in meshed namespace "dev-sales" sets spec.mtls.mode to "PERMISSIVE", which admits plaintext; it must be STRICT`),
			}},
		{rule: "CONV-MESH-001", name: "STRICT for some workloads only",
			resources: stack(meshedNamespace(), peerAuthentication(set("spec.selector.matchLabels", fixture{"conveyor.io/module": "quotes"}))),
			want:      []outcome{mandatory(ns.URN, `namespace "dev-sales" has no PeerAuthentication with mutual TLS STRICT for the whole namespace`)}},
		{rule: "CONV-MESH-001", name: "a port in plaintext",
			resources: stack(meshedNamespace(), peerAuthentication(set("spec.portLevelMtls", fixture{"8080": fixture{"mode": "DISABLE"}}))),
			want:      []outcome{mandatory(pa.URN, `PeerAuthentication "default" in meshed namespace "dev-sales" sets spec.portLevelMtls.8080.mode to "DISABLE", which admits plaintext; it must be STRICT`)}},
		{rule: "CONV-MESH-001", name: "mode not known during preview",
			resources: stack(meshedNamespace(), peerAuthentication(set("spec.mtls.mode", computed))),
			want:      []outcome{cannotDecide(ns.URN, "spec.mtls.mode"), cannotDecide(pa.URN, "spec.mtls.mode")}},

		{rule: "CONV-MESH-002", name: "callers of the policy's own environment", resources: stack(authorizationPolicy())},
		{rule: "CONV-MESH-002", name: "a DENY policy may name anyone",
			resources: stack(authorizationPolicy(set("spec.action", "DENY"), set("spec.rules.0.from.0.source", fixture{"notPrincipals": []any{"*"}})))},
		{rule: "CONV-MESH-002", name: "an ALLOW policy without rules admits nothing",
			resources: stack(authorizationPolicy(set("spec.rules", []any{})))},
		{rule: "CONV-MESH-002", name: "a principal of another environment",
			resources: stack(authorizationPolicy(set("spec.rules.0.from.0.source.principals.1", principal("pr-123", "claims", "claims")))),
			want:      []outcome{mandatory(ap.URN, `spec.rules[0].from[0].source.principals[1] "cluster.local/ns/pr-123-claims/sa/claims" is a service account of namespace "pr-123-claims", not of environment dev: environments never call each other`)}},
		{rule: "CONV-MESH-002", name: "a wildcard principal",
			resources: stack(authorizationPolicy(set("spec.rules.0.from.0.source.principals.0", "cluster.local/ns/dev-sales/sa/*"))),
			want:      []outcome{mandatory(ap.URN, `spec.rules[0].from[0].source.principals[0] "cluster.local/ns/dev-sales/sa/*" is not one service account: principal "cluster.local/ns/dev-sales/sa/*" is not <trust domain>/ns/<namespace>/sa/<account>`)}},
		{rule: "CONV-MESH-002", name: "a rule without a source",
			resources: stack(authorizationPolicy(set("spec.rules", []any{fixture{"to": []any{fixture{"operation": fixture{"methods": []any{"GET"}}}}}}))),
			want:      []outcome{mandatory(ap.URN, `spec.rules[0] admits every caller: it names no source; list the callers' principals`)}},
		{rule: "CONV-MESH-002", name: "callers by namespace, not identity",
			resources: stack(authorizationPolicy(set("spec.rules.0.from.0.source", fixture{"namespaces": []any{"pr-123-claims"}}))),
			want:      []outcome{mandatory(ap.URN, `spec.rules[0].from[0].source names no principals, so it admits callers by something other than their identity (or any caller)`)}},
		{rule: "CONV-MESH-002", name: "principals not known during preview",
			resources: stack(authorizationPolicy(set("spec.rules.0.from.0.source.principals", computed))),
			want:      []outcome{cannotDecide(ap.URN, "spec.rules[0].from[0].source.principals")}},

		{rule: "CONV-MESH-003", name: "meshed workload", resources: stack(meshedNamespace(), peerAuthentication(), deployment(apiScope()))},
		{rule: "CONV-MESH-003", name: "opting out outside the mesh changes nothing", resources: stack(namespace(spaceScope()), optOut)},
		{rule: "CONV-MESH-003", name: "a workload opts out with the label",
			resources: stack(meshedNamespace(), optOut),
			want:      []outcome{mandatory(api.URN, `"quotes-api" opts out of the sidecar (labels "sidecar.istio.io/inject") in meshed namespace dev-sales: its pods would run outside the mesh, without mutual TLS or identity`)}},
		{rule: "CONV-MESH-003", name: "a cron job opts out with the annotation",
			resources: stack(meshedNamespace(), cronJob(componentScope("cleanup"), set("spec.jobTemplate.spec.template.metadata.annotations", fixture{naming.MeshInjectAnnotation: "false"}))),
			want:      []outcome{mandatory(cronJob(componentScope("cleanup")).URN, `"quotes-cleanup" opts out of the sidecar (annotations "sidecar.istio.io/inject") in meshed namespace dev-sales: its pods would run outside the mesh, without mutual TLS or identity`)}},
	}
}
