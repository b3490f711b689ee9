package components

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	admissionv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/admissionregistration/v1"
	rbacv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/rbac/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/naming"
)

// The ad-hoc tier's wall on a shared non-production cluster (naming/adhocwall.go). RBAC
// cannot say "namespaces of ad-hoc environments only", since a namespace does not exist
// before it is created; so the deployer's cluster-wide grant is as small as a deploy allows,
// every other right comes from a RoleBinding in a namespace of its own, and admission
// policies, which see the objects, refuse what RBAC cannot tell apart:
//
//   - cluster-wide (AdHocDeployerClusterRole): namespaces, which the Kubernetes provider
//     creates by server-side apply (a PATCH, authorized before the namespace exists) and
//     watches while it deletes one; creating RoleBindings (by server-side apply too, so
//     create and patch: the deployer's own, before it holds anything in the namespace);
//     binding AdHocNamespaceRole. No
//     read of any namespaced object: the deployer sees dev's namespaces' names and labels,
//     never what is in them.
//   - in each of its namespaces (naming.DeployerRoleBinding, which the environment makes
//     right after the namespace): AdHocNamespaceRole, the kinds an environment deploys.
//   - AdHocNamespacePolicy: the deployer creates, changes and deletes only namespaces of an
//     ad-hoc environment: labelled tier ad-hoc and an environment that is not dev, staging,
//     prod or a reserved word, named <environment>-<space>, Pod Security restricted.
//   - AdHocRoleBindingPolicy: it writes RoleBindings only in such namespaces, and binds only
//     Roles or AdHocNamespaceRole (so never its cluster-wide role to an account of its own).
//   - NamespaceLabelsPolicy, for every requester: a Conveyor namespace's environment, tier,
//     manager and Pod Security labels never change once set, so no account of an ad-hoc
//     namespace (which may patch its own namespace) relabels it into dev's network or out of
//     Pod Security.
//
// The deployer reads the ad-hoc admin's Secret through AdHocHandoverRole in the handover
// namespace, and nothing else of the cluster stack's.

// deployerVerbs are every verb on the kinds an ad-hoc environment deploys, in its own
// namespaces only.
var deployerVerbs = []string{"get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"}

// adHocNamespaceRules are AdHocNamespaceRole: what an environment's program creates in a
// namespace and what the Kubernetes provider watches while it waits (pods, replica sets,
// events), and the team Roles' rights, which whoever creates a Role must hold itself.
var adHocNamespaceRules = []accessRule{
	{"", []string{"pods", "pods/log", "pods/status", "pods/exec", "pods/attach", "pods/portforward", "services", "endpoints",
		"configmaps", "secrets", "serviceaccounts", "events", "resourcequotas", "limitranges", "persistentvolumeclaims"}, deployerVerbs},
	{"apps", []string{"deployments", "deployments/scale", "replicasets", "statefulsets", "statefulsets/scale", "controllerrevisions"}, deployerVerbs},
	{"batch", []string{"jobs", "cronjobs"}, deployerVerbs},
	{"autoscaling", []string{"horizontalpodautoscalers"}, deployerVerbs},
	{"policy", []string{"poddisruptionbudgets"}, deployerVerbs},
	{"networking.k8s.io", []string{"networkpolicies"}, deployerVerbs},
	{"discovery.k8s.io", []string{"endpointslices"}, deployerVerbs},
	{"events.k8s.io", []string{"events"}, deployerVerbs},
	{"rbac.authorization.k8s.io", []string{"roles", "rolebindings"}, deployerVerbs},
	{"security.istio.io", []string{"authorizationpolicies", "peerauthentications"}, deployerVerbs},
	{"secrets-store.csi.x-k8s.io", []string{"secretproviderclasses"}, deployerVerbs},
}

// adHocClusterRules are AdHocDeployerClusterRole, the deployer's only cluster-wide grant.
func adHocClusterRules() rbacv1.PolicyRuleArray {
	return rbacv1.PolicyRuleArray{
		rbacv1.PolicyRuleArgs{ApiGroups: pulumi.ToStringArray([]string{""}), Resources: pulumi.ToStringArray([]string{"namespaces"}),
			Verbs: pulumi.ToStringArray([]string{"get", "list", "watch", "create", "update", "patch", "delete"})},
		rbacv1.PolicyRuleArgs{ApiGroups: pulumi.ToStringArray([]string{"rbac.authorization.k8s.io"}), Resources: pulumi.ToStringArray([]string{"rolebindings"}),
			Verbs: pulumi.ToStringArray([]string{"create", "patch"})},
		rbacv1.PolicyRuleArgs{ApiGroups: pulumi.ToStringArray([]string{"rbac.authorization.k8s.io"}), Resources: pulumi.ToStringArray([]string{"clusterroles"}),
			Verbs: pulumi.ToStringArray([]string{"bind"}), ResourceNames: pulumi.ToStringArray([]string{naming.AdHocNamespaceRole})},
	}
}

