package components

import (
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/naming"
)

// Keys of a module's database Secret. The Secret has the same shape on GCP and on a local
// cluster, so a service cannot tell the two apart.
const (
	SecretKeyHost     = "host"
	SecretKeyPort     = "port"
	SecretKeyDatabase = "database"
	SecretKeyUser     = "user"
	SecretKeyPassword = "password"
	SecretKeyURL      = "url"
)

// databaseEnv maps the database Secret's keys to the variables components read.
var databaseEnv = []struct{ name, key string }{
	{naming.EnvDatabaseHost, SecretKeyHost},
	{naming.EnvDatabasePort, SecretKeyPort},
	{naming.EnvDatabaseName, SecretKeyDatabase},
	{naming.EnvDatabaseUser, SecretKeyUser},
	{naming.EnvDatabasePassword, SecretKeyPassword},
	{naming.EnvDatabaseURL, SecretKeyURL},
}

// addEnv adds a plain variable for every component of the module.
func (b *moduleBuilder) addEnv(name string, value pulumi.StringInput) {
	b.env = append(b.env, corev1.EnvVarArgs{Name: pulumi.String(name), Value: value})
}

// addDatabaseEnv points the components at the database Secret; the password never appears
// in a pod spec, only a reference to the Secret.
func (b *moduleBuilder) addDatabaseEnv(secret string) {
	for _, v := range databaseEnv {
		b.env = append(b.env, corev1.EnvVarArgs{
			Name: pulumi.String(v.name),
			ValueFrom: &corev1.EnvVarSourceArgs{SecretKeyRef: &corev1.SecretKeySelectorArgs{
				Name: pulumi.String(secret),
				Key:  pulumi.String(v.key),
			}},
		})
	}
}

// componentEnv is a component's whole environment: who it is, what the module wired up,
// then its resolved configuration (space, module and component levels).
func (b *moduleBuilder) componentEnv(component string) corev1.EnvVarArray {
	env := corev1.EnvVarArray{
		corev1.EnvVarArgs{Name: pulumi.String(naming.EnvEnvironment), Value: pulumi.String(b.args.Environment.Name)},
		corev1.EnvVarArgs{Name: pulumi.String(naming.EnvSpace), Value: pulumi.String(b.args.Spec.Space)},
		corev1.EnvVarArgs{Name: pulumi.String(naming.EnvModule), Value: pulumi.String(b.args.Spec.Name)},
		corev1.EnvVarArgs{Name: pulumi.String(naming.EnvComponent), Value: pulumi.String(component)},
	}
	env = append(env, b.env...)
	for _, s := range b.args.Catalog.ResolveConfig(b.args.Spec, component) {
		env = append(env, corev1.EnvVarArgs{Name: pulumi.String(s.Key), Value: pulumi.String(s.Value)})
	}
	return env
}
