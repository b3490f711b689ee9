package components

import (
	"fmt"

	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	networkingv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/networking/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/naming"
)

// Addresses outside the cluster that pods of a GCP environment reach.
const (
	// metadataServer is the GKE metadata server, which hands a pod the token of its module's
	// service account (workload identity).
	metadataServer = "169.254.169.254/32"
	// metadataServerDataplaneV2 is where Dataplane V2 redirects metadata requests on some GKE
	// versions; the GKE metadata server answers there on metadataServerDataplaneV2Port.
	metadataServerDataplaneV2     = "169.254.169.252/32"
	metadataServerDataplaneV2Port = 988
	// privateGoogleAPIs is private.googleapis.com: the addresses through which a private
	// cluster reaches Google APIs (Private Google Access), which the cluster's DNS resolves
	// *.googleapis.com to. Pods reach Google APIs there and nowhere else on the internet.
	privateGoogleAPIs = "199.36.153.8/30"
)

// Well-known labels of the cluster's DNS: kube-dns (CoreDNS on kind and minikube keeps the
// label) in kube-system, which Kubernetes labels with its own name.
const (
	labelNamespaceName = "kubernetes.io/metadata.name"
	dnsNamespace       = "kube-system"
	labelDNSApp        = "k8s-app"
	dnsApp             = "kube-dns"
	dnsPort            = 53
	httpPort           = 80
	httpsPort          = 443
)

// networkPolicy is one NetworkPolicy of a namespace, over every pod of it.
type networkPolicy struct {
	purpose string
	// ingress and egress say which directions the policy governs; their rules are what it
	// allows (none: it denies every connection in that direction).
	ingress, egress bool
	from            networkingv1.NetworkPolicyIngressRuleArray
	to              networkingv1.NetworkPolicyEgressRuleArray
}

// newNetworkPolicies creates a namespace's policies. Kubernetes allows a connection when some
// policy of the source allows it out and some policy of the destination allows it in; the
// default-deny policy, which allows nothing, makes that "only" what the others allow.
func newNetworkPolicies(ctx *pulumi.Context, nsName string, ns pulumi.StringOutput, scope naming.Scope, policies []networkPolicy, opts []pulumi.ResourceOption) ([]pulumi.Resource, error) {
	var created []pulumi.Resource
	for _, p := range policies {
		var types pulumi.StringArray
		if p.ingress {
			types = append(types, pulumi.String("Ingress"))
		}
		if p.egress {
			types = append(types, pulumi.String("Egress"))
		}
		name := naming.NetworkPolicy(p.purpose)
		np, err := networkingv1.NewNetworkPolicy(ctx, nsName+"/"+name, &networkingv1.NetworkPolicyArgs{
			Metadata: objectMeta(name, ns, scope),
			Spec: &networkingv1.NetworkPolicySpecArgs{
				PodSelector: &metav1.LabelSelectorArgs{},
				PolicyTypes: types,
				Ingress:     p.from,
				Egress:      p.to,
			},
		}, opts...)
		if err != nil {
			return nil, fmt.Errorf("network policy %s: %w", name, err)
		}
		created = append(created, np)
	}
	return created, nil
}

// defaultDeny denies every connection into and out of the namespace's pods.
func defaultDeny() networkPolicy {
	return networkPolicy{purpose: naming.PolicyDefaultDeny, ingress: true, egress: true}
}

// sameNamespace lets the namespace's pods connect to each other.
func sameNamespace() networkPolicy {
	self := networkingv1.NetworkPolicyPeerArray{networkingv1.NetworkPolicyPeerArgs{PodSelector: &metav1.LabelSelectorArgs{}}}
	return networkPolicy{
		purpose: naming.PolicyAllowSameSpace, ingress: true, egress: true,
		from: networkingv1.NetworkPolicyIngressRuleArray{networkingv1.NetworkPolicyIngressRuleArgs{From: self}},
		to:   networkingv1.NetworkPolicyEgressRuleArray{networkingv1.NetworkPolicyEgressRuleArgs{To: self}},
	}
}

// allowDNS lets pods ask the cluster's DNS, and nothing else in kube-system.
func allowDNS() networkPolicy {
	return egressTo(naming.PolicyAllowDNS, networkingv1.NetworkPolicyPeerArgs{
		NamespaceSelector: &metav1.LabelSelectorArgs{MatchLabels: pulumi.StringMap{labelNamespaceName: pulumi.String(dnsNamespace)}},
		PodSelector:       &metav1.LabelSelectorArgs{MatchLabels: pulumi.StringMap{labelDNSApp: pulumi.String(dnsApp)}},
	}, ports("UDP", dnsPort), ports("TCP", dnsPort))
}

