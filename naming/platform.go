package naming

import "slices"

// DatabaseAdminUser is a Cloud SQL instance's root: the one user the cluster stack creates
// through Cloud SQL's API, which makes it a member of cloudsqlsuperuser. Only the cluster
// stack's own job (DatabaseAdminsComponent) connects as it, to make the admins of the
// environments (DatabaseAdmin); its password never leaves the cluster stack.
const DatabaseAdminUser = "conveyor_admin"

// DatabaseAdminSecret names the Secret that holds a database admin's password: in an
// environment's platform namespace on GKE (its scope's admin, for the setup jobs), in a
// scope's admin namespace (where the cluster stack hands it over), and in the cluster's
// platform namespace (the instance's root, for the cluster's own job).
func DatabaseAdminSecret() string { return Workload(ReservedSpace, "database-admin") }

// AdHocAdminScope is the database admin scope that every ad-hoc environment shares.
const AdHocAdminScope = "adhoc"

// DatabaseAdminScope is whose database admin an environment's jobs connect as: prod, dev and
// staging each have their own; every ad-hoc environment uses the ad-hoc tier's, which holds
// ADMIN OPTION on ad-hoc roles only (and local environments have a server of their own).
func DatabaseAdminScope(env string) string {
	if kind, err := ClassifyStack(env); err == nil && (kind == StackProduction || kind == StackLongLived) {
		return env
	}
	return AdHocAdminScope
}

// DatabaseAdminScopes are the scopes whose admins a cluster stack makes: the production
// cluster's for prod, the other's for dev, staging and the ad-hoc tier.
func DatabaseAdminScopes(production bool) []string {
	if production {
		return []string{ProductionStack}
	}
	return []string{"dev", "staging", AdHocAdminScope}
}

// DatabaseAdmin is a scope's database admin role: CREATEROLE CREATEDB, made by SQL (so a
// member of nothing), by the cluster stack's job. Environment names never start with
// "conveyor", so it is never a module's role.
func DatabaseAdmin(scope string) string { return DatabaseAdminUser + "_" + scope }

// DatabaseAdminNamespace is where the cluster stack hands a scope's admin password to the
// environments of that scope, and to nothing else: its Secret DatabaseAdminSecret.
func DatabaseAdminNamespace(scope string) string { return ReservedSpace + "-admin-" + scope }

// DatabaseRootSecret names the Secret, in ClusterPlatformNamespace, with the password of an
// instance's root and the verifiers of the admins its job makes.
func DatabaseRootSecret(instance string) string {
	return Workload(ReservedSpace, "database-root-"+instance)
}

// ClusterPlatformNamespace is the cluster stack's own namespace: the instance root's Secret and
// the job that makes the scopes' admins. No environment's identity reads it.
const ClusterPlatformNamespace = ReservedSpace + "-system"

// DatabaseAdminComponent is the cluster's job that makes a scope's database admin, as its
// component label says.
func DatabaseAdminComponent(scope string) string { return "database-admin-" + scope }

// DatabaseAdminsJob names that job, one per scope in ClusterPlatformNamespace: the workload of
// the reserved module and that component, as every platform job is named.
func DatabaseAdminsJob(scope string) string {
	return Workload(ReservedSpace, DatabaseAdminComponent(scope))
}

// ClusterObjectNames are the names of a cluster stack's own Kubernetes objects of a kind
// ("Namespace", "Job", "Secret"), which the policy pack checks a cluster stack's objects
// against: the cluster's platform namespace and each scope's, each scope's admin job, and the
// Secrets of the instances' roots and of the scopes' admins.
func ClusterObjectNames(cluster, kind string) []string {
	scopes := DatabaseAdminScopes(ProductionTier(ClusterStackPrefix + cluster))
	var names []string
	switch kind {
	case "Namespace":
		names = append(names, ClusterPlatformNamespace)
		for _, s := range scopes {
			names = append(names, DatabaseAdminNamespace(s))
		}
	case "Job":
		for _, s := range scopes {
			names = append(names, DatabaseAdminsJob(s))
		}
	case "Secret":
		names = append(names, DatabaseAdminSecret())
		for _, s := range scopes {
			if root := DatabaseRootSecret(SQLInstanceOf(cluster, s)); !slices.Contains(names, root) {
				names = append(names, root)
			}
		}
	}
	return names
}

// DatabaseTeardownComponent is the platform's job that drops an environment's databases and
// roles before the environment is destroyed.
const DatabaseTeardownComponent = "database-teardown"

// DatabaseTeardownJob names that job, one per environment in its platform namespace.
func DatabaseTeardownJob() string { return Workload(ReservedSpace, DatabaseTeardownComponent) }

// DatabaseRoleComment marks a module's role as its environment's (COMMENT ON ROLE): teardown
// drops exactly the roles that carry it, and setup never takes over a role that carries
// another. Environment names are unique, so no two environments share a mark.
func DatabaseRoleComment(env string) string { return "conveyor:environment=" + env }

// More purposes of network policies: what a namespace's pods may reach besides their own
// namespace. Every namespace starts from default-deny, for ingress and egress alike.
const (
	PolicyAllowToSpaces       = "allow-to-spaces"
	PolicyAllowDNS            = "allow-dns"
	PolicyAllowMetadataServer = "allow-metadata-server"
	PolicyAllowGoogleAPIs     = "allow-google-apis"
	PolicyAllowDatabase       = "allow-database"
	PolicyAllowPubSubEmulator = "allow-pubsub-emulator"
)

// PrivateGoogleAPIsZone names the private DNS zone of a cluster's VPC that sends
// *.googleapis.com to Private Google Access, the only way out of its pods to Google APIs.
func PrivateGoogleAPIsZone(cluster string) string {
	return Fit("conveyor-"+cluster+"-googleapis", MaxComputeName, '-')
}
