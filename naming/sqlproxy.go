package naming

// SQLProxyContainer is the Cloud SQL Auth Proxy's container, a native sidecar (an init
// container that keeps running) of every pod that connects to Cloud SQL on GKE. The policy
// pack finds the proxy by it (CONV-SQL-010).
const SQLProxyContainer = "cloud-sql-proxy"

// PlatformKubernetesServiceAccount is what the platform's database jobs run as, in an
// environment's platform namespace and in the cluster's own (ClusterPlatformNamespace): the
// Kubernetes side of the platform's workload identity, which the proxy connects as. It is
// named as a module's (KubernetesServiceAccount), the platform being module "conveyor" of
// the reserved space.
const PlatformKubernetesServiceAccount = ReservedSpace

// PlatformServiceAccountID is the GCP service account of the platform's database jobs of a
// stack: an environment's ("dev-conveyor"), or a cluster stack's ("cluster-nonprod-conveyor").
// No module takes it: the reserved space's name is no module's.
func PlatformServiceAccountID(stack string) string { return ServiceAccountID(stack, ReservedSpace) }
