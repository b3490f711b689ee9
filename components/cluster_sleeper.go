package components

import (
	"fmt"
	"strings"

	rbacv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/rbac/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/naming"
)

// The sleeper's wall on a non-production cluster (naming/sleeper.go). RBAC cannot tell a
// scale to zero from a scale to a hundred, nor a CronJob's suspend from its image, so the
// grant is as small as RBAC says and admission policies, which see the objects, refuse the
// rest. Deployments change only through their scale subresource, which holds nothing but a
// count: the sleeper never writes a Deployment itself, so never its image or its pods.

// sleeperRules are SleeperClusterRole.
func sleeperRules() rbacv1.PolicyRuleArray {
	rule := func(group string, resources, verbs []string) rbacv1.PolicyRuleArgs {
		return rbacv1.PolicyRuleArgs{ApiGroups: pulumi.ToStringArray([]string{group}), Resources: pulumi.ToStringArray(resources),
			Verbs: pulumi.ToStringArray(verbs)}
	}
	return rbacv1.PolicyRuleArray{
		rule("apps", []string{"deployments"}, []string{"get", "list"}),
		rule("apps", []string{"deployments/scale"}, []string{"get", "update", "patch"}),
		rule("batch", []string{"cronjobs"}, []string{"get", "list", "patch"}),
	}
}

// sleeperWall makes the sleeper's grant, after the policies that narrow it.
func (g *gke) sleeperWall(sleeper string) error {
	scope := naming.Scope{Space: naming.ReservedSpace, Module: naming.ReservedSpace, Component: "sleeper-wall"}
	role, err := rbacv1.NewClusterRole(g.ctx, naming.SleeperClusterRole, &rbacv1.ClusterRoleArgs{
		Metadata: objectMeta(naming.SleeperClusterRole, nil, scope), Rules: sleeperRules(),
	}, g.k8s()...)
	if err != nil {
		return fmt.Errorf("sleeper wall: %w", err)
	}
	var policies []pulumi.Resource
	for _, p := range sleeperPolicies(sleeper) {
		created, err := newAdmissionPolicy(g.ctx, p, scope, g.k8s())
		if err != nil {
			return fmt.Errorf("sleeper wall: %w", err)
		}
		policies = append(policies, created...)
	}
	if _, err := rbacv1.NewClusterRoleBinding(g.ctx, naming.SleeperClusterRole, &rbacv1.ClusterRoleBindingArgs{
		Metadata: objectMeta(naming.SleeperClusterRole, nil, scope),
		RoleRef: &rbacv1.RoleRefArgs{ApiGroup: pulumi.String("rbac.authorization.k8s.io"), Kind: pulumi.String("ClusterRole"),
			Name: role.Metadata.Name().Elem()},
		Subjects: rbacv1.SubjectArray{rbacv1.SubjectArgs{
			ApiGroup: pulumi.String("rbac.authorization.k8s.io"), Kind: pulumi.String("User"), Name: pulumi.String(sleeper),
		}},
	}, g.k8s(pulumi.DependsOn(policies))...); err != nil {
		return fmt.Errorf("sleeper wall: %w", err)
	}
	return nil
}

// sleeperPolicies are the two policies of the sleeper's wall.
func sleeperPolicies(sleeper string) []admissionPolicy {
	isSleeper := map[string]string{"sleeper": fmt.Sprintf("request.userInfo.username == %s", celString(sleeper))}
	namespace := celSleepingNamespace("namespaceObject")
	namespaceMessage := "the sleeper changes only workloads in the spaces of non-production environments"
	// Every field of a CronJob but spec.suspend stays as it was.
	same := []string{
		"metadata.labels", "metadata.annotations", "metadata.finalizers", "metadata.ownerReferences",
		"spec.schedule", "spec.timeZone", "spec.concurrencyPolicy", "spec.startingDeadlineSeconds",
		"spec.successfulJobsHistoryLimit", "spec.failedJobsHistoryLimit", "spec.jobTemplate",
	}
	unchanged := ""
	for i, path := range same {
		if i > 0 {
			unchanged += " && "
		}
		unchanged += celSame(path)
	}
	return []admissionPolicy{
		{
			name: naming.SleeperScalePolicy, group: "apps", resource: "deployments/scale",
			operations: []string{"CREATE", "UPDATE", "DELETE"}, conditions: isSleeper,
			validations: []celRule{
				{namespace, namespaceMessage},
				// A Scale of zero replicas omits the field (omitempty).
				{"request.operation == 'UPDATE' && (!has(object.spec.replicas) || object.spec.replicas == 0)",
					"the sleeper only scales a Deployment to zero"},
			},
		},
		{
			name: naming.SleeperCronJobPolicy, group: "batch", resource: "cronjobs",
			operations: []string{"CREATE", "UPDATE", "DELETE"}, conditions: isSleeper,
			validations: []celRule{
				{namespace, namespaceMessage},
				{"request.operation == 'UPDATE' && has(object.spec.suspend) && object.spec.suspend == true",
					"the sleeper only suspends a CronJob"},
				{"request.operation == 'UPDATE' && " + unchanged, "the sleeper changes nothing of a CronJob but spec.suspend"},
			},
		},
	}
}

// celSleepingNamespace holds for a namespace (obj) of a space of a non-production
// environment: tier ad-hoc or long-lived, an environment label that is not production's,
// named <environment>-<space>, and not the environment's platform namespace.
func celSleepingNamespace(obj string) string {
	var tiers []string
	for _, t := range naming.SleepingTiers() {
		tiers = append(tiers, string(t))
	}
	env := celLabel(obj, naming.LabelEnvironment)
	name := obj + ".metadata.name"
	return fmt.Sprintf("(%s && %s in %s && %s && %s != %s && %s.startsWith(%s + '-') && %s != %s + %s)",
		celHasLabel(obj, naming.LabelTier), celLabel(obj, naming.LabelTier), celList(tiers),
		celHasLabel(obj, naming.LabelEnvironment), env, celString(naming.ProductionStack),
		name, env, name, env, celString("-"+naming.ReservedSpace))
}

// celSame holds when the field at path (under object) is the same in object and oldObject,
// set in both to one value or in neither.
func celSame(path string) string {
	parent, field := "", path
	if i := strings.LastIndex(path, "."); i >= 0 {
		parent, field = "."+path[:i], path[i+1:]
	}
	return fmt.Sprintf("(has(object%[1]s.%[2]s) == has(oldObject%[1]s.%[2]s) && (!has(object%[1]s.%[2]s) || object%[1]s.%[2]s == oldObject%[1]s.%[2]s))",
		parent, field)
}
