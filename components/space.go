package components

import (
	"fmt"
	"maps"

	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/manifest"
	"github.com/conveyor-paas/conveyor/naming"
)

// SpaceArgs describe a team's space in one environment.
type SpaceArgs struct {
	Environment Environment
	// Spec is the space file from a loaded catalog.
	Spec *manifest.Space
	// Catalog is the catalog the space belongs to: the spaces its pods may reach are those
	// whose allowFrom names it.
	Catalog *manifest.Catalog
	// Target is the cluster the environment runs on: its Kubernetes provider, and the
	// database server the space's pods may reach.
	Target *Target
}

// Space is a team's namespace in an environment, with its quota, limit range, network
// isolation and the team's role (edit or view, by environment).
type Space struct {
	pulumi.ResourceState

	// Namespace is the name of the space's namespace; it depends on the namespace existing.
	Namespace pulumi.StringOutput `pulumi:"namespace"`
}

// Pod Security Standards labels: restricted is enforced, and audited and warned too so that
// a violation shows up in the audit log and in kubectl's output as well as being rejected.
var podSecurityLabels = map[string]string{
	"pod-security.kubernetes.io/enforce":         "restricted",
	"pod-security.kubernetes.io/enforce-version": "latest",
	"pod-security.kubernetes.io/audit":           "restricted",
	"pod-security.kubernetes.io/audit-version":   "latest",
	"pod-security.kubernetes.io/warn":            "restricted",
	"pod-security.kubernetes.io/warn-version":    "latest",
}

// Space defaults, and the share of them an ad-hoc environment gets.
const (
	DefaultQuotaCPU    = "8"
	DefaultQuotaMemory = "16Gi"
	DefaultQuotaPods   = 50
	adHocQuotaDivisor  = 2
)

// NewSpace creates a space's namespace and everything that isolates it.
func NewSpace(ctx *pulumi.Context, name string, args *SpaceArgs, opts ...pulumi.ResourceOption) (*Space, error) {
	if args == nil || args.Spec == nil || args.Catalog == nil || args.Target == nil || args.Target.Kubernetes == nil {
		return nil, fmt.Errorf("space %s: args with a spec, its catalog and a target with a Kubernetes provider are required", name)
	}
	s := &Space{}
	if err := ctx.RegisterComponentResource(naming.TypeSpace, name, s, opts...); err != nil {
		return nil, fmt.Errorf("registering space %s: %w", name, err)
	}
	child := []pulumi.ResourceOption{pulumi.Parent(s), pulumi.Provider(args.Target.Kubernetes)}
	env, space := args.Environment.Name, args.Spec.Name
	nsName := naming.Namespace(env, space)
	scope := naming.Scope{Environment: env, Space: space}
	wall := namespaceWall{tier: naming.TierOf(env), deployer: args.Target.Deployer}
	labels := wall.labels(scope)
	maps.Copy(labels, args.mesh().namespaceLabels())
	annotations := args.Environment.namespaceAnnotations()
	if b := args.Spec.Budget; b != nil {
		annotations[naming.AnnotationBudget] = pulumi.String(naming.BudgetValue(b.Monthly, b.Currency))
	}
	ns, err := corev1.NewNamespace(ctx, nsName, &corev1.NamespaceArgs{
		Metadata: &metav1.ObjectMetaArgs{Name: pulumi.String(nsName), Labels: pulumi.ToStringMap(labels), Annotations: annotations},
	}, append(child, pulumi.Protect(args.Environment.Production))...)
	if err != nil {
		return nil, fmt.Errorf("space %s: namespace: %w", space, err)
	}
	var ready []pulumi.Resource
	if s.Namespace, ready, err = wall.bindDeployer(ctx, nsName, ns, scope, child); err != nil {
		return nil, fmt.Errorf("space %s: %w", space, err)
	}
	inNamespace := append(child, pulumi.DependsOn(ready))
	if err := newQuota(ctx, naming.Namespace(scope.Environment, scope.Space), s.Namespace, scope, spaceQuota(args), args.Spec.Limits, inNamespace); err != nil {
		return nil, fmt.Errorf("space %s: %w", space, err)
	}
	if _, err := newNetworkPolicies(ctx, nsName, s.Namespace, scope, spacePolicies(args), inNamespace); err != nil {
		return nil, fmt.Errorf("space %s: %w", space, err)
	}
	if err := newSpaceMesh(ctx, args, s.Namespace, scope, inNamespace); err != nil {
		return nil, fmt.Errorf("space %s: %w", space, err)
	}
	if err := newTeamAccess(ctx, args, s.Namespace, scope, inNamespace); err != nil {
		return nil, fmt.Errorf("space %s: %w", space, err)
	}
	if err := ctx.RegisterResourceOutputs(s, pulumi.Map{"namespace": s.Namespace}); err != nil {
		return nil, fmt.Errorf("space %s: %w", space, err)
	}
	return s, nil
}

