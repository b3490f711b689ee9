package components

import (
	"encoding/base64"
	"fmt"

	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	networkingv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/networking/v1"
	rbacv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/rbac/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/manifest"
	"github.com/conveyor-paas/conveyor/naming"
)

type platformComponent struct{ pulumi.ResourceState }

// platformNamespace is an environment's platform namespace as its builders share it.
type platformNamespace struct {
	name  string
	ns    pulumi.StringOutput
	scope naming.Scope
	// in are the options of the namespace's objects: after the namespace.
	in []pulumi.ResourceOption
	// ready are the namespace and its network policies.
	ready []pulumi.Resource
}

// newPlatformNamespace creates the environment's platform namespace, with the Pod Security
// labels of every namespace, its quota and its network policies; deployer, when set, is
// bound the ad-hoc tier's namespace role there (bindDeployer).
func newPlatformNamespace(ctx *pulumi.Context, env Environment, deployer pulumi.StringInput, policies []networkPolicy, opts []pulumi.ResourceOption) (*platformNamespace, error) {
	// The platform's own workloads are labelled as module "conveyor" of the reserved space,
	// so their selectors have a module to match like any component's.
	scope := naming.Scope{Environment: env.Name, Space: naming.ReservedSpace, Module: naming.ReservedSpace}
	wall := namespaceWall{tier: naming.TierOf(env.Name), deployer: deployer}
	return newGuardedNamespace(ctx, naming.PlatformNamespace(env.Name), scope, wall, env.namespaceAnnotations(), policies, platformQuota, opts)
}

// namespaceWall is what a namespace holds of the tiers' wall: its tier, and the ad-hoc
// tier's deployer, which an ad-hoc environment on a shared cluster binds in it.
type namespaceWall struct {
	tier     naming.Tier
	deployer pulumi.StringInput
}

// labels are the labels of a namespace of scope: the scope's, its tier and restricted Pod
// Security, enforced, audited and warned.
func (w namespaceWall) labels(scope naming.Scope) map[string]string {
	labels := naming.KubernetesLabels(scope)
	for k, v := range podSecurityLabels {
		labels[k] = v
	}
	labels[naming.LabelTier] = string(w.tier)
	return labels
}

// bindDeployer binds the ad-hoc tier's namespace role (naming.AdHocNamespaceRole, which the
// cluster stack makes) to the deployer in the namespace, right after the namespace: on a
// shared cluster, the ad-hoc deployer holds no right in a namespace but what this binding
// gives it. It returns the namespace's name as an output that depends on the binding too, so
// that every object made in the namespace waits for it and is deleted before it. Without a
// deployer it binds nothing.
func (w namespaceWall) bindDeployer(ctx *pulumi.Context, nsName string, ns *corev1.Namespace, scope naming.Scope,
	opts []pulumi.ResourceOption) (pulumi.StringOutput, []pulumi.Resource, error) {
	name := ns.Metadata.Name().Elem()
	if w.deployer == nil {
		return name, []pulumi.Resource{ns}, nil
	}
	binding, err := rbacv1.NewRoleBinding(ctx, nsName+"/"+naming.DeployerRoleBinding, &rbacv1.RoleBindingArgs{
		Metadata: objectMeta(naming.DeployerRoleBinding, name, scope),
		RoleRef: &rbacv1.RoleRefArgs{ApiGroup: pulumi.String("rbac.authorization.k8s.io"), Kind: pulumi.String("ClusterRole"),
			Name: pulumi.String(naming.AdHocNamespaceRole)},
		Subjects: rbacv1.SubjectArray{rbacv1.SubjectArgs{
			ApiGroup: pulumi.String("rbac.authorization.k8s.io"), Kind: pulumi.String("User"), Name: w.deployer,
		}},
	}, append(opts, pulumi.DependsOn([]pulumi.Resource{ns}))...)
	if err != nil {
		return pulumi.StringOutput{}, nil, fmt.Errorf("namespace %s: the deployer's binding: %w", nsName, err)
	}
	bound := pulumi.All(name, binding.Metadata.Name().Elem()).ApplyT(func(v []any) string { return v[0].(string) }).(pulumi.StringOutput)
	return bound, []pulumi.Resource{ns, binding}, nil
}

