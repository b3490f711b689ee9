package naming

import (
	"slices"
	"strings"
)

// The outputs of a cluster stack (components.ClusterOutputs writes and reads them by these
// names), and the facts among them: the one list of what the ad-hoc tier may know of a
// cluster of the long-lived tier.
//
// An ad-hoc environment (a pull request's) never reads a stack of another tier: its backend
// holds no cluster stack, and the cluster stack's outputs are the long-lived tier's. The
// long-lived tier's job on main (never a pull request's code) publishes the facts of each of
// its clusters as a stack of their own, ClusterFactsStack, into the ad-hoc tier's backend,
// which the ad-hoc tier reads and cannot write (stacks/bootstrap). A fact is what reaching
// the cluster and naming its shared services takes, and nothing that opens anything: no
// credential, no address of another tier's database.
const (
	ClusterOutputKubeconfig        = "kubeconfig"
	ClusterOutputProject           = "project"
	ClusterOutputProjectNumber     = "projectNumber"
	ClusterOutputRegion            = "region"
	ClusterOutputSQLInstance       = "sqlInstance"
	ClusterOutputSQLConnectionName = "sqlConnectionName"
	ClusterOutputSQLPrivateAddress = "sqlPrivateAddress"
	ClusterOutputSQLStagingAddress = "sqlStagingPrivateAddress"
	// ClusterOutputSQLStagingConnectionName is staging's own instance's connection name.
	ClusterOutputSQLStagingConnectionName = "sqlStagingConnectionName"
	ClusterOutputClusterName              = "clusterName"
	// ClusterOutputEndpoint is the address of the cluster's API server ("https://10.0.0.2"),
	// and ClusterOutputCACertificate its CA (base64 PEM): with them, a deployer reaches the
	// cluster as its own identity (gke-gcloud-auth-plugin), no token of the cluster stack's.
	ClusterOutputEndpoint           = "clusterEndpoint"
	ClusterOutputCACertificate      = "clusterCaCertificate"
	ClusterOutputMesh               = "mesh"
	ClusterOutputAllowedRegistries  = "allowedRegistries"
	ClusterOutputOrganizationDomain = "organizationDomain"
	// ClusterOutputAdHocProject is the project of the ad-hoc environments' accounts and
	// topics (ConfigAdHocEnvironmentsProject), and ClusterOutputAdHocProjectNumber its
	// number, which names its Pub/Sub service agent; "" on a cluster that runs none.
	ClusterOutputAdHocProject       = "adHocEnvironmentsProject"
	ClusterOutputAdHocProjectNumber = "adHocEnvironmentsProjectNumber"
)

// ClusterFacts are the outputs of a cluster stack that its facts stack publishes: every one
// an ad-hoc environment reads, and none that is a secret (the kubeconfig, however harmless
// GKE's, is one) or another tier's (staging's own instance).
func ClusterFacts() []string {
	return []string{
		ClusterOutputProject, ClusterOutputProjectNumber, ClusterOutputRegion,
		ClusterOutputSQLInstance, ClusterOutputSQLConnectionName, ClusterOutputSQLPrivateAddress,
		ClusterOutputClusterName, ClusterOutputEndpoint, ClusterOutputCACertificate,
		ClusterOutputMesh, ClusterOutputAllowedRegistries, ClusterOutputOrganizationDomain,
		ClusterOutputAdHocProject, ClusterOutputAdHocProjectNumber,
	}
}

// IsClusterFact reports whether a cluster stack's output is one of ClusterFacts.
func IsClusterFact(output string) bool { return slices.Contains(ClusterFacts(), output) }

// factsSuffix ends the name of a cluster's facts stack.
const factsSuffix = "-facts"

// ClusterFactsStack is the stack that holds the facts of a cluster stack, in the ad-hoc
// tier's backend: "cluster-nonprod-facts".
func ClusterFactsStack(clusterStack string) string { return clusterStack + factsSuffix }

// ClusterOfFactsStack is the cluster stack whose facts stack is named stack
// ("cluster-nonprod" for "cluster-nonprod-facts"), and false for any other name.
func ClusterOfFactsStack(stack string) (string, bool) {
	cluster, ok := strings.CutSuffix(stack, factsSuffix)
	if !ok || !strings.HasPrefix(cluster, ClusterStackPrefix) {
		return "", false
	}
	name := strings.TrimPrefix(cluster, ClusterStackPrefix)
	if ValidatePart(PartCluster, name) != nil {
		return "", false
	}
	return cluster, true
}

// ClusterReference is the stack an environment of env's tier reads its cluster's outputs
// from: the cluster stack itself in the long-lived and production tiers, whose backend holds
// it; its facts stack in the ad-hoc tier, whose backend holds nothing else of the cluster.
func ClusterReference(env, clusterStack string) string {
	if TierOf(env) == TierAdHoc {
		return ClusterFactsStack(clusterStack)
	}
	return clusterStack
}

// FactsStateObjects are the prefixes of every object a DIY backend keeps for the facts stack
// of clusterStack of project, relative to the backend's root: its checkpoint (and the
// .bak and .gz beside it), history, backups and locks. The bootstrap stack's bucket IAM
// names them, so that only the long-lived tier writes them; a test holds them to what the
// Pulumi CLI really writes.
func FactsStateObjects(project, clusterStack string) []string {
	stack := ClusterFactsStack(clusterStack)
	return []string{
		".pulumi/stacks/" + project + "/" + stack + ".json",
		".pulumi/history/" + project + "/" + stack + "/",
		".pulumi/backups/" + project + "/" + stack + "/",
		".pulumi/locks/organization/" + project + "/" + stack + "/",
	}
}

// BackendMetadata is the object that says how a DIY backend lays its stacks out: whoever
// writes it could move every stack's checkpoint, the facts stack's too, so only the tier that
// publishes the facts writes it.
const BackendMetadata = ".pulumi/meta.yaml"
