package rules

import (
	"net/netip"

	"github.com/conveyor-paas/conveyor/naming"
)

// The network rules keep environments that share a cluster apart: every namespace denies
// egress as well as ingress by default, and no policy opens a namespace of another
// environment, by selector or by address.
func networkRules() []Rule {
	return []Rule{
		{
			ID:       "CONV-NS-004",
			Severity: SeverityHigh,
			Description: "Every namespace has a default-deny egress NetworkPolicy (podSelector {}, policyTypes with " +
				"Egress, no egress rules).",
			Remediation: "Give the namespace's \"default-deny\" NetworkPolicy spec.policyTypes [Ingress, Egress] and no " +
				"spec.egress; allow what its pods need with further, narrower policies.",
			CheckStack: checkDefaultDenyEgress,
		},
		{
			ID:       "CONV-NET-001",
			Severity: SeverityCritical,
			Types:    []string{TypeNetworkPolicy},
			Description: "No NetworkPolicy opens another environment's namespaces: every peer is a pod of its own " +
				"namespace, namespaces labelled with its environment, kube-system's DNS, istiod's pods in istio-system, " +
				"or an address that is not a " +
				"range of private addresses; no rule allows every peer.",
			Remediation: "Select namespaces with matchLabels " + naming.LabelEnvironment + ": <env> (and " +
				naming.LabelSpace + "), name single addresses (/32) in ipBlocks of private ranges, and give every rule " +
				"its peers (from/to).",
			Check: checkPeers,
		},
	}
}

func checkDefaultDenyEgress(s Stack) []Finding {
	idx := indexObjects(s)
	return forNamespaces(idx, func(ns object) []Finding {
		return requireIn(idx, ns, TypeNetworkPolicy, isDefaultDenyEgress, "default-deny egress NetworkPolicy")
	})
}

// isDefaultDenyEgress: the policy selects every pod, governs egress, and allows none.
var isDefaultDenyEgress = deniesAll("Egress", "egress")

// deniesAll says whether a NetworkPolicy selects every pod (an empty podSelector), governs
// the direction policyType, and allows nothing in it (no rules under key).
func deniesAll(policyType, key string) func(np object) (bool, *value) {
	return func(np object) (bool, *value) {
		spec := inputs(np.Resource).key("spec")
		selector, types, rules := spec.key("podSelector"), spec.key("policyTypes"), spec.key(key)
		for _, v := range []value{selector, types, rules} {
			if v.unknown() {
				return false, &v
			}
		}
		all, pending := selects(selector, nil, true, true)
		if pending != nil || !all {
			return false, pending
		}
		governs := false
		for _, t := range types.items() {
			if t.unknown() {
				return false, &t
			}
			governs = governs || t.str() == policyType
		}
		return governs && len(rules.items()) == 0, nil
	}
}

// privateRanges are where a cluster's nodes, pods, services and private services live: an
// ipBlock that covers more than one of their addresses may reach another environment's pods.
var privateRanges = []netip.Prefix{
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.168.0.0/16"),
	netip.MustParsePrefix("100.64.0.0/10"),
}

func checkPeers(r Resource) []Finding {
	spec := inputs(r).key("spec")
	if spec.unknown() {
		return []Finding{undecided(spec)}
	}
	var out []Finding
	for _, dir := range []struct{ rules, peers string }{{"ingress", "from"}, {"egress", "to"}} {
		list := spec.key(dir.rules)
		if list.unknown() {
			return []Finding{undecided(list)}
		}
		for _, rule := range list.items() {
			peers := rule.key(dir.peers)
			if peers.unknown() {
				return []Finding{undecided(peers)}
			}
			if len(peers.items()) == 0 {
				out = append(out, violationf("%s has no %s: it allows every peer, the pods of every environment included", rule.path, dir.peers))
				continue
			}
			for _, peer := range peers.items() {
				f, pending := checkPeer(peer, r.Environment)
				if pending != nil {
					return []Finding{undecided(*pending)}
				}
				out = append(out, f...)
			}
		}
	}
	return out
}

// checkPeer checks one peer of a rule.
func checkPeer(peer value, env string) ([]Finding, *value) {
	if peer.unknown() {
		return nil, &peer
	}
	if block := peer.key("ipBlock"); block.set() || block.unknown() {
		return checkIPBlock(block)
	}
	nsSelector := peer.key("namespaceSelector")
	if nsSelector.unknown() {
		return nil, &nsSelector
	}
	if !nsSelector.set() {
		return nil, nil // pods of the policy's own namespace
	}
	labels, pending := nsSelector.key("matchLabels").strMap()
	if pending != nil {
		return nil, pending
	}
	switch {
	case labels[naming.LabelEnvironment] == env:
		return nil, nil
	case len(labels) == 1 && labels[labelNamespaceName] == "kube-system" && isDNSPeer(peer):
		return nil, nil
	case len(labels) == 1 && labels[labelNamespaceName] == naming.MeshSystemNamespace && isMeshControlPlanePeer(peer):
		return nil, nil
	case labels[naming.LabelEnvironment] != "":
		return []Finding{violationf("%s selects namespaces of environment %q, not %q", nsSelector.path, labels[naming.LabelEnvironment], env)}, nil
	}
	return []Finding{violationf("%s does not select namespaces by %s: %s, so it selects other environments' namespaces too",
		nsSelector.path, naming.LabelEnvironment, env)}, nil
}

// labelNamespaceName is the label the API server gives every namespace: its name.
const labelNamespaceName = "kubernetes.io/metadata.name"

// isDNSPeer: the peer is the cluster's DNS pods, selected by their k8s-app label.
func isDNSPeer(peer value) bool {
	labels, pending := peer.at("podSelector.matchLabels").strMap()
	return pending == nil && len(labels) == 1 && labels["k8s-app"] == "kube-dns"
}

// checkIPBlock: an ipBlock of private addresses names one address (the database's); a wider
// one covers pods and services of every environment on the cluster.
func checkIPBlock(block value) ([]Finding, *value) {
	cidr := block.key("cidr")
	if block.unknown() || cidr.unknown() {
		if block.unknown() {
			return nil, &block
		}
		return nil, &cidr
	}
	prefix, err := netip.ParsePrefix(cidr.str())
	if err != nil {
		return []Finding{violationf("%s %s is not a CIDR: %v", cidr.path, cidr.show(), err)}, nil
	}
	if prefix.IsSingleIP() {
		return nil, nil
	}
	for _, private := range privateRanges {
		if prefix.Overlaps(private) {
			return []Finding{violationf("%s %s covers private addresses (%s), where the cluster's pods and services of every environment are",
				cidr.path, cidr.show(), private)}, nil
		}
	}
	return nil, nil
}