// allowMetadataServer lets pods fetch their workload identity's tokens.
func allowMetadataServer() networkPolicy {
	p := egressTo(naming.PolicyAllowMetadataServer, ipBlock(pulumi.String(metadataServer)), ports("TCP", httpPort))
	p.to = append(p.to, egressTo("", ipBlock(pulumi.String(metadataServerDataplaneV2)), ports("TCP", metadataServerDataplaneV2Port)).to...)
	return p
}

// allowGoogleAPIs lets pods reach Google APIs over HTTPS, through Private Google Access.
func allowGoogleAPIs() networkPolicy {
	return egressTo(naming.PolicyAllowGoogleAPIs, ipBlock(pulumi.String(privateGoogleAPIs)), ports("TCP", httpsPort))
}

// allowDatabase lets pods reach the environment's database server: on GCP the Cloud SQL
// instance's private address on the proxy's port only (allowDatabaseAt), on a local cluster
// the environment's own PostgreSQL. Which database a pod may open is for its credentials to
// say.
func allowDatabase(t *Target, env string) networkPolicy {
	if t.IsLocal() {
		return egressTo(naming.PolicyAllowDatabase, platformPods(env, naming.LocalPostgresComponent), ports("TCP", postgresPort))
	}
	return allowDatabaseAt(t.SQLHost)
}

// allowDatabaseAt lets pods reach Cloud SQL instances at their private addresses, on the port
// where an instance accepts the Cloud SQL Auth Proxy and not on PostgreSQL's: a pod cannot
// connect without the proxy, which verifies the server (sqlproxy.go).
func allowDatabaseAt(hosts ...pulumi.StringInput) networkPolicy {
	var peers networkingv1.NetworkPolicyPeerArray
	for _, h := range hosts {
		peers = append(peers, ipBlock(pulumi.Sprintf("%s/32", h)))
	}
	return networkPolicy{purpose: naming.PolicyAllowDatabase, egress: true, to: networkingv1.NetworkPolicyEgressRuleArray{
		networkingv1.NetworkPolicyEgressRuleArgs{To: peers, Ports: networkingv1.NetworkPolicyPortArray{ports("TCP", cloudSQLProxyPort)}},
	}}
}

// allowCloudSQL is what a namespace of the platform's database jobs on GKE allows out besides
// DNS: the instances on the proxy's port, and the metadata server and Google's APIs, where the
// proxy gets its identity's token and its certificate.
func allowCloudSQL(hosts ...pulumi.StringInput) []networkPolicy {
	return []networkPolicy{allowDatabaseAt(hosts...), allowMetadataServer(), allowGoogleAPIs()}
}

// allowPubSubEmulator lets pods of a local environment reach its Pub/Sub emulator.
func allowPubSubEmulator(env string) networkPolicy {
	return egressTo(naming.PolicyAllowPubSubEmulator, platformPods(env, naming.LocalEmulatorComponent), ports("TCP", emulatorPort))
}

// egressTo is a policy that allows connections out to one peer, on some ports.
func egressTo(purpose string, peer networkingv1.NetworkPolicyPeerArgs, ps ...networkingv1.NetworkPolicyPortArgs) networkPolicy {
	var portArray networkingv1.NetworkPolicyPortArray
	for _, p := range ps {
		portArray = append(portArray, p)
	}
	return networkPolicy{purpose: purpose, egress: true, to: networkingv1.NetworkPolicyEgressRuleArray{
		networkingv1.NetworkPolicyEgressRuleArgs{To: networkingv1.NetworkPolicyPeerArray{peer}, Ports: portArray},
	}}
}

func ports(protocol string, port int) networkingv1.NetworkPolicyPortArgs {
	return networkingv1.NetworkPolicyPortArgs{Protocol: pulumi.String(protocol), Port: pulumi.Int(port)}
}

func ipBlock(cidr pulumi.StringInput) networkingv1.NetworkPolicyPeerArgs {
	return networkingv1.NetworkPolicyPeerArgs{IpBlock: &networkingv1.IPBlockArgs{Cidr: cidr}}
}

// spaceNamespaces selects the namespace of a space in an environment, and no other
// environment's: every namespace selector names the environment.
func spaceNamespaces(env, space string) *metav1.LabelSelectorArgs {
	return &metav1.LabelSelectorArgs{MatchLabels: pulumi.StringMap{
		naming.LabelEnvironment: pulumi.String(env),
		naming.LabelSpace:       pulumi.String(space),
	}}
}

// platformPods selects one of the platform's services in the environment's platform namespace.
func platformPods(env, component string) networkingv1.NetworkPolicyPeerArgs {
	return networkingv1.NetworkPolicyPeerArgs{
		NamespaceSelector: spaceNamespaces(env, naming.ReservedSpace),
		PodSelector:       &metav1.LabelSelectorArgs{MatchLabels: pulumi.ToStringMap(naming.SelectorLabels(naming.ReservedSpace, component))},
	}
}