// newGuardedNamespace creates a namespace the platform keeps for itself: restricted Pod
// Security, a quota, and the network policies given (default-deny among them). annotations
// are an environment's (its allowed registries among them), or a cluster stack's own.
func newGuardedNamespace(ctx *pulumi.Context, nsName string, scope naming.Scope, wall namespaceWall, annotations pulumi.StringMap, policies []networkPolicy,
	quota manifest.Quota, opts []pulumi.ResourceOption) (*platformNamespace, error) {
	ns, err := corev1.NewNamespace(ctx, nsName, &corev1.NamespaceArgs{
		Metadata: &metav1.ObjectMetaArgs{Name: pulumi.String(nsName), Labels: pulumi.ToStringMap(wall.labels(scope)), Annotations: annotations},
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("namespace %s: %w", nsName, err)
	}
	name, ready, err := wall.bindDeployer(ctx, nsName, ns, scope, opts)
	if err != nil {
		return nil, err
	}
	p := &platformNamespace{name: nsName, ns: name, scope: scope,
		in: append(append([]pulumi.ResourceOption{}, opts...), pulumi.DependsOn(ready))}
	created, err := newNetworkPolicies(ctx, nsName, p.ns, scope, policies, p.in)
	if err != nil {
		return nil, fmt.Errorf("namespace %s: %w", nsName, err)
	}
	if err := newQuota(ctx, nsName, p.ns, scope, quota, nil, p.in); err != nil {
		return nil, fmt.Errorf("namespace %s: %w", nsName, err)
	}
	p.ready = append(ready, created...)
	return p, nil
}

// allowFromEnvironment admits connections from the environment's own namespaces only.
func allowFromEnvironment(env string) networkPolicy {
	return networkPolicy{purpose: naming.PolicyAllowEnvironment, ingress: true, from: networkingv1.NetworkPolicyIngressRuleArray{
		networkingv1.NetworkPolicyIngressRuleArgs{From: networkingv1.NetworkPolicyPeerArray{networkingv1.NetworkPolicyPeerArgs{
			NamespaceSelector: &metav1.LabelSelectorArgs{MatchLabels: pulumi.StringMap{naming.LabelEnvironment: pulumi.String(env)}},
		}}},
	}}
}

// NewPlatform creates a GCP environment's platform namespace: nothing connects into it, and
// its pods (the database setup jobs) reach only DNS and the Cloud SQL instance, through the
// Cloud SQL Auth Proxy as the platform's workload identity (and so the metadata server and
// Google's APIs, where the proxy gets its certificate). It holds the
// password of the environment's database admin (naming.DatabaseAdminScope), in a Secret no
// team can read: teams are given roles in their spaces' namespaces only. The password is read
// from where the cluster stack hands it to the scope (naming.DatabaseAdminNamespace), never
// from the cluster stack's outputs: an ad-hoc environment reads the ad-hoc tier's admin and
// nothing of the cluster stack's state.
func NewPlatform(ctx *pulumi.Context, env Environment, target *Target, opts ...pulumi.ResourceOption) (*Platform, error) {
	if target == nil || target.Kubernetes == nil || target.IsLocal() {
		return nil, fmt.Errorf("platform of %s: a GCP target with a Kubernetes provider is required", env.Name)
	}
	component := &platformComponent{}
	if err := ctx.RegisterComponentResource(naming.TypePlatform, naming.PlatformNamespace(env.Name), component, opts...); err != nil {
		return nil, fmt.Errorf("registering the platform of %s: %w", env.Name, err)
	}
	child := []pulumi.ResourceOption{pulumi.Parent(component), pulumi.Provider(target.Kubernetes)}
	if err := target.checkSQLConnection(); err != nil {
		return nil, fmt.Errorf("platform of %s: %w", env.Name, err)
	}
	ns, err := newPlatformNamespace(ctx, env, target.Deployer, append([]networkPolicy{defaultDeny(), allowDNS()}, allowCloudSQL(target.SQLHost)...), child)
	if err != nil {
		return nil, err
	}
	var gcpOpts []pulumi.ResourceOption
	if target.GCP != nil {
		gcpOpts = []pulumi.ResourceOption{pulumi.Parent(component), pulumi.Provider(target.GCP)}
	}
	access, err := newDatabaseJobsIdentity(ctx, env.Name, ns, target.gcpHome(), target.sqlGrants(ctx, naming.PlatformServiceAccountID(env.Name), gcpOpts...), gcpOpts, ns.in)
	if err != nil {
		return nil, fmt.Errorf("platform of %s: %w", env.Name, err)
	}
	scope := naming.DatabaseAdminScope(env.Name)
	password, err := readAdminPassword(ctx, scope, child)
	if err != nil {
		return nil, fmt.Errorf("platform of %s: %w", env.Name, err)
	}
	secretName := naming.DatabaseAdminSecret()
	setup := ns.scope
	setup.Component = naming.DatabaseSetupComponent
	secret, err := corev1.NewSecret(ctx, ns.name+"/"+secretName, &corev1.SecretArgs{
		Metadata:   objectMeta(secretName, ns.ns, setup),
		Type:       pulumi.String("Opaque"),
		StringData: pulumi.StringMap{SecretKeyPassword: password},
	}, ns.in...)
	if err != nil {
		return nil, fmt.Errorf("platform of %s: admin secret: %w", env.Name, err)
	}
	if err := ctx.RegisterResourceOutputs(component, pulumi.Map{"namespace": ns.ns}); err != nil {
		return nil, fmt.Errorf("platform of %s: %w", env.Name, err)
	}
	platform := PlatformByName(env.Name, target.SQLProxy())
	platform.Ready = append(append(ns.ready, secret), access...)
	return platform, nil
}

// PlatformByName is a GCP environment's platform as NewPlatform makes it, known by name
// alone, with nothing to wait for: what a module stack, whose base made the platform, uses of
// it. The database jobs connect as the environment's admin through the proxy that sqlProxy
// describes (nil on a local cluster), as the platform's workload identity.
func PlatformByName(env string, sqlProxy *SQLProxy) *Platform {
	return &Platform{
		Namespace:      naming.PlatformNamespace(env),
		AdminUser:      naming.DatabaseAdmin(naming.DatabaseAdminScope(env)),
		AdminSecret:    naming.DatabaseAdminSecret(),
		ServiceAccount: naming.PlatformKubernetesServiceAccount,
		SQLProxy:       sqlProxy,
	}
}

// readAdminPassword reads the password of a scope's database admin from the Secret where the
// cluster stack hands it over (naming.DatabaseAdminNamespace), as a secret.
func readAdminPassword(ctx *pulumi.Context, scope string, opts []pulumi.ResourceOption) (pulumi.StringOutput, error) {
	id := naming.DatabaseAdminNamespace(scope) + "/" + naming.DatabaseAdminSecret()
	secret, err := corev1.GetSecret(ctx, id, pulumi.ID(id), nil, opts...)
	if err != nil {
		return pulumi.StringOutput{}, fmt.Errorf("reading the %s database admin's Secret %s: %w", scope, id, err)
	}
	password := secret.Data.MapIndex(pulumi.String(SecretKeyPassword)).ApplyT(func(b64 string) (string, error) {
		plain, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			return "", fmt.Errorf("key %s of Secret %s is not base64: %w", SecretKeyPassword, id, err)
		}
		return string(plain), nil
	}).(pulumi.StringOutput)
	return pulumi.ToSecret(password).(pulumi.StringOutput), nil
}
