package rules

import (
	"fmt"

	"github.com/conveyor-paas/conveyor/naming"
)

// Type tokens of the Istio objects the mesh rules read (security.istio.io/v1, and v1beta1,
// which the same CRDs still serve).
const (
	TypePeerAuthentication        = "kubernetes:security.istio.io/v1:PeerAuthentication"
	TypeAuthorizationPolicy       = "kubernetes:security.istio.io/v1:AuthorizationPolicy"
	typePeerAuthenticationBeta    = "kubernetes:security.istio.io/v1beta1:PeerAuthentication"
	typeAuthorizationPolicyBeta   = "kubernetes:security.istio.io/v1beta1:AuthorizationPolicy"
	mtlsStrict                    = "STRICT"
	authorizationAllow            = "ALLOW"
	meshInjectionDisabledByPolicy = "false"
)

// The mesh rules hold a meshed space to what the mesh promises (Istio's own security
// guidance): every connection is mutual TLS, callers are admitted by identity and only from
// their own environment, and no workload quietly runs outside the mesh.
func meshRules() []Rule {
	return []Rule{
		{
			ID:       "CONV-MESH-001",
			Severity: SeverityHigh,
			Description: "A namespace in the service mesh has a namespace-wide PeerAuthentication with mutual TLS " +
				"STRICT, and no PeerAuthentication in it allows plaintext.",
			Remediation: "Create the PeerAuthentication \"" + naming.MeshPeerAuthName + "\" (no selector) in the namespace " +
				"with spec.mtls.mode: STRICT, and set STRICT (or leave unset) every mode of the namespace's other " +
				"PeerAuthentications, port-level modes included.",
			CheckStack: checkStrictMTLS,
		},
		{
			ID:       "CONV-MESH-002",
			Severity: SeverityCritical,
			Description: "An ALLOW AuthorizationPolicy admits only named service accounts (principals) of its own " +
				"environment's namespaces.",
			Remediation: "List the callers as naming.MeshPrincipal(trust domain, naming.Namespace(env, space), " +
				"service account) of the policy's own environment, in every rule's from[].source.principals; never " +
				"a wildcard, another environment's namespace, or a rule without a source.",
			Types: []string{TypeAuthorizationPolicy, typeAuthorizationPolicyBeta},
			Check: checkPrincipals,
		},
		{
			ID:          "CONV-MESH-003",
			Severity:    SeverityHigh,
			Description: "No workload in a namespace of the service mesh opts out of sidecar injection.",
			Remediation: "Remove the " + naming.MeshInjectLabel + ": \"false\" label or annotation from the pod template; " +
				"a workload that must run outside the mesh belongs in a space that is not in it.",
			CheckStack: checkInjectionOptOut,
		},
	}
}

// meshedNamespaces are the namespaces of the stack that Istio puts in the mesh: labelled for
// sidecar injection (by the default revision or a named one) or for ambient mode.
func meshedNamespaces(idx *objectIndex) (meshed []object, out []Finding) {
	for _, ns := range idx.of(TypeNamespace).all {
		labels, pending := inputs(ns.Resource).at("metadata.labels").strMap()
		switch {
		case pending != nil:
			out = append(out, Finding{URN: ns.URN, Undecided: true, Message: undecided(*pending).Message})
		case ns.name.unknown():
			out = append(out, Finding{URN: ns.URN, Undecided: true, Message: undecided(ns.name).Message})
		case labels[naming.MeshInjectionLabel] == naming.MeshInjectionEnabled,
			labels[naming.MeshRevisionLabel] != "",
			labels[naming.MeshDataplaneLabel] == naming.MeshDataplaneAmbient:
			meshed = append(meshed, ns)
		}
	}
	return meshed, out
}

func checkStrictMTLS(s Stack) []Finding {
	idx := indexObjects(s)
	meshed, out := meshedNamespaces(idx)
	for _, ns := range meshed {
		out = append(out, requireIn(idx, ns, TypePeerAuthentication, isNamespaceWideStrict,
			"PeerAuthentication with mutual TLS STRICT for the whole namespace")...)
		for _, typ := range []string{TypePeerAuthentication, typePeerAuthenticationBeta} {
			t := idx.of(typ)
			for _, i := range t.byNamespace[ns.name.str()] {
				out = append(out, relaxedModes(t.all[i])...)
			}
		}
	}
	return out
}

// isNamespaceWideStrict: the PeerAuthentication selects every workload and requires STRICT.
func isNamespaceWideStrict(pa object) (bool, *value) {
	spec := inputs(pa.Resource).key("spec")
	selector, mode := spec.key("selector"), spec.at("mtls.mode")
	for _, v := range []value{selector, mode} {
		if v.unknown() {
			return false, &v
		}
	}
	labels, pending := selector.key("matchLabels").strMap()
	if pending != nil {
		return false, pending
	}
	return len(labels) == 0 && mode.str() == mtlsStrict, nil
}

