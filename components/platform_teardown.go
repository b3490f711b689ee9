package components

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/components/dbsetup"
	"github.com/conveyor-paas/conveyor/components/images"
	"github.com/conveyor-paas/conveyor/naming"
)

// NewDatabaseTeardown drops every database and role of the environment (dbsetup.Teardown)
// in a Job of its platform namespace, after everything in after. It is the step that runs
// before an environment is destroyed: the roles are not Pulumi resources, and PostgreSQL
// refuses to drop a role that still owns what its migrations created, so deleting resources
// alone could never remove them. Production's databases are never dropped.
func NewDatabaseTeardown(ctx *pulumi.Context, env Environment, target *Target, after []pulumi.Resource) error {
	if env.Production {
		return fmt.Errorf("%s is a production environment: Conveyor never drops its databases", env.Name)
	}
	if target == nil || target.Platform == nil || target.Kubernetes == nil {
		return fmt.Errorf("tearing down %s: a target with its platform namespace is required", env.Name)
	}
	scope := naming.Scope{Environment: env.Name, Space: naming.ReservedSpace, Module: naming.ReservedSpace, Component: naming.DatabaseTeardownComponent}
	_, err := newPlatformJob(ctx, target.Platform, naming.DatabaseTeardownJob(), scope, images.DatabaseClient, dbsetup.Teardown,
		databaseAdminEnv(target, env.Name), append(append([]pulumi.Resource{}, target.Platform.Ready...), after...),
		pulumi.Provider(target.Kubernetes))
	if err != nil {
		return fmt.Errorf("tearing down %s: %w", env.Name, err)
	}
	return nil
}
