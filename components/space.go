package components

import (
	"fmt"
	"maps"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	networkingv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/networking/v1"
	rbacv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/rbac/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/components/manifest"
	"github.com/conveyor-paas/conveyor/components/naming"
)

// SpaceArgs describe a team's space in one environment.
type SpaceArgs struct {
	Environment Environment
	// Spec is the space file from a loaded catalog.
	Spec       *manifest.Space
	Kubernetes *kubernetes.Provider
	Mesh       *SpaceMesh // nil: the space is not in the service mesh (Mesh.For)
}

// Space is a team's namespace in an environment, with its quota, limit range, network
// isolation and the team's edit role.
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
	if args == nil || args.Spec == nil || args.Kubernetes == nil {
		return nil, fmt.Errorf("space %s: args with a spec and a Kubernetes provider are required", name)
	}
	s := &Space{}
	if err := ctx.RegisterComponentResource(TypeSpace, name, s, opts...); err != nil {
		return nil, fmt.Errorf("registering space %s: %w", name, err)
	}
	child := []pulumi.ResourceOption{pulumi.Parent(s), pulumi.Provider(args.Kubernetes)}
	env, space := args.Environment.Name, args.Spec.Name
	nsName := naming.Namespace(env, space)
	scope := naming.Scope{Environment: env, Space: space}
	labels := naming.KubernetesLabels(scope)
	for k, v := range podSecurityLabels {
		labels[k] = v
	}
	maps.Copy(labels, args.Mesh.namespaceLabels())
	ns, err := corev1.NewNamespace(ctx, nsName, &corev1.NamespaceArgs{
		Metadata: &metav1.ObjectMetaArgs{Name: pulumi.String(nsName), Labels: pulumi.ToStringMap(labels)},
	}, append(child, pulumi.Protect(args.Environment.Production))...)
	if err != nil {
		return nil, fmt.Errorf("space %s: namespace: %w", space, err)
	}
	s.Namespace = ns.Metadata.Name().Elem()
	inNamespace := append(child, pulumi.DependsOn([]pulumi.Resource{ns}))
	if err := newQuota(ctx, s.Namespace, scope, spaceQuota(args), args.Spec.Limits, inNamespace); err != nil {
		return nil, fmt.Errorf("space %s: %w", space, err)
	}
	if err := newNetworkPolicies(ctx, args, s.Namespace, scope, inNamespace); err != nil {
		return nil, fmt.Errorf("space %s: %w", space, err)
	}
	if err := newSpaceMesh(ctx, args, s.Namespace, scope, inNamespace); err != nil {
		return nil, fmt.Errorf("space %s: %w", space, err)
	}
	if _, err := rbacv1.NewRoleBinding(ctx, nsName+"/"+naming.TeamRoleBinding(space), &rbacv1.RoleBindingArgs{
		Metadata: objectMeta(naming.TeamRoleBinding(space), s.Namespace, scope),
		RoleRef: &rbacv1.RoleRefArgs{
			ApiGroup: pulumi.String("rbac.authorization.k8s.io"),
			Kind:     pulumi.String("ClusterRole"),
			Name:     pulumi.String("edit"),
		},
		Subjects: rbacv1.SubjectArray{rbacv1.SubjectArgs{
			ApiGroup: pulumi.String("rbac.authorization.k8s.io"),
			Kind:     pulumi.String("Group"),
			Name:     pulumi.String(args.Spec.Team),
		}},
	}, inNamespace...); err != nil {
		return nil, fmt.Errorf("space %s: team role binding: %w", space, err)
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
func newQuota(ctx *pulumi.Context, ns pulumi.StringOutput, scope naming.Scope, q manifest.Quota, l *manifest.Limits, opts []pulumi.ResourceOption) error {
	nsName := naming.Namespace(scope.Environment, scope.Space)
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

// newNetworkPolicies isolates the space: ingress is denied by default and allowed from the
// space itself, from the spaces its file names, and (on a local cluster) nowhere else.
func newNetworkPolicies(ctx *pulumi.Context, args *SpaceArgs, ns pulumi.StringOutput, scope naming.Scope, opts []pulumi.ResourceOption) error {
	nsName := naming.Namespace(scope.Environment, scope.Space)
	all := &metav1.LabelSelectorArgs{}
	policy := func(purpose string, ingress networkingv1.NetworkPolicyIngressRuleArray) error {
		name := naming.NetworkPolicy(purpose)
		_, err := networkingv1.NewNetworkPolicy(ctx, nsName+"/"+name, &networkingv1.NetworkPolicyArgs{
			Metadata: objectMeta(name, ns, scope),
			Spec: &networkingv1.NetworkPolicySpecArgs{
				PodSelector: all,
				PolicyTypes: pulumi.StringArray{pulumi.String("Ingress")},
				Ingress:     ingress,
			},
		}, opts...)
		if err != nil {
			return fmt.Errorf("network policy %s: %w", name, err)
		}
		return nil
	}
	if err := policy(naming.PolicyDefaultDeny, nil); err != nil {
		return err
	}
	if err := policy(naming.PolicyAllowSameSpace, networkingv1.NetworkPolicyIngressRuleArray{
		networkingv1.NetworkPolicyIngressRuleArgs{From: networkingv1.NetworkPolicyPeerArray{
			networkingv1.NetworkPolicyPeerArgs{PodSelector: all},
		}},
	}); err != nil {
		return err
	}
	if len(args.Spec.AllowFrom) == 0 {
		return nil
	}
	var peers networkingv1.NetworkPolicyPeerArray
	for _, from := range args.Spec.AllowFrom {
		// Only the same environment's namespace of that space: environments never reach
		// each other, even on a shared cluster.
		peers = append(peers, networkingv1.NetworkPolicyPeerArgs{
			NamespaceSelector: &metav1.LabelSelectorArgs{MatchLabels: pulumi.StringMap{
				naming.LabelEnvironment: pulumi.String(scope.Environment),
				naming.LabelSpace:       pulumi.String(from),
			}},
		})
	}
	return policy(naming.PolicyAllowFromSpaces, networkingv1.NetworkPolicyIngressRuleArray{
		networkingv1.NetworkPolicyIngressRuleArgs{From: peers},
	})
}

// scaleQuota divides a quota for an ad-hoc environment. Quantities that cannot be divided
// exactly keep their value: a quota too large is harmless, one too small breaks rollouts.
func scaleQuota(q manifest.Quota, divisor int) manifest.Quota {
	q.CPU = divideQuantity(q.CPU, divisor)
	q.Memory = divideQuantity(q.Memory, divisor)
	q.Pods = max(1, q.Pods/divisor)
	return q
}
