package naming

// The ad-hoc tier's GCP resources. IAM conditions cannot confine a deployer to accounts or
// topics of an ad-hoc prefix (neither IAM's service accounts nor Pub/Sub recognise resource
// attributes in conditions, and project IAM grants can be limited by role but not by member),
// so an ad-hoc environment's own GCP resources live in a project of their own, the ad-hoc
// environments' project, which holds nothing of another tier. The one thing it needs of the
// non-production project, a connection to the instance it shares with dev, it gets through
// AdHocSQLAccount (stacks/bootstrap, docs/security.md).
const (
	// AdHocSQLAccount is the id of the account, in the project of the non-production
	// clusters, that holds roles/cloudsql.client on the instances the ad-hoc environments
	// share and nothing else; the ad-hoc environments' accounts act as it (the proxy's
	// --impersonate-service-account), and the ad-hoc deployer may set its IAM policy only.
	AdHocSQLAccount = "conveyor-sql-adhoc"
	// AdHocEnvironmentRole is the custom role of the ad-hoc deployer in the ad-hoc
	// environments' project: service accounts and Pub/Sub, and their IAM.
	AdHocEnvironmentRole = "conveyorAdHocEnvironment"
	// AdHocSQLDelegationRole is the custom role of the ad-hoc deployer on AdHocSQLAccount:
	// who may act as it.
	AdHocSQLDelegationRole = "conveyorAdHocSQLDelegation"
)

// AdHocSQLAccountEmail is the email of AdHocSQLAccount in the project of the non-production
// clusters: the account the ad-hoc environments' proxies act as.
func AdHocSQLAccountEmail(clusterProject string) string {
	return AdHocSQLAccount + "@" + clusterProject + ".iam.gserviceaccount.com"
}
