package components

import (
	"fmt"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/organizations"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/serviceaccount"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/naming"
)

// An ad-hoc environment's own GCP resources (its modules' and database jobs' accounts, its
// topics and subscriptions, the IAM on them) live in the ad-hoc environments' project, where
// its deployer may make them, and not in the cluster's, where it may not (stacks/bootstrap,
// docs/security.md). Two things stay the cluster's: the workload identity pool its Kubernetes
// service accounts belong to (<cluster project>.svc.id.goog), and the shared Cloud SQL
// instance, which its accounts reach only by acting as naming.AdHocSQLAccount: each gets
// roles/iam.serviceAccountTokenCreator on that account, never roles/cloudsql.client, and
// its pods' proxies connect as that account (--impersonate-service-account).

// AdHocGCP is where an ad-hoc environment on GKE makes its GCP resources.
type AdHocGCP struct {
	// Project is the ad-hoc environments' project, and ProjectNumber its number (which
	// names its Pub/Sub service agent): the facts of the cluster.
	Project, ProjectNumber pulumi.StringInput
	// SQLAccount is the email of naming.AdHocSQLAccount in the cluster's project.
	SQLAccount pulumi.StringInput
}

// AdHocTarget is where an ad-hoc environment on the cluster of outputs (read from stack)
// makes its GCP resources. It fails, when the values are known, if the cluster publishes no
// ad-hoc environments' project: the ad-hoc deployer could make nothing in the cluster's.
func AdHocTarget(stack string, outputs ClusterOutputs) *AdHocGCP {
	required := func(name string, v pulumi.StringOutput) pulumi.StringOutput {
		return v.ApplyT(func(s string) (string, error) {
			if s == "" {
				return "", fmt.Errorf("%s has no %s: an ad-hoc environment makes its accounts and topics in the ad-hoc environments' project, which the cluster stack publishes (set %s on it, update it and publish its facts)",
					stack, name, naming.ConfigAdHocEnvironmentsProject)
			}
			return s, nil
		}).(pulumi.StringOutput)
	}
	return &AdHocGCP{
		Project:       required(OutputAdHocProject, outputs.AdHocProject),
		ProjectNumber: required(OutputAdHocProjectNumber, outputs.AdHocProjectNumber),
		SQLAccount:    outputs.Project.ApplyT(naming.AdHocSQLAccountEmail).(pulumi.StringOutput),
	}
}

// adHocEnvironmentsProject is the ad-hoc environments' project of a GKE cluster and its
// number, both "" on a cluster that runs none.
func adHocEnvironmentsProject(ctx *pulumi.Context, c *Cluster, args *GKEClusterArgs) (pulumi.StringOutput, pulumi.StringOutput) {
	if args.AdHocEnvironmentsProject == "" {
		empty := pulumi.String("").ToStringOutput()
		return empty, empty
	}
	project := organizations.LookupProjectOutput(ctx, organizations.LookupProjectOutputArgs{
		ProjectId: pulumi.String(args.AdHocEnvironmentsProject),
	}, pulumi.Provider(args.GCP), pulumi.Parent(c))
	return pulumi.String(args.AdHocEnvironmentsProject).ToStringOutput(), project.Number()
}

// resourceProject is the project of the environment's own GCP resources: the ad-hoc
// environments' for an ad-hoc environment on GKE, the cluster's otherwise.
func (t *Target) resourceProject() pulumi.StringInput {
	if t.AdHoc != nil {
		return t.AdHoc.Project
	}
	return t.Project
}

// resourceProjectNumber is the number of resourceProject.
func (t *Target) resourceProjectNumber() pulumi.StringInput {
	if t.AdHoc != nil {
		return t.AdHoc.ProjectNumber
	}
	return t.ProjectNumber
}

// gcpHome is where the environment's workload identities are made and bound.
func (t *Target) gcpHome() gcpHome { return gcpHome{project: t.resourceProject(), pool: t.Project} }

// sqlGrants let the environment's database jobs' account, granted under name, connect to the
// environment's instance (grantSQLConnection).
func (t *Target) sqlGrants(ctx *pulumi.Context, name string, opts ...pulumi.ResourceOption) sqlGrants {
	return func(email pulumi.StringOutput) ([]pulumi.Resource, error) {
		grant, err := t.grantSQLConnection(ctx, name, email, opts...)
		if err != nil {
			return nil, err
		}
		return []pulumi.Resource{grant}, nil
	}
}

// grantSQLConnection lets the account of email (made under name) connect through the proxy to
// the environment's instance: roles/cloudsql.client on it, or in an ad-hoc environment the
// right to act as naming.AdHocSQLAccount, which holds it.
func (t *Target) grantSQLConnection(ctx *pulumi.Context, name string, email pulumi.StringOutput, opts ...pulumi.ResourceOption) (pulumi.Resource, error) {
	if t.AdHoc == nil {
		return grantCloudSQLClient(ctx, name, t.Project, t.SQLConnectionName, email, opts...)
	}
	grant, err := serviceaccount.NewIAMMember(ctx, name+"-acts-as-"+naming.AdHocSQLAccount, &serviceaccount.IAMMemberArgs{
		ServiceAccountId: pulumi.Sprintf("projects/%s/serviceAccounts/%s", t.Project, t.AdHoc.SQLAccount),
		Role:             pulumi.String(tokenCreatorRole),
		Member:           pulumi.Sprintf("serviceAccount:%s", email),
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("letting %s act as %s: %w", name, naming.AdHocSQLAccount, err)
	}
	return grant, nil
}

// tokenCreatorRole lets an account act as another (the proxy's impersonation).
const tokenCreatorRole = "roles/iam.serviceAccountTokenCreator"
