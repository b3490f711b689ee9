package components

import (
	"fmt"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/sql"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/components/dbsetup"
	"github.com/conveyor-paas/conveyor/components/images"
	"github.com/conveyor-paas/conveyor/manifest"
	"github.com/conveyor-paas/conveyor/naming"
)

// handoverQuota bounds a scope's admin namespace, which holds one Secret and runs nothing.
var handoverQuota = manifest.Quota{CPU: "100m", Memory: "64Mi", Pods: 1}

// sqlServer is one Cloud SQL instance of the cluster, and the admin scopes whose environments
// use it.
type sqlServer struct {
	instance *sql.DatabaseInstance
	scopes   []string
}

// sqlAdmins is the trusted step of the database walls, run by the cluster stack (which only
// main deploys), never by an environment's program:
//   - each instance's root, naming.DatabaseAdminUser, is the one user made through Cloud SQL's
//     API (so a member of cloudsqlsuperuser); its password stays in the cluster stack and the
//     cluster's own namespace (naming.ClusterPlatformNamespace);
//   - a job there makes, by SQL as the root (dbsetup.Admin), each scope's admin
//     (naming.DatabaseAdmin): CREATEROLE CREATEDB, a member of nothing;
//   - each admin's password is handed to its scope's environments in a namespace of its own
//     (naming.DatabaseAdminNamespace), which they read; no stack output carries it.
//
// On PostgreSQL 16 an admin's CREATEROLE reaches only the roles it made, so the ad-hoc tier's
// admin, which every pull request's environment holds, cannot touch a role of dev or staging.
func (g *gke) sqlAdmins(servers []sqlServer) error {
	system, err := g.clusterPlatform(servers)
	if err != nil {
		return err
	}
	for _, server := range servers {
		if err := g.sqlRoot(system, server); err != nil {
			return err
		}
	}
	return nil
}

// clusterPlatform is the cluster's own namespace, whose pods reach DNS and the instances only,
// through the proxy as the cluster stack's database jobs' workload identity.
func (g *gke) clusterPlatform(servers []sqlServer) (*Platform, error) {
	var hosts []pulumi.StringInput
	instances := map[string]pulumi.StringInput{}
	for _, s := range servers {
		hosts = append(hosts, s.instance.PrivateIpAddress)
		instances[naming.SQLInstanceOf(g.args.Name, s.scopes[0])] = s.instance.ConnectionName
	}
	scope := naming.Scope{Space: naming.ReservedSpace, Module: naming.ReservedSpace}
	ns, err := newGuardedNamespace(g.ctx, naming.ClusterPlatformNamespace, scope, g.wall(), namespaceAnnotations(g.c.AllowedRegistries),
		append([]networkPolicy{defaultDeny(), allowDNS()}, allowCloudSQL(hosts...)...), platformQuota, g.k8s())
	if err != nil {
		return nil, err
	}
	access, err := newDatabaseJobsIdentity(g.ctx, naming.ClusterStackPrefix+g.args.Name, ns, gcpHome{project: pulumi.String(g.args.Project), pool: pulumi.String(g.args.Project)},
		cloudSQLClientGrants(g.ctx, pulumi.String(g.args.Project), instances, g.opts()...), g.opts(), ns.in)
	if err != nil {
		return nil, fmt.Errorf("the cluster's database jobs: %w", err)
	}
	return &Platform{Namespace: ns.name, ServiceAccount: naming.PlatformKubernetesServiceAccount, Ready: append(ns.ready, access...)}, nil
}

