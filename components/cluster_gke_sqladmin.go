package components

import (
	"fmt"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/sql"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/components/naming"
)

// sqlAdmin creates the instance's admin user, the only user made through Cloud SQL's API:
// such a user is a member of cloudsqlsuperuser, with CREATEROLE and CREATEDB, which is what
// the environments' setup jobs need to create each module's role and database by SQL, and
// what no module's credentials may have. Its password is a secret output of the cluster stack,
// which environments read through their StackReference.
func (g *gke) sqlAdmin(instance *sql.DatabaseInstance) error {
	name := naming.SQLInstance(g.args.Name) + "-" + naming.DatabaseAdminUser
	password, err := random.NewRandomPassword(g.ctx, name+"-password", &random.RandomPasswordArgs{
		Length: pulumi.Int(passwordLength), Special: pulumi.Bool(false),
	}, pulumi.Parent(g.c))
	if err != nil {
		return fmt.Errorf("cloud sql admin password: %w", err)
	}
	if _, err := sql.NewUser(g.ctx, name, &sql.UserArgs{
		Name:     pulumi.String(naming.DatabaseAdminUser),
		Instance: instance.Name,
		Project:  pulumi.String(g.args.Project),
		Password: password.Result,
	}, g.opts(pulumi.Protect(g.args.Production))...); err != nil {
		return fmt.Errorf("cloud sql admin user: %w", err)
	}
	g.c.SQLAdminPassword = password.Result
	return nil
}