// relaxedModes reports every mode of a PeerAuthentication that lets plaintext in: PERMISSIVE
// or DISABLE, for the workload or one of its ports.
func relaxedModes(pa object) []Finding {
	spec := inputs(pa.Resource).key("spec")
	modes := []value{spec.at("mtls.mode")}
	ports := spec.key("portLevelMtls")
	if ports.unknown() {
		return []Finding{{URN: pa.URN, Undecided: true, Message: undecided(ports).Message}}
	}
	for _, port := range ports.keys() {
		modes = append(modes, ports.key(port).key("mode"))
	}
	var out []Finding
	for _, m := range modes {
		switch {
		case m.unknown():
			out = append(out, Finding{URN: pa.URN, Undecided: true, Message: undecided(m).Message})
		case m.set() && m.str() != mtlsStrict && m.str() != "UNSET":
			out = append(out, Finding{URN: pa.URN, Message: fmt.Sprintf(
				"PeerAuthentication %s in meshed namespace %s sets %s to %s, which admits plaintext; it must be STRICT",
				pa.name.show(), pa.namespace.show(), m.path, m.show())})
		}
	}
	return out
}

// checkPrincipals reads every source of an ALLOW policy: each names principals, and each
// principal is a service account in a namespace of the policy's own environment.
func checkPrincipals(r Resource) []Finding {
	in := inputs(r)
	spec, ns := in.key("spec"), in.at("metadata.namespace")
	for _, v := range []value{spec, ns} {
		if v.unknown() {
			return []Finding{undecided(v)}
		}
	}
	action := spec.key("action")
	if action.unknown() {
		return []Finding{undecided(action)}
	}
	if action.set() && action.str() != authorizationAllow {
		return nil // DENY, AUDIT and CUSTOM never admit a caller
	}
	env, _, ok := naming.SpaceOfNamespace(ns.str())
	if !ok {
		env = r.Environment
	}
	rules := spec.key("rules")
	if rules.unknown() {
		return []Finding{undecided(rules)}
	}
	var out []Finding
	for _, rule := range rules.items() {
		from := rule.key("from")
		if from.unknown() {
			return []Finding{undecided(from)}
		}
		if len(from.items()) == 0 {
			out = append(out, violationf("%s admits every caller: it names no source; list the callers' principals", rule.path))
			continue
		}
		for _, f := range from.items() {
			out = append(out, checkSource(f.key("source"), env)...)
		}
	}
	return out
}

// checkSource reports a source that admits a caller who is not a named service account of env.
func checkSource(source value, env string) []Finding {
	principals, namespaces := source.key("principals"), source.key("namespaces")
	for _, v := range []value{source, principals, namespaces} {
		if v.unknown() {
			return []Finding{undecided(v)}
		}
	}
	if len(principals.items()) == 0 {
		return []Finding{violationf("%s names no principals, so it admits callers by something other than their identity (or any caller)", source.path)}
	}
	var out []Finding
	for _, p := range principals.items() {
		if p.unknown() {
			return []Finding{undecided(p)}
		}
		namespace, _, err := naming.ParseMeshPrincipal(p.str())
		if err != nil {
			out = append(out, violationf("%s %s is not one service account: %v", p.path, p.show(), err))
			continue
		}
		if other, _, ok := naming.SpaceOfNamespace(namespace); !ok || other != env {
			out = append(out, violationf("%s %s is a service account of namespace %q, not of environment %s: environments never call each other",
				p.path, p.show(), namespace, env))
		}
	}
	for _, n := range namespaces.items() {
		if other, _, ok := naming.SpaceOfNamespace(n.str()); !ok || other != env {
			out = append(out, violationf("%s %s is not a namespace of environment %s: environments never call each other", n.path, n.show(), env))
		}
	}
	return out
}

// checkInjectionOptOut reports every workload of a meshed namespace whose pods say
// sidecar.istio.io/inject: "false", as a label or (the older way) an annotation.
func checkInjectionOptOut(s Stack) []Finding {
	idx := indexObjects(s)
	meshed, out := meshedNamespaces(idx)
	for _, ns := range meshed {
		for _, typ := range WorkloadTypes() {
			t := idx.of(typ)
			for _, i := range t.byNamespace[ns.name.str()] {
				w := t.all[i]
				p, _ := podOf(w.Resource)
				for _, where := range []string{"labels", "annotations"} {
					v := p.meta.key(where).key(naming.MeshInjectLabel)
					switch {
					case v.unknown():
						out = append(out, Finding{URN: w.URN, Undecided: true, Message: undecided(v).Message})
					case v.str() == meshInjectionDisabledByPolicy:
						out = append(out, Finding{URN: w.URN, Message: fmt.Sprintf(
							"%s opts out of the sidecar (%s %q) in meshed namespace %s: its pods would run outside the mesh, without mutual TLS or identity",
							w.name.show(), where, naming.MeshInjectLabel, ns.name.str())})
					}
				}
			}
		}
	}
	return out
}

// isMeshControlPlanePeer: the peer is istiod's pods, which a meshed namespace's sidecars reach
// for their configuration and certificates; istio-system is the mesh's, no environment's.
func isMeshControlPlanePeer(peer value) bool {
	labels, pending := peer.at("podSelector.matchLabels").strMap()
	return pending == nil && len(labels) == 1 && labels[naming.MeshControlPlaneLabel] == naming.MeshControlPlaneApp
}