// spaceQuota is a space's quota with the defaults filled in, halved in an ad-hoc environment.
func spaceQuota(args *SpaceArgs) manifest.Quota {
	q := manifest.Quota{CPU: DefaultQuotaCPU, Memory: DefaultQuotaMemory, Pods: DefaultQuotaPods}
	if args.Spec.Quota != nil {
		q = mergeQuota(q, *args.Spec.Quota)
	}
	if args.Environment.AdHoc {
		q = scaleQuota(q, adHocQuotaDivisor)
	}
	return q
}

// newQuota creates a namespace's ResourceQuota and LimitRange. The LimitRange gives every
// container requests and limits, which a quota on requests and limits requires.
func newQuota(ctx *pulumi.Context, nsName string, ns pulumi.StringOutput, scope naming.Scope, q manifest.Quota, l *manifest.Limits,
	opts []pulumi.ResourceOption) error {
	if _, err := corev1.NewResourceQuota(ctx, nsName+"/"+naming.ResourceQuota, &corev1.ResourceQuotaArgs{
		Metadata: objectMeta(naming.ResourceQuota, ns, scope),
		Spec: &corev1.ResourceQuotaSpecArgs{Hard: pulumi.StringMap{
			"limits.cpu":      pulumi.String(string(q.CPU)),
			"limits.memory":   pulumi.String(string(q.Memory)),
			"requests.cpu":    pulumi.String(string(q.CPU)),
			"requests.memory": pulumi.String(string(q.Memory)),
			"pods":            pulumi.String(fmt.Sprint(q.Pods)),
		}},
	}, opts...); err != nil {
		return fmt.Errorf("resource quota: %w", err)
	}
	limits := manifest.ContainerLimits(l)
	item := corev1.LimitRangeItemArgs{
		Type:           pulumi.String("Container"),
		DefaultRequest: resourceMap(limits.DefaultRequest),
		Default:        resourceMap(limits.Default),
	}
	if limits.Max != nil {
		item.Max = resourceMap(limits.Max)
	}
	if _, err := corev1.NewLimitRange(ctx, nsName+"/"+naming.LimitRange, &corev1.LimitRangeArgs{
		Metadata: objectMeta(naming.LimitRange, ns, scope),
		Spec:     &corev1.LimitRangeSpecArgs{Limits: corev1.LimitRangeItemArray{item}},
	}, opts...); err != nil {
		return fmt.Errorf("limit range: %w", err)
	}
	return nil
}

func resourceMap(l *manifest.ResourceList) pulumi.StringMap {
	m := pulumi.StringMap{}
	if l.CPU != "" {
		m["cpu"] = pulumi.String(string(l.CPU))
	}
	if l.Memory != "" {
		m["memory"] = pulumi.String(string(l.Memory))
	}
	return m
}

func mergeQuota(base, over manifest.Quota) manifest.Quota {
	if over.CPU != "" {
		base.CPU = over.CPU
	}
	if over.Memory != "" {
		base.Memory = over.Memory
	}
	if over.Pods != 0 {
		base.Pods = over.Pods
	}
	return base
}

// scaleQuota divides a quota for an ad-hoc environment. Quantities that cannot be divided
// exactly keep their value: a quota too large is harmless, one too small breaks rollouts.
func scaleQuota(q manifest.Quota, divisor int) manifest.Quota {
	q.CPU = divideQuantity(q.CPU, divisor)
	q.Memory = divideQuantity(q.Memory, divisor)
	q.Pods = max(1, q.Pods/divisor)
	return q
}
