package components

import (
	"fmt"

	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/components/dbsetup"
	"github.com/conveyor-paas/conveyor/components/images"
	"github.com/conveyor-paas/conveyor/naming"
)

// postgresPort is where PostgreSQL listens, on Cloud SQL's private address and locally.
const postgresPort = 5432

// passwordLength gives 190 bits of entropy from letters and digits, which need no escaping in
// a connection URL.
const passwordLength = 32

// moduleConnectionLimit is the most sessions a module's role holds at once (CONNECTION LIMIT):
// a module runs a handful of pods with small pools, and several environments share an
// instance whose smallest tier allows 100 connections in all, so one module's leak or
// attacker cannot take them all.
const moduleConnectionLimit = 20

// secretKeyVerifier is the key of the setup's Secret that holds the role's SCRAM verifier.
const secretKeyVerifier = "verifier"

// database gives a module that asks for one its private database and user, and a Secret with
// everything a component needs to connect. The password is a Pulumi secret from generation
// to the Secret; a pod spec only ever references the Secret.
//
// The role and the database are made by the setup job's SQL (dbsetup.Setup), the same on
// Cloud SQL and on a local cluster, not through Cloud SQL's API: a user made through the API
// is a member of cloudsqlsuperuser, and a database made through it belongs to
// cloudsqlsuperuser with CONNECT for every role, which would open every module's database to
// every other module's credentials.
func (b *moduleBuilder) database() error {
	spec, env := b.args.Spec, b.args.Environment
	if !spec.HasDatabase() {
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
	setup, err := b.databaseSetup(dbName, user, password.Result)
	if err != nil {
		return err
	}
	access, err := b.databaseAccess()
	if err != nil {
		return err
	}
	secretName := naming.DatabaseSecret(spec.Name)
	host := b.args.Target.databaseHost()
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
	}, b.k8s(pulumi.DependsOn([]pulumi.Resource{setup}))...)
	if err != nil {
		return fmt.Errorf("database secret: %w", err)
	}
	b.addDatabaseEnv(secretName)
	b.ready = append(b.ready, setup, secret)
	b.ready = append(b.ready, access...)
	b.sqlProxy = b.args.Target.SQLProxy()
	b.m.Database = pulumi.String(dbName).ToStringOutput()
	return nil
}

// sslMode is what clients ask of the server they connect to, which is never across the
// network in the clear: on GKE the Cloud SQL Auth Proxy on the pod's loopback, which opens
// TLS to the instance and verifies it (sqlproxy.go); on a local cluster the environment's
// PostgreSQL, reachable only inside its namespaces, which has no certificate.
func sslMode(*Target) string { return "disable" }

// databaseAccess lets the module's service account connect through the proxy to its
// environment's instance, and no other (GKE only).
func (b *moduleBuilder) databaseAccess() ([]pulumi.Resource, error) {
	t := b.args.Target
	if t.IsLocal() {
		return nil, nil
	}
	grant, err := t.grantSQLConnection(b.ctx, naming.ServiceAccountID(b.args.Environment.Name, b.args.Spec.Name), b.m.ServiceAccount, b.gcp()...)
	if err != nil {
		return nil, err
	}
	return []pulumi.Resource{grant}, nil
}

// databaseSetup runs dbsetup.Setup for the module in a Job of the environment's platform
// namespace, as the server's admin. The job gets the role's SCRAM verifier, not its
// password, from a Secret of the platform namespace.
func (b *moduleBuilder) databaseSetup(dbName, user string, password pulumi.StringOutput) (pulumi.Resource, error) {
	platform, spec := b.args.Target.Platform, b.args.Spec
	scope := naming.Scope{Environment: b.args.Environment.Name, Space: naming.ReservedSpace, Module: spec.Name, Component: naming.DatabaseSetupComponent}
	verifier := password.ApplyT(func(p string) (string, error) { return dbsetup.Verifier(user, p) }).(pulumi.StringOutput)
	secretName := naming.DatabaseSecret(spec.Name)
	secret, err := corev1.NewSecret(b.ctx, platform.Namespace+"/"+secretName, &corev1.SecretArgs{
		Metadata:   objectMeta(secretName, pulumi.String(platform.Namespace), scope),
		Type:       pulumi.String("Opaque"),
		StringData: pulumi.StringMap{secretKeyVerifier: pulumi.ToSecret(verifier).(pulumi.StringOutput)},
	}, b.k8s(pulumi.DependsOn(platform.Ready))...)
	if err != nil {
		return nil, fmt.Errorf("database setup secret: %w", err)
	}
	env := append(databaseAdminEnv(b.args.Target, b.args.Environment.Name),
		corev1.EnvVarArgs{Name: pulumi.String(dbsetup.EnvDatabase), Value: pulumi.String(dbName)},
		corev1.EnvVarArgs{Name: pulumi.String(dbsetup.EnvUser), Value: pulumi.String(user)},
		corev1.EnvVarArgs{Name: pulumi.String(dbsetup.EnvConnectionLimit), Value: pulumi.Sprintf("%d", moduleConnectionLimit)},
		secretEnv(dbsetup.EnvVerifier, secretName, secretKeyVerifier),
	)
	env = append(env, seedEnv(b.args.Target, b.args.Environment.Name, spec)...)
	return newPlatformJob(b.ctx, platform, naming.DatabaseSetupJob(spec.Name), scope, images.DatabaseClient, dbsetup.Setup, env,
		append([]pulumi.Resource{secret}, platform.Ready...), b.k8s()...)
}

// databaseAdminEnv is how a database job connects to the server, as its admin, and the mark
// of the environment's roles.
func databaseAdminEnv(t *Target, env string) corev1.EnvVarArray {
	p := t.Platform
	return corev1.EnvVarArray{
		corev1.EnvVarArgs{Name: pulumi.String("PGHOST"), Value: t.databaseHost()},
		corev1.EnvVarArgs{Name: pulumi.String("PGUSER"), Value: pulumi.String(p.AdminUser)},
		secretEnv("PGPASSWORD", p.AdminSecret, SecretKeyPassword),
		corev1.EnvVarArgs{Name: pulumi.String("PGSSLMODE"), Value: pulumi.String(sslMode(t))},
		corev1.EnvVarArgs{Name: pulumi.String(dbsetup.EnvMarker), Value: pulumi.String(naming.DatabaseRoleComment(env))},
	}
}

// secretEnv is a variable read from a key of a Secret.
func secretEnv(name, secret, key string) corev1.EnvVarArgs {
	return corev1.EnvVarArgs{Name: pulumi.String(name), ValueFrom: &corev1.EnvVarSourceArgs{
		SecretKeyRef: &corev1.SecretKeySelectorArgs{Name: pulumi.String(secret), Key: pulumi.String(key)},
	}}
}
