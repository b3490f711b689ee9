package naming

import "strings"

// GCP limits.
const (
	MinServiceAccountID   = 6
	MaxServiceAccountID   = 30
	MaxServiceAccountName = 100 // display name
	MaxGKEName            = 40  // clusters and node pools
	MaxComputeName        = 63  // networks, subnetworks, addresses, routers (RFC 1035)
	MaxSQLInstanceName    = 80  // leaves room for the project id within the 98 of "project:instance"
	MaxGCPLabelValue      = 63
)

// ServiceAccountID is a module's GCP service account id: "<env>-<module>", cut and hashed to
// fit 30 characters. An id shorter than 6 characters is padded with "-0…": no natural id ends
// in a word that starts with a digit (modules are words starting with a letter), so padding
// can never produce another module's id.
func ServiceAccountID(env, module string) string {
	id := Fit(env+"-"+module, MaxServiceAccountID, '-')
	if len(id) < MinServiceAccountID {
		id += "-0"
		id += strings.Repeat("0", max(0, MinServiceAccountID-len(id)))
	}
	return id
}

// ServiceAccountDisplayName is the human-readable name of a module's GCP service account.
func ServiceAccountDisplayName(env, space, module string) string {
	return Fit("Conveyor "+env+"/"+space+"/"+module, MaxServiceAccountName, ' ')
}

// Cluster is the GKE cluster built by the cluster stack "cluster-<name>": "conveyor-<name>".
func Cluster(name string) string {
	return Fit("conveyor-"+name, MaxGKEName, '-')
}

// NodePool is one of a cluster's node pools: "<pool>"; GKE scopes pool names to the cluster.
func NodePool(pool string) string {
	return Fit(pool, MaxGKEName, '-')
}

// NodeServiceAccountID is the dedicated service account of a cluster's nodes.
func NodeServiceAccountID(cluster string) string {
	return Fit("conveyor-"+cluster+"-nodes", MaxServiceAccountID, '-')
}

// Network is the VPC of a cluster: "conveyor-<name>".
func Network(cluster string) string {
	return Fit("conveyor-"+cluster, MaxComputeName, '-')
}

// Subnetwork is the cluster's subnet in its region.
func Subnetwork(cluster, region string) string {
	return Fit("conveyor-"+cluster+"-"+region, MaxComputeName, '-')
}

// PrivateServicesRange is the address range reserved on the cluster's VPC for private
// services access (Cloud SQL's private IP).
func PrivateServicesRange(cluster string) string {
	return Fit("conveyor-"+cluster+"-private-services", MaxComputeName, '-')
}

// Router and NAT give private nodes a way out to pull public images.
func Router(cluster string) string { return Fit("conveyor-"+cluster+"-router", MaxComputeName, '-') }

// NAT is the Cloud NAT on the cluster's router.
func NAT(cluster string) string { return Fit("conveyor-"+cluster+"-nat", MaxComputeName, '-') }

// SQLInstance is the Cloud SQL for PostgreSQL instance a cluster's environments share.
func SQLInstance(cluster string) string {
	return Fit("conveyor-"+cluster+"-pg", MaxSQLInstanceName, '-')
}

// StagingScope is the one database admin scope with an instance of its own on a shared
// cluster: staging's data lives long, and no pull request's environment shares its server.
const StagingScope = "staging"

// SQLInstanceOf is the instance the environments of an admin scope use on a cluster: staging's
// own ("conveyor-<cluster>-pg-staging", which no cluster's SQLInstance ends like), or the
// cluster's shared one (dev and the ad-hoc environments; prod on cluster-prod).
func SQLInstanceOf(cluster, scope string) string {
	if scope == StagingScope {
		return Fit("conveyor-"+cluster+"-pg-"+scope, MaxSQLInstanceName, '-')
	}
	return SQLInstance(cluster)
}

// GCP label keys. GCP label keys and values are lowercase letters, digits, '-' and '_'.
const (
	GCPLabelManagedBy   = "managed-by"
	GCPLabelEnvironment = "conveyor-environment"
	GCPLabelSpace       = "conveyor-space"
	GCPLabelModule      = "conveyor-module"
	GCPLabelComponent   = "conveyor-component"
	GCPLabelEvent       = "conveyor-event"
	GCPLabelFromSpace   = "conveyor-from-space"
	GCPLabelFromModule  = "conveyor-from-module"
	GCPLabelCluster     = "conveyor-cluster"
)

// GCPLabels carry the same facts as KubernetesLabels, in GCP's label syntax.
func GCPLabels(s Scope) map[string]string {
	return labelSet(GCPLabelManagedBy, MaxGCPLabelValue,
		GCPLabelEnvironment, s.Environment,
		GCPLabelSpace, s.Space,
		GCPLabelModule, s.Module,
		GCPLabelComponent, s.Component,
		GCPLabelEvent, s.Event,
		GCPLabelFromSpace, s.FromSpace,
		GCPLabelFromModule, s.FromModule,
	)
}

// ClusterGCPLabels label the resources of a cluster stack, which belong to no environment.
func ClusterGCPLabels(cluster string) map[string]string {
	return map[string]string{GCPLabelManagedBy: ManagedBy, GCPLabelCluster: cluster}
}

// ScopeFromGCPLabels reads a scope back from a GCP resource's labels.
func ScopeFromGCPLabels(labels map[string]string) Scope {
	return Scope{
		Environment: labels[GCPLabelEnvironment],
		Space:       labels[GCPLabelSpace],
		Module:      labels[GCPLabelModule],
		Component:   labels[GCPLabelComponent],
		Event:       labels[GCPLabelEvent],
		FromSpace:   labels[GCPLabelFromSpace],
		FromModule:  labels[GCPLabelFromModule],
	}
}

// The Binary Authorization attestor of main's pipeline and its Container Analysis note: one
// of each in a cluster's project, so their names are fixed.
const (
	Attestor     = "conveyor-main"
	AttestorNote = "conveyor-main"
)