func policyRules(rules []accessRule) rbacv1.PolicyRuleArray {
	var out rbacv1.PolicyRuleArray
	for _, r := range rules {
		out = append(out, rbacv1.PolicyRuleArgs{
			ApiGroups: pulumi.ToStringArray([]string{r.group}), Resources: pulumi.ToStringArray(r.resources), Verbs: pulumi.ToStringArray(r.verbs),
		})
	}
	return out
}

// adHocWall makes the wall for deployer, the ad-hoc tier's deploy account, on a non-production
// cluster. ready are what it waits for: the handover namespace.
func (g *gke) adHocWall(deployer string, ready []pulumi.Resource) error {
	scope := naming.Scope{Space: naming.ReservedSpace, Module: naming.ReservedSpace, Component: "adhoc-wall"}
	user := rbacv1.SubjectArray{rbacv1.SubjectArgs{
		ApiGroup: pulumi.String("rbac.authorization.k8s.io"), Kind: pulumi.String("User"), Name: pulumi.String(deployer),
	}}
	clusterRole, err := rbacv1.NewClusterRole(g.ctx, naming.AdHocDeployerClusterRole, &rbacv1.ClusterRoleArgs{
		Metadata: objectMeta(naming.AdHocDeployerClusterRole, nil, scope), Rules: adHocClusterRules(),
	}, g.k8s()...)
	if err != nil {
		return fmt.Errorf("ad-hoc wall: %w", err)
	}
	if _, err := rbacv1.NewClusterRole(g.ctx, naming.AdHocNamespaceRole, &rbacv1.ClusterRoleArgs{
		Metadata: objectMeta(naming.AdHocNamespaceRole, nil, scope), Rules: policyRules(adHocNamespaceRules),
	}, g.k8s()...); err != nil {
		return fmt.Errorf("ad-hoc wall: %w", err)
	}
	// The policies exist before the grant, so that the deployer never holds it unguarded.
	var policies []pulumi.Resource
	for _, p := range adHocPolicies(deployer) {
		created, err := newAdmissionPolicy(g.ctx, p, scope, g.k8s())
		if err != nil {
			return fmt.Errorf("ad-hoc wall: %w", err)
		}
		policies = append(policies, created...)
	}
	if _, err := rbacv1.NewClusterRoleBinding(g.ctx, naming.AdHocDeployerClusterRole, &rbacv1.ClusterRoleBindingArgs{
		Metadata: objectMeta(naming.AdHocDeployerClusterRole, nil, scope),
		RoleRef: &rbacv1.RoleRefArgs{ApiGroup: pulumi.String("rbac.authorization.k8s.io"), Kind: pulumi.String("ClusterRole"),
			Name: clusterRole.Metadata.Name().Elem()},
		Subjects: user,
	}, g.k8s(pulumi.DependsOn(policies))...); err != nil {
		return fmt.Errorf("ad-hoc wall: %w", err)
	}
	handover := naming.DatabaseAdminNamespace(naming.AdHocAdminScope)
	role, err := rbacv1.NewRole(g.ctx, handover+"/"+naming.AdHocHandoverRole, &rbacv1.RoleArgs{
		Metadata: objectMeta(naming.AdHocHandoverRole, pulumi.String(handover), scope),
		Rules: rbacv1.PolicyRuleArray{rbacv1.PolicyRuleArgs{
			ApiGroups: pulumi.ToStringArray([]string{""}), Resources: pulumi.ToStringArray([]string{"secrets"}),
			Verbs: pulumi.ToStringArray([]string{"get"}), ResourceNames: pulumi.ToStringArray([]string{naming.DatabaseAdminSecret()}),
		}},
	}, g.k8s(pulumi.DependsOn(ready))...)
	if err != nil {
		return fmt.Errorf("ad-hoc wall: %w", err)
	}
	if _, err := rbacv1.NewRoleBinding(g.ctx, handover+"/"+naming.AdHocHandoverRole, &rbacv1.RoleBindingArgs{
		Metadata: objectMeta(naming.AdHocHandoverRole, pulumi.String(handover), scope),
		RoleRef: &rbacv1.RoleRefArgs{ApiGroup: pulumi.String("rbac.authorization.k8s.io"), Kind: pulumi.String("Role"),
			Name: role.Metadata.Name().Elem()},
		Subjects: user,
	}, g.k8s(pulumi.DependsOn(ready))...); err != nil {
		return fmt.Errorf("ad-hoc wall: %w", err)
	}
	return nil
}

