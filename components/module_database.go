package components

import (
	"fmt"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/sql"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/components/naming"
)

// postgresPort is where PostgreSQL listens, on Cloud SQL's private address and locally.
const postgresPort = 5432

// passwordLength gives 190 bits of entropy from letters and digits, which need no escaping in
// a connection URL.
const passwordLength = 32

// database gives a module that asks for one its private database and user, and a Secret with
// everything a component needs to connect. The password is a Pulumi secret from generation
// to the Secret; a pod spec only ever references the Secret.
func (b *moduleBuilder) database() error {
	spec, env := b.args.Spec, b.args.Environment
	if !spec.Database {
		b.m.Database = pulumi.String("").ToStringOutput()
		return nil
	}
	dbName := naming.Database(env.Name, spec.Name)
	user := naming.DatabaseUser(env.Name, spec.Name)
	password, err := random.NewRandomPassword(b.ctx, dbName+"-password", &random.RandomPasswordArgs{
		Length:  pulumi.Int(passwordLength),
		Special: pulumi.Bool(false),
	}, pulumi.Parent(b.m))
	if err != nil {
		return fmt.Errorf("database password: %w", err)
	}
	var created pulumi.Resource
	if b.args.Target.IsLocal() {
		created, err = b.localDatabase(dbName, user, password.Result)
	} else {
		created, err = b.cloudSQLDatabase(dbName, user, password.Result)
	}
	if err != nil {
		return err
	}
	secretName := naming.DatabaseSecret(spec.Name)
	host := b.args.Target.SQLHost
	url := pulumi.Sprintf("postgres://%s:%s@%s:%d/%s?sslmode=%s", user, password.Result, host, postgresPort, dbName, sslMode(b.args.Target))
	secret, err := corev1.NewSecret(b.ctx, naming.Namespace(env.Name, spec.Space)+"/"+secretName, &corev1.SecretArgs{
		Metadata: objectMeta(secretName, b.args.Namespace, b.scope()),
		Type:     pulumi.String("Opaque"),
		StringData: pulumi.StringMap{
			SecretKeyHost:     host,
			SecretKeyPort:     pulumi.Sprintf("%d", postgresPort),
			SecretKeyDatabase: pulumi.String(dbName),
			SecretKeyUser:     pulumi.String(user),
			SecretKeyPassword: password.Result,
			SecretKeyURL:      url, // secret: it is derived from the password
		},
	}, b.k8s(pulumi.DependsOn([]pulumi.Resource{created}))...)
	if err != nil {
		return fmt.Errorf("database secret: %w", err)
	}
	b.addDatabaseEnv(secretName)
	b.ready = append(b.ready, created, secret)
	b.m.Database = pulumi.String(dbName).ToStringOutput()
	return nil
}

// sslMode is what clients ask of the server: Cloud SQL requires TLS; the local PostgreSQL,
// reachable only inside the environment's namespaces, has no certificate.
func sslMode(t *Target) string {
	if t.IsLocal() {
		return "disable"
	}
	return "require"
}

// cloudSQLDatabase creates the database and its user on the cluster's shared Cloud SQL
// instance. In production both are protected, and the user is abandoned rather than dropped
// so that deleting the stack can never take the data with it.
func (b *moduleBuilder) cloudSQLDatabase(dbName, user string, password pulumi.StringOutput) (pulumi.Resource, error) {
	protect := pulumi.Protect(b.args.Environment.Production)
	db, err := sql.NewDatabase(b.ctx, dbName, &sql.DatabaseArgs{
		Name:     pulumi.String(dbName),
		Instance: b.args.Target.SQLInstance,
		Project:  b.args.Target.Project,
	}, b.gcp(protect)...)
	if err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	userArgs := &sql.UserArgs{
		Name:     pulumi.String(user),
		Instance: b.args.Target.SQLInstance,
		Project:  b.args.Target.Project,
		Password: password,
	}
	if b.args.Environment.Production {
		userArgs.DeletionPolicy = pulumi.String("ABANDON")
	}
	sqlUser, err := sql.NewUser(b.ctx, user, userArgs, b.gcp(protect, pulumi.DependsOn([]pulumi.Resource{db}))...)
	if err != nil {
		return nil, fmt.Errorf("database user: %w", err)
	}
	return sqlUser, nil
}
