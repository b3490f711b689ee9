package rules

import "fmt"

// PodSecurityEnforceLabel is the namespace label the Pod Security admission controller reads.
const PodSecurityEnforceLabel = "pod-security.kubernetes.io/enforce"

// The namespace rules make every space's namespace safe by default (CIS GKE):
// the admission controller refuses pods that break the restricted profile, traffic is denied
// unless a policy allows it, and a quota bounds what the space can consume.
func namespaceRules() []Rule {
	return []Rule{
		{
			ID:          "CONV-NS-001",
			Severity:    SeverityHigh,
			Description: "Namespaces enforce the restricted Pod Security Standard.",
			Remediation: "Label the Namespace " + PodSecurityEnforceLabel + ": restricted.",
			Types:       []string{TypeNamespace},
			Check:       checkPodSecurityLabel,
		},
		{
			ID:       "CONV-NS-002",
			Severity: SeverityHigh,
			Description: "Every namespace has a default-deny ingress NetworkPolicy (podSelector {}, policyTypes " +
				"[Ingress], no ingress rules).",
			Remediation: "Create the space's \"default-deny\" NetworkPolicy (naming.NetworkPolicy(\"default-deny\")) in the " +
				"namespace with spec.podSelector: {}, spec.policyTypes: [Ingress] and no spec.ingress; allow traffic " +
				"with further, narrower policies.",
			CheckStack: checkDefaultDeny,
		},
		{
			ID:          "CONV-NS-003",
			Severity:    SeverityMedium,
			Description: "Every namespace has a ResourceQuota.",
			Remediation: "Create the space's ResourceQuota in the namespace (the space's quota in its space file; " +
				"Conveyor fills in the defaults).",
			CheckStack: checkQuota,
		},
	}
}

func checkPodSecurityLabel(r Resource) []Finding {
	v := inputs(r).at("metadata.labels").key(PodSecurityEnforceLabel)
	switch {
	case v.unknown():
		return []Finding{undecided(v)}
	case !v.set():
		return []Finding{violationf("label %s is not set", PodSecurityEnforceLabel)}
	case v.str() != "restricted":
		return []Finding{violationf("label %s is %s, not \"restricted\"", PodSecurityEnforceLabel, v.show())}
	}
	return nil
}

// forNamespaces runs check on every Namespace of the stack whose name is known.
func forNamespaces(idx *objectIndex, check func(ns object) []Finding) []Finding {
	var out []Finding
	for _, ns := range idx.of(TypeNamespace).all {
		if ns.name.unknown() {
			out = append(out, Finding{URN: ns.URN, Undecided: true, Message: undecided(ns.name).Message})
			continue
		}
		out = append(out, check(ns)...)
	}
	return out
}

// requireIn reports on the namespace when the stack has no object of typ in it that matches.
func requireIn(idx *objectIndex, ns object, typ string, match func(object) (bool, *value), missing string) []Finding {
	found, pending := idx.findIn(typ, ns.name.str(), match)
	switch {
	case found:
		return nil
	case pending != nil:
		return []Finding{{URN: ns.URN, Undecided: true, Message: undecided(*pending).Message}}
	}
	return []Finding{{URN: ns.URN, Message: fmt.Sprintf("namespace %s has no %s", ns.name.show(), missing)}}
}

func checkDefaultDeny(s Stack) []Finding {
	idx := indexObjects(s)
	return forNamespaces(idx, func(ns object) []Finding {
		return requireIn(idx, ns, TypeNetworkPolicy, isDefaultDenyIngress, "default-deny ingress NetworkPolicy")
	})
}

func checkQuota(s Stack) []Finding {
	idx := indexObjects(s)
	return forNamespaces(idx, func(ns object) []Finding {
		return requireIn(idx, ns, TypeResourceQuota, func(object) (bool, *value) { return true, nil }, "ResourceQuota")
	})
}

// isDefaultDenyIngress: the policy selects every pod (an empty podSelector), governs ingress,
// and allows none.
var isDefaultDenyIngress = deniesAll("Ingress", "ingress")