// sqlRoot makes an instance's root user, its Secret in the cluster's namespace, and the admin
// of each scope on the instance.
func (g *gke) sqlRoot(system *Platform, server sqlServer) error {
	instanceName := naming.SQLInstanceOf(g.args.Name, server.scopes[0])
	name := instanceName + "-" + naming.DatabaseAdminUser
	password, err := random.NewRandomPassword(g.ctx, name+"-password", &random.RandomPasswordArgs{
		Length: pulumi.Int(passwordLength), Special: pulumi.Bool(false),
	}, pulumi.Parent(g.c))
	if err != nil {
		return fmt.Errorf("cloud sql root password: %w", err)
	}
	root, err := sql.NewUser(g.ctx, name, &sql.UserArgs{
		Name:     pulumi.String(naming.DatabaseAdminUser),
		Instance: server.instance.Name,
		Project:  pulumi.String(g.args.Project),
		Password: password.Result,
	}, g.opts(pulumi.Protect(g.args.Production))...)
	if err != nil {
		return fmt.Errorf("cloud sql root user: %w", err)
	}
	secretName := naming.DatabaseRootSecret(instanceName)
	data := pulumi.StringMap{SecretKeyPassword: password.Result}
	for _, scope := range server.scopes {
		admin, verifier, err := g.adminPassword(scope)
		if err != nil {
			return err
		}
		data[verifierKey(scope)] = verifier
		if err := g.handOver(scope, admin); err != nil {
			return err
		}
	}
	scope := naming.Scope{Space: naming.ReservedSpace, Module: naming.ReservedSpace}
	secret, err := corev1.NewSecret(g.ctx, system.Namespace+"/"+secretName, &corev1.SecretArgs{
		Metadata:   objectMeta(secretName, pulumi.String(system.Namespace), scope),
		Type:       pulumi.String("Opaque"),
		StringData: pulumi.ToSecret(data).(pulumi.StringMapOutput),
	}, g.k8s(pulumi.DependsOn(system.Ready))...)
	if err != nil {
		return fmt.Errorf("cloud sql root secret: %w", err)
	}
	// The jobs reach this instance through the proxy.
	jobs := *system
	jobs.SQLProxy = &SQLProxy{ConnectionName: server.instance.ConnectionName}
	for _, s := range server.scopes {
		env := corev1.EnvVarArray{
			corev1.EnvVarArgs{Name: pulumi.String("PGHOST"), Value: pulumi.String(loopback)},
			corev1.EnvVarArgs{Name: pulumi.String("PGUSER"), Value: pulumi.String(naming.DatabaseAdminUser)},
			secretEnv("PGPASSWORD", secretName, SecretKeyPassword),
			corev1.EnvVarArgs{Name: pulumi.String("PGSSLMODE"), Value: pulumi.String(sslMode(nil))},
			corev1.EnvVarArgs{Name: pulumi.String(dbsetup.EnvAdmin), Value: pulumi.String(naming.DatabaseAdmin(s))},
			secretEnv(dbsetup.EnvAdminVerifier, secretName, verifierKey(s)),
			corev1.EnvVarArgs{Name: pulumi.String(dbsetup.EnvAdminMarker), Value: pulumi.String(dbsetup.AdminComment(s))},
		}
		jobScope := scope
		jobScope.Component = naming.DatabaseAdminComponent(s)
		if _, err := newPlatformJob(g.ctx, &jobs, naming.DatabaseAdminsJob(s), jobScope, images.DatabaseClient, dbsetup.Admin, env,
			append([]pulumi.Resource{secret, root}, system.Ready...), g.k8s()...); err != nil {
			return fmt.Errorf("database admin of %s: %w", s, err)
		}
	}
	return nil
}

// adminPassword is a scope admin's password and its SCRAM verifier, which is all the root's
// job sees of it.
func (g *gke) adminPassword(scope string) (password, verifier pulumi.StringOutput, err error) {
	user := naming.DatabaseAdmin(scope)
	p, err := random.NewRandomPassword(g.ctx, user+"-password", &random.RandomPasswordArgs{
		Length: pulumi.Int(passwordLength), Special: pulumi.Bool(false),
	}, pulumi.Parent(g.c))
	if err != nil {
		return password, verifier, fmt.Errorf("database admin of %s: password: %w", scope, err)
	}
	verifier = p.Result.ApplyT(func(pw string) (string, error) { return dbsetup.Verifier(user, pw) }).(pulumi.StringOutput)
	return p.Result, pulumi.ToSecret(verifier).(pulumi.StringOutput), nil
}

// handOver puts a scope admin's password where that scope's environments read it
// (readAdminPassword): a namespace of its own, which runs nothing.
func (g *gke) handOver(scope string, password pulumi.StringOutput) error {
	nsName := naming.DatabaseAdminNamespace(scope)
	labels := naming.Scope{Space: naming.ReservedSpace, Module: naming.ReservedSpace}
	ns, err := newGuardedNamespace(g.ctx, nsName, labels, g.wall(), namespaceAnnotations(g.c.AllowedRegistries), []networkPolicy{defaultDeny()}, handoverQuota, g.k8s())
	if err != nil {
		return fmt.Errorf("database admin of %s: %w", scope, err)
	}
	if g.handovers == nil {
		g.handovers = map[string][]pulumi.Resource{}
	}
	g.handovers[scope] = ns.ready
	labels.Component = naming.DatabaseAdminComponent(scope)
	secretName := naming.DatabaseAdminSecret()
	if _, err := corev1.NewSecret(g.ctx, nsName+"/"+secretName, &corev1.SecretArgs{
		Metadata:   objectMeta(secretName, ns.ns, labels),
		Type:       pulumi.String("Opaque"),
		StringData: pulumi.StringMap{SecretKeyPassword: pulumi.ToSecret(password).(pulumi.StringOutput)},
	}, ns.in...); err != nil {
		return fmt.Errorf("database admin of %s: secret: %w", scope, err)
	}
	return nil
}

// wall is what the cluster's own namespaces hold of the tiers' wall: the cluster stack's
// tier, and no deployer binding (only main deploys the cluster stack).
func (g *gke) wall() namespaceWall {
	return namespaceWall{tier: naming.TierOf(naming.ClusterStackPrefix + g.args.Name)}
}

// verifierKey is the key of the root's Secret that holds a scope admin's verifier.
func verifierKey(scope string) string { return "verifier-" + scope }

// k8s are the options of the cluster's Kubernetes objects.
func (g *gke) k8s(extra ...pulumi.ResourceOption) []pulumi.ResourceOption {
	return append([]pulumi.ResourceOption{pulumi.Parent(g.c), pulumi.Provider(g.c.Provider)}, extra...)
}
