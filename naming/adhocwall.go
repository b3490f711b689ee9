package naming

import "slices"

// The ad-hoc tier's wall on a shared non-production cluster. dev, staging and every ad-hoc
// environment share cluster-nonprod; the ad-hoc tier's deployer (the identity a pull
// request's job holds) may make and change its own environments' namespaces and what is in
// them, and nothing of dev's, staging's or the cluster's own. The cluster stack, which only
// main runs, makes the wall (components/cluster_adhoc.go):
//   - AdHocDeployerClusterRole, bound cluster-wide to the deployer: namespaces (read, create,
//     change, delete), creating RoleBindings and binding AdHocNamespaceRole; nothing else;
//   - AdHocNamespaceRole, which an ad-hoc environment binds to the deployer in each of its
//     own namespaces (DeployerRoleBinding): every read and write inside them comes from it;
//   - admission policies (AdHocNamespacePolicy, AdHocRoleBindingPolicy) that refuse the
//     deployer any namespace that is not an ad-hoc environment's and any RoleBinding outside
//     one, and NamespaceLabelsPolicy, which keeps every namespace's environment, tier and Pod
//     Security labels as they were first set, whoever asks.
const (
	// LabelTier is a namespace's trust tier, Tier's value: "ad-hoc", "long-lived", "production".
	LabelTier = "conveyor.io/tier"

	AdHocDeployerClusterRole = "conveyor-adhoc-deployer"
	AdHocNamespaceRole       = "conveyor-adhoc-namespace"
	// DeployerRoleBinding binds AdHocNamespaceRole to the deployer in one of its namespaces.
	DeployerRoleBinding = "conveyor-deployer"
	// AdHocHandoverRole lets the deployer read what the cluster stack hands the ad-hoc tier
	// in DatabaseAdminNamespace(AdHocScope): the ad-hoc admin's Secret and nothing else.
	AdHocHandoverRole = "conveyor-adhoc-handover"

	AdHocNamespacePolicy   = "conveyor-adhoc-namespaces"
	AdHocRoleBindingPolicy = "conveyor-adhoc-rolebindings"
	NamespaceLabelsPolicy  = "conveyor-namespace-labels"
)

// TierDeployer is the Kubernetes user name of t's deploy account in project: GKE names a
// Google service account by its email.
func TierDeployer(t Tier, project string) string {
	return TierDeployAccount(t) + "@" + project + ".iam.gserviceaccount.com"
}

// TrustedEnvironments are the environments that are not ad-hoc, whose names no ad-hoc
// namespace may start with: production's and the long-lived ones.
func TrustedEnvironments() []string { return []string{"dev", ProductionStack, "staging"} }

// ReservedEnvironmentWords are the words no environment's name starts with (ValidatePart),
// sorted: the platform's, Kubernetes', GKE's and the mesh's namespaces start with them.
func ReservedEnvironmentWords() []string {
	var words []string
	for w := range reservedWords[PartEnvironment] {
		words = append(words, w)
	}
	slices.Sort(words)
	return words
}

// ProtectedNamespaceLabels are the labels of a namespace that, once set, never change:
// network policies admit peers by environment, the ad-hoc tier's wall reads the tier, and
// Pod Security admission reads the levels. A namespace relabelled into another environment
// would be let into its network; one relabelled privileged would run anything.
func ProtectedNamespaceLabels() []string {
	return []string{
		LabelEnvironment, LabelTier,
		"pod-security.kubernetes.io/enforce", "pod-security.kubernetes.io/enforce-version",
	}
}
