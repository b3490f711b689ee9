package bootstrap

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/projects"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/serviceaccount"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/naming"
)

// What an ad-hoc environment on GKE makes in GCP, and so what its deployer must be allowed:
// a service account per module and one for its database jobs, each bound to its Kubernetes
// service account (workload identity); topics, subscriptions and dead-letter topics with
// their IAM; and a connection to the Cloud SQL instance it shares with dev.
//
// A grant in the non-production project cannot be confined to ad-hoc names: IAM conditions
// see resource names only for the services that publish them, and neither IAM's service
// accounts nor Pub/Sub's topics do (a condition on their names holds for none), creating an
// account is checked on the project, not on the new account's id, and a project IAM grant can
// be limited by role (iam.googleapis.com/modifiedGrantsByRole) but not by member or condition,
// so whoever may grant roles/cloudsql.client there may grant it on staging's instance too. So
// the ad-hoc environments' own resources live in a project of their own
// (Config.AdHocEnvironmentsProject), where the deployer holds exactly the permissions of
// adHocEnvironmentPermissions and nothing of any other tier exists; it holds no right to that
// project's IAM or roles, so it cannot widen itself there.
//
// The shared instance stays in the non-production project with dev's. One account there,
// naming.AdHocSQLAccount, made here, holds roles/cloudsql.client on the ad-hoc environments'
// instances only (the condition names them; Cloud SQL publishes instance names to
// conditions). The deployer may set that account's IAM policy and nothing else of the
// project but viewing its clusters (it fetches their credentials; what it may do inside is
// the cluster stack's RBAC): an ad-hoc environment lets its accounts act as it. Whoever the
// deployer lets act as it reaches the shared instance, where PostgreSQL's roles are the wall
// between dev and the pull requests (tests/database), and no other instance.

// adHocEnvironmentPermissions are the ad-hoc deployer's in the ad-hoc environments' project:
// service accounts and their IAM (workload identity bindings), topics and subscriptions and
// their IAM. No project IAM, no role administration, no account keys or tokens.
var adHocEnvironmentPermissions = []string{
	"iam.serviceAccounts.create", "iam.serviceAccounts.delete", "iam.serviceAccounts.get", "iam.serviceAccounts.list",
	"iam.serviceAccounts.update", "iam.serviceAccounts.getIamPolicy", "iam.serviceAccounts.setIamPolicy",
	"pubsub.topics.create", "pubsub.topics.delete", "pubsub.topics.get", "pubsub.topics.list", "pubsub.topics.update",
	"pubsub.topics.attachSubscription", "pubsub.topics.getIamPolicy", "pubsub.topics.setIamPolicy",
	"pubsub.subscriptions.create", "pubsub.subscriptions.delete", "pubsub.subscriptions.get", "pubsub.subscriptions.list",
	"pubsub.subscriptions.update", "pubsub.subscriptions.getIamPolicy", "pubsub.subscriptions.setIamPolicy",
}

// adHocSQLDelegationPermissions are the ad-hoc deployer's on naming.AdHocSQLAccount: who may
// act as it.
var adHocSQLDelegationPermissions = []string{
	"iam.serviceAccounts.get", "iam.serviceAccounts.getIamPolicy", "iam.serviceAccounts.setIamPolicy",
}

// adHocClusterRole is the ad-hoc deployer's on the non-production clusters' project: it
// fetches a cluster's endpoint and credentials.
const adHocClusterRole = "roles/container.clusterViewer"

