package components

import (
	networkingv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/networking/v1"

	"github.com/conveyor-paas/conveyor/naming"
)

// spacePolicies isolate a space's namespace: nothing in or out but what its modules need.
// In: from the space itself, and from the spaces its file allows. Out: to the space itself,
// to the spaces that allow it, to DNS and the environment's database; on GCP to the metadata
// server (workload identity) and Google APIs, on a local cluster to the Pub/Sub emulator.
// Every namespace a policy names is of the same environment, so environments sharing a
// cluster never reach each other.
func spacePolicies(args *SpaceArgs) []networkPolicy {
	env, space := args.Environment.Name, args.Spec.Name
	policies := []networkPolicy{defaultDeny(), sameNamespace()}
	if peers := spacePeers(env, args.Spec.AllowFrom); len(peers) > 0 {
		policies = append(policies, networkPolicy{purpose: naming.PolicyAllowFromSpaces, ingress: true,
			from: networkingv1.NetworkPolicyIngressRuleArray{networkingv1.NetworkPolicyIngressRuleArgs{From: peers}}})
	}
	if peers := spacePeers(env, args.Catalog.SpacesReachedFrom(space)); len(peers) > 0 {
		policies = append(policies, networkPolicy{purpose: naming.PolicyAllowToSpaces, egress: true,
			to: networkingv1.NetworkPolicyEgressRuleArray{networkingv1.NetworkPolicyEgressRuleArgs{To: peers}}})
	}
	policies = append(policies, allowDNS(), allowDatabase(args.Target, env))
	if args.Target.IsLocal() {
		return append(policies, allowPubSubEmulator(env))
	}
	return append(policies, allowMetadataServer(), allowGoogleAPIs())
}

// spacePeers selects the namespaces of spaces of the environment.
func spacePeers(env string, spaces []string) networkingv1.NetworkPolicyPeerArray {
	var peers networkingv1.NetworkPolicyPeerArray
	for _, s := range spaces {
		peers = append(peers, networkingv1.NetworkPolicyPeerArgs{NamespaceSelector: spaceNamespaces(env, s)})
	}
	return peers
}
