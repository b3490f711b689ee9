package components

import (
	"fmt"

	rbacv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/rbac/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/naming"
)

// accessRule is one rule of a team's Role: verbs on resources of one API group.
type accessRule struct {
	group     string
	resources []string
	verbs     []string
}

var readVerbs = []string{"get", "list", "watch"}

// teamView is what a team may do in every environment: read its workloads, their status,
// events and logs. It names resources one by one rather than "*", so a new kind of object
// (or Secrets, which the built-in view role also leaves out) is never readable by accident.
var teamView = []accessRule{
	{"", []string{"pods", "pods/log", "pods/status", "services", "endpoints", "configmaps", "persistentvolumeclaims",
		"serviceaccounts", "events", "resourcequotas", "limitranges"}, readVerbs},
	{"apps", []string{"deployments", "deployments/scale", "replicasets", "statefulsets", "controllerrevisions"}, readVerbs},
	{"batch", []string{"jobs", "cronjobs"}, readVerbs},
	{"autoscaling", []string{"horizontalpodautoscalers"}, readVerbs},
	{"policy", []string{"poddisruptionbudgets"}, readVerbs},
	{"networking.k8s.io", []string{"networkpolicies"}, readVerbs},
	{"discovery.k8s.io", []string{"endpointslices"}, readVerbs},
	{"events.k8s.io", []string{"events"}, readVerbs},
}

// teamEdit adds what a team needs to work in an environment of its own: debug pods (exec,
// port-forward, restart), manage config, Secrets and one-off Jobs, scale and restart its
// workloads. It never grants Services (a LoadBalancer or NodePort would expose the space
// outside the cluster), NetworkPolicies (the platform's isolation), RBAC, quotas or service
// accounts: those stay the platform's, and the Role is the team's only grant.
var teamEdit = append(append([]accessRule{}, teamView...),
	accessRule{"", []string{"pods"}, []string{"delete"}},
	accessRule{"", []string{"pods/exec", "pods/attach", "pods/portforward"}, []string{"get", "create"}},
	accessRule{"", []string{"secrets"}, readVerbs},
	accessRule{"", []string{"configmaps", "secrets"}, []string{"create", "update", "patch", "delete"}},
	accessRule{"apps", []string{"deployments", "statefulsets"}, []string{"update", "patch"}},
	accessRule{"apps", []string{"deployments/scale", "statefulsets/scale"}, []string{"update", "patch"}},
	accessRule{"apps", []string{"replicasets"}, []string{"delete"}},
	accessRule{"batch", []string{"jobs", "cronjobs"}, []string{"create", "update", "patch", "delete"}},
)

func teamRules(access naming.TeamAccess) []accessRule {
	if access == naming.TeamEdit {
		return teamEdit
	}
	return teamView
}

// newTeamAccess creates the team's Role in the space's namespace and binds the team's group
// to it. On GKE the group is a Google group, which the cluster resolves through Google Groups
// for RBAC (the cluster's authenticatorGroupsConfig).
func newTeamAccess(ctx *pulumi.Context, args *SpaceArgs, ns pulumi.StringOutput, scope naming.Scope, opts []pulumi.ResourceOption) error {
	access := args.Environment.TeamAccess()
	nsName := naming.Namespace(scope.Environment, scope.Space)
	roleName := naming.TeamRole(access)
	var rules rbacv1.PolicyRuleArray
	for _, r := range teamRules(access) {
		rules = append(rules, rbacv1.PolicyRuleArgs{
			ApiGroups: pulumi.StringArray{pulumi.String(r.group)},
			Resources: pulumi.ToStringArray(r.resources),
			Verbs:     pulumi.ToStringArray(r.verbs),
		})
	}
	role, err := rbacv1.NewRole(ctx, nsName+"/"+roleName, &rbacv1.RoleArgs{
		Metadata: objectMeta(roleName, ns, scope),
		Rules:    rules,
	}, opts...)
	if err != nil {
		return fmt.Errorf("team role: %w", err)
	}
	binding := naming.TeamRoleBinding(scope.Space)
	if _, err := rbacv1.NewRoleBinding(ctx, nsName+"/"+binding, &rbacv1.RoleBindingArgs{
		Metadata: objectMeta(binding, ns, scope),
		RoleRef: &rbacv1.RoleRefArgs{
			ApiGroup: pulumi.String("rbac.authorization.k8s.io"),
			Kind:     pulumi.String("Role"),
			Name:     role.Metadata.Name().Elem(),
		},
		Subjects: rbacv1.SubjectArray{rbacv1.SubjectArgs{
			ApiGroup: pulumi.String("rbac.authorization.k8s.io"),
			Kind:     pulumi.String("Group"),
			Name:     pulumi.String(args.Spec.Team),
		}},
	}, opts...); err != nil {
		return fmt.Errorf("team role binding: %w", err)
	}
	return nil
}
