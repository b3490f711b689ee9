package naming

// DatabaseAdminUser is the role the platform's setup jobs connect to a cluster's Cloud SQL
// instance as. The cluster stack creates it through Cloud SQL's API, which makes it a member
// of cloudsqlsuperuser; module roles are created by SQL, by this user, and are members of
// nothing.
const DatabaseAdminUser = "conveyor_admin"

// DatabaseAdminSecret names the Secret, in an environment's platform namespace on GKE, that
// holds the admin's password for the setup jobs.
func DatabaseAdminSecret() string { return Workload(ReservedSpace, "database-admin") }

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