// grantAdHocEnvironments gives the ad-hoc deployer what its environments make in GCP (see
// above). The non-production clusters and their instances are in the long-lived tier's
// project.
func grantAdHocEnvironments(ctx *pulumi.Context, cfg Config, deployer *serviceaccount.Account) error {
	id := naming.TierDeployAccount(naming.TierAdHoc)
	member := pulumi.Sprintf("serviceAccount:%s", deployer.Email)
	envProject, clusterProject := cfg.AdHocEnvironmentsProject, cfg.Projects[naming.TierLongLived]
	role, err := projects.NewIAMCustomRole(ctx, naming.AdHocEnvironmentRole, &projects.IAMCustomRoleArgs{
		Project:     pulumi.String(envProject),
		RoleId:      pulumi.String(naming.AdHocEnvironmentRole),
		Title:       pulumi.String("Conveyor: deploys ad-hoc environments' accounts and topics"),
		Permissions: pulumi.ToStringArray(adHocEnvironmentPermissions),
	})
	if err != nil {
		return fmt.Errorf("the ad-hoc environments' role: %w", err)
	}
	if _, err := projects.NewIAMMember(ctx, id+"-environments", &projects.IAMMemberArgs{
		Project: pulumi.String(envProject), Role: role.Name, Member: member,
	}); err != nil {
		return err
	}
	if _, err := projects.NewIAMMember(ctx, id+"-"+adHocClusterRole, &projects.IAMMemberArgs{
		Project: pulumi.String(clusterProject), Role: pulumi.String(adHocClusterRole), Member: member,
	}); err != nil {
		return err
	}
	relay, err := serviceaccount.NewAccount(ctx, naming.AdHocSQLAccount, &serviceaccount.AccountArgs{
		Project:     pulumi.String(clusterProject),
		AccountId:   pulumi.String(naming.AdHocSQLAccount),
		DisplayName: pulumi.String("Conveyor: the ad-hoc environments' connection to their shared Cloud SQL instance"),
	})
	if err != nil {
		return err
	}
	if _, err := projects.NewIAMMember(ctx, naming.AdHocSQLAccount+"-cloudsql-client", &projects.IAMMemberArgs{
		Project: pulumi.String(clusterProject),
		Role:    pulumi.String("roles/cloudsql.client"),
		Member:  pulumi.Sprintf("serviceAccount:%s", relay.Email),
		Condition: &projects.IAMMemberConditionArgs{
			Title:      pulumi.String("the ad-hoc environments' instances only"),
			Expression: pulumi.String(AdHocSQLCondition(clusterProject, cfg.factsClusters())),
		},
	}); err != nil {
		return err
	}
	delegation, err := projects.NewIAMCustomRole(ctx, naming.AdHocSQLDelegationRole, &projects.IAMCustomRoleArgs{
		Project:     pulumi.String(clusterProject),
		RoleId:      pulumi.String(naming.AdHocSQLDelegationRole),
		Title:       pulumi.String("Conveyor: lets ad-hoc environments' accounts act as " + naming.AdHocSQLAccount),
		Permissions: pulumi.ToStringArray(adHocSQLDelegationPermissions),
	})
	if err != nil {
		return fmt.Errorf("the ad-hoc SQL delegation role: %w", err)
	}
	_, err = serviceaccount.NewIAMMember(ctx, id+"-delegates-"+naming.AdHocSQLAccount, &serviceaccount.IAMMemberArgs{
		ServiceAccountId: relay.Name, Role: delegation.Name, Member: member,
	})
	return err
}

// AdHocSQLCondition holds on the instances the ad-hoc environments share on clusters, in
// project: each cluster's shared instance, never staging's own (naming.SQLInstanceOf).
func AdHocSQLCondition(project string, clusters []string) string {
	var names []string
	for _, c := range clusters {
		name, _ := naming.ClusterOfStack(c)
		names = append(names, quote("projects/"+project+"/instances/"+naming.SQLInstanceOf(name, naming.AdHocAdminScope)))
	}
	return `resource.type == "sqladmin.googleapis.com/Instance" && resource.name in [` + strings.Join(names, ", ") + `]`
}

// adHocProjectFinderRole lets the long-lived deployer, which runs the non-production cluster
// stacks, read the ad-hoc environments' project's number, which the cluster publishes as a
// fact (Pub/Sub's service agent there is named by it); it holds nothing else there.
const adHocProjectFinderRole = "roles/browser"

// letClustersFindTheAdHocProject grants adHocProjectFinderRole on the ad-hoc environments'
// project to the long-lived deployer.
func letClustersFindTheAdHocProject(ctx *pulumi.Context, cfg Config, longLived *serviceaccount.Account) error {
	_, err := projects.NewIAMMember(ctx, naming.TierDeployAccount(naming.TierLongLived)+"-finds-"+naming.AdHocEnvironmentRole, &projects.IAMMemberArgs{
		Project: pulumi.String(cfg.AdHocEnvironmentsProject),
		Role:    pulumi.String(adHocProjectFinderRole),
		Member:  pulumi.Sprintf("serviceAccount:%s", longLived.Email),
	})
	if err != nil {
		return fmt.Errorf("the long-lived deployer's view of the ad-hoc environments' project: %w", err)
	}
	return nil
}