// admissionPolicy is one ValidatingAdmissionPolicy and what it checks.
type admissionPolicy struct {
	name string
	// rules are the requests it sees: resource of the core or RBAC group, and operations.
	group, resource string
	operations      []string
	// conditions narrow those to the requests it checks (CEL over request).
	conditions map[string]string
	// validations are CEL expressions, each with the message of its refusal.
	validations []celRule
}

type celRule struct{ expression, message string }

// newAdmissionPolicy creates a policy and its binding, which denies what it refuses. A policy
// that cannot be evaluated refuses (failurePolicy Fail).
func newAdmissionPolicy(ctx *pulumi.Context, p admissionPolicy, scope naming.Scope, opts []pulumi.ResourceOption) ([]pulumi.Resource, error) {
	var conditions admissionv1.MatchConditionArray
	for _, name := range slices.Sorted(maps.Keys(p.conditions)) {
		conditions = append(conditions, admissionv1.MatchConditionArgs{Name: pulumi.String(name), Expression: pulumi.String(p.conditions[name])})
	}
	var validations admissionv1.ValidationArray
	for _, v := range p.validations {
		validations = append(validations, admissionv1.ValidationArgs{
			Expression: pulumi.String(v.expression), Message: pulumi.String(v.message), Reason: pulumi.String("Forbidden"),
		})
	}
	version := "v1"
	policy, err := admissionv1.NewValidatingAdmissionPolicy(ctx, p.name, &admissionv1.ValidatingAdmissionPolicyArgs{
		Metadata: objectMeta(p.name, nil, scope),
		Spec: &admissionv1.ValidatingAdmissionPolicySpecArgs{
			FailurePolicy: pulumi.String("Fail"),
			MatchConstraints: &admissionv1.MatchResourcesArgs{ResourceRules: admissionv1.NamedRuleWithOperationsArray{
				admissionv1.NamedRuleWithOperationsArgs{
					ApiGroups: pulumi.ToStringArray([]string{p.group}), ApiVersions: pulumi.ToStringArray([]string{version}),
					Operations: pulumi.ToStringArray(p.operations), Resources: pulumi.ToStringArray([]string{p.resource}),
				},
			}},
			MatchConditions: conditions,
			Validations:     validations,
		},
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("admission policy %s: %w", p.name, err)
	}
	binding, err := admissionv1.NewValidatingAdmissionPolicyBinding(ctx, p.name, &admissionv1.ValidatingAdmissionPolicyBindingArgs{
		Metadata: objectMeta(p.name, nil, scope),
		Spec: &admissionv1.ValidatingAdmissionPolicyBindingSpecArgs{
			PolicyName:        policy.Metadata.Name().Elem(),
			ValidationActions: pulumi.ToStringArray([]string{"Deny"}),
		},
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("admission policy %s: binding: %w", p.name, err)
	}
	return []pulumi.Resource{policy, binding}, nil
}

// adHocPolicies are the three policies of the wall for deployer.
func adHocPolicies(deployer string) []admissionPolicy {
	isDeployer := map[string]string{"ad-hoc-deployer": fmt.Sprintf("request.userInfo.username == %s", celString(deployer))}
	notDelete := "request.operation == 'DELETE' || "
	rbacGroup := "rbac.authorization.k8s.io"
	return []admissionPolicy{
		{
			name: naming.AdHocNamespacePolicy, group: "", resource: "namespaces",
			operations: []string{"CREATE", "UPDATE", "DELETE"}, conditions: isDeployer,
			validations: []celRule{
				{notDelete + celLabelIs("object", naming.LabelTier, string(naming.TierAdHoc)),
					fmt.Sprintf("the ad-hoc tier's deployer makes only namespaces labelled %s=%s", naming.LabelTier, naming.TierAdHoc)},
				{notDelete + celAdHocEnvironment("object"),
					fmt.Sprintf("the ad-hoc tier's deployer makes only namespaces whose %s is an ad-hoc environment: not %s, nor one starting with %s",
						naming.LabelEnvironment, strings.Join(naming.TrustedEnvironments(), ", "), strings.Join(naming.ReservedEnvironmentWords(), ", "))},
				{notDelete + celAdHocName("object"),
					"the ad-hoc tier's deployer makes only namespaces named <environment>-<space> after their environment label, never one named like dev's, staging's, prod's or the platform's"},
				{notDelete + celLabelIs("object", "pod-security.kubernetes.io/enforce", "restricted"),
					"the ad-hoc tier's namespaces enforce Pod Security restricted"},
				{"request.operation == 'CREATE' || " + celAdHocNamespace("oldObject"),
					"the namespace is not an ad-hoc environment's: the ad-hoc tier's deployer may not change or delete it"},
			},
		},
		{
			name: naming.AdHocRoleBindingPolicy, group: rbacGroup, resource: "rolebindings",
			operations: []string{"CREATE", "UPDATE", "DELETE"}, conditions: isDeployer,
			validations: []celRule{
				{celAdHocNamespace("namespaceObject"),
					"the ad-hoc tier's deployer writes RoleBindings only in namespaces of ad-hoc environments"},
				{notDelete + fmt.Sprintf("object.roleRef.kind == 'Role' || (object.roleRef.kind == 'ClusterRole' && object.roleRef.name == %s)",
					celString(naming.AdHocNamespaceRole)),
					fmt.Sprintf("the ad-hoc tier's deployer binds only a namespace's Roles or the ClusterRole %s", naming.AdHocNamespaceRole)},
			},
		},
		{
			name: naming.NamespaceLabelsPolicy, group: "", resource: "namespaces", operations: []string{"UPDATE"},
			conditions: map[string]string{"conveyor-namespace": celLabelIs("oldObject", naming.LabelManagedBy, naming.ManagedBy)},
			validations: []celRule{{
				fmt.Sprintf("%s.all(k, !(k in oldObject.metadata.labels) || "+
					"(has(object.metadata.labels) && k in object.metadata.labels && object.metadata.labels[k] == oldObject.metadata.labels[k]))",
					celList(append([]string{naming.LabelManagedBy}, naming.ProtectedNamespaceLabels()...))),
				fmt.Sprintf("a Conveyor namespace's labels %s and %s never change once set: make a new namespace instead",
					naming.LabelManagedBy, strings.Join(naming.ProtectedNamespaceLabels(), ", ")),
			}},
		},
	}
}

// celAdHocNamespace holds for a namespace (obj) of an ad-hoc environment.
func celAdHocNamespace(obj string) string {
	return "(" + celLabelIs(obj, naming.LabelTier, string(naming.TierAdHoc)) + " && " + celAdHocEnvironment(obj) + " && " + celAdHocName(obj) + ")"
}

// celAdHocEnvironment holds when obj's environment label names an ad-hoc environment.
func celAdHocEnvironment(obj string) string {
	pattern, _ := naming.PartPattern(naming.PartEnvironment)
	env := celLabel(obj, naming.LabelEnvironment)
	return fmt.Sprintf("(%s && %s.matches(%s) && !(%s in %s) && !%s.exists(w, %s == w || %s.startsWith(w + '-')))",
		celHasLabel(obj, naming.LabelEnvironment), env, celString(pattern), env, celList(naming.TrustedEnvironments()),
		celList(naming.ReservedEnvironmentWords()), env, env)
}

// celAdHocName holds when obj is named <environment>-<space> after its environment label and
// not like a namespace of another tier or of the platform.
func celAdHocName(obj string) string {
	others := append(append([]string{"default"}, naming.TrustedEnvironments()...), naming.ReservedEnvironmentWords()...)
	name := obj + ".metadata.name"
	return fmt.Sprintf("(%s && %s.startsWith(%s + '-') && !%s.exists(p, %s == p || %s.startsWith(p + '-')))",
		celHasLabel(obj, naming.LabelEnvironment), name, celLabel(obj, naming.LabelEnvironment), celList(others), name, name)
}

func celHasLabel(obj, key string) string {
	return fmt.Sprintf("(has(%[1]s.metadata.labels) && %[2]s in %[1]s.metadata.labels)", obj, celString(key))
}

func celLabel(obj, key string) string {
	return fmt.Sprintf("%s.metadata.labels[%s]", obj, celString(key))
}

func celLabelIs(obj, key, value string) string {
	return fmt.Sprintf("(%s && %s == %s)", celHasLabel(obj, key), celLabel(obj, key), celString(value))
}

// celString quotes s as a CEL string; the names quoted here hold no quote or backslash but
// the environment pattern's, which a raw string keeps as it is.
func celString(s string) string { return "r'" + s + "'" }

func celList(items []string) string {
	quoted := make([]string, len(items))
	for i, s := range items {
		quoted[i] = celString(s)
	}
	return "[" + strings.Join(quoted, ", ") + "]"
}
