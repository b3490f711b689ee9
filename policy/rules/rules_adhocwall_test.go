package rules

import "github.com/conveyor-paas/conveyor/naming"

// The ad-hoc tier's wall as the cluster stack makes it, and each way of breaching it.
func adHocWallCases() []ruleCase {
	const cluster = "cluster-nonprod"
	deployer := naming.TierDeployer(naming.TierAdHoc, "acme-conveyor-nonprod")
	user := fixture{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": deployer}
	rule := func(group, resource string, verbs ...string) fixture {
		return fixture{"apiGroups": []any{group}, "resources": []any{resource}, "verbs": toAny(verbs)}
	}
	clusterRole := func(name string, rules []any, mods ...mutation) Resource {
		return build(cluster, TypeClusterRole, name, fixture{"metadata": objectMeta(name, "", nil), "rules": rules}, mods)
	}
	grant := func(bindable string, mods ...mutation) Resource {
		bind := rule("rbac.authorization.k8s.io", "clusterroles", "bind")
		bind["resourceNames"] = []any{bindable}
		return clusterRole(naming.AdHocDeployerClusterRole, []any{
			rule("", "namespaces", "get", "list", "watch", "create", "update", "patch", "delete"),
			rule("rbac.authorization.k8s.io", "rolebindings", "create", "patch"), bind,
		}, mods...)
	}
	namespaceRole := func(mods ...mutation) Resource {
		return clusterRole(naming.AdHocNamespaceRole, []any{
			rule("", "secrets", "get", "create"), rule("apps", "deployments", "get", "patch"),
			rule("rbac.authorization.k8s.io", "roles", "create"),
		}, mods...)
	}
	clusterBinding := func(role string) Resource {
		return build(cluster, TypeClusterRoleBinding, "b", fixture{"metadata": objectMeta("b", "", nil),
			"roleRef": fixture{"kind": "ClusterRole", "name": role}, "subjects": []any{user}}, nil)
	}
	selfBinding := func(env string, mods ...mutation) Resource {
		ns := naming.Namespace(env, "sales")
		return build(env, TypeRoleBinding, ns+"/"+naming.DeployerRoleBinding, fixture{
			"metadata": objectMeta(naming.DeployerRoleBinding, ns, nil),
			"roleRef":  fixture{"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": naming.AdHocNamespaceRole},
			"subjects": []any{user},
		}, mods)
	}
	handover := build(cluster, TypeRoleBinding, "h", fixture{"metadata": objectMeta("h", "conveyor-admin-adhoc", nil),
		"roleRef": fixture{"kind": "Role", "name": naming.AdHocHandoverRole}, "subjects": []any{user}}, nil)
	wide, readsSecrets := grant(naming.AdHocNamespaceRole), grant(naming.AdHocNamespaceRole, set("rules.1.verbs", []any{"create", "patch", "get"}))
	bindsAny := grant("cluster-admin")
	nsWithNamespaces := namespaceRole(set("rules.2", rule("", "namespaces", "patch")))
	nsEscalates := namespaceRole(set("rules.2", rule("rbac.authorization.k8s.io", "roles", "escalate")))
	admin := clusterBinding("cluster-admin")
	inDev, toGroup := selfBinding("dev"), selfBinding("pr-9", set("subjects.0", fixture{"kind": "Group", "name": "system:authenticated"}))
	viewInPR := selfBinding("pr-9", set("roleRef.name", "view"))
	return []ruleCase{
		{rule: "CONV-RBAC-004", name: "the cluster stack's wall", env: cluster,
			resources: stack(wide, namespaceRole(), clusterBinding(naming.AdHocDeployerClusterRole), handover)},
		{rule: "CONV-RBAC-004", name: "an ad-hoc environment binds the deployer its namespace role", env: "pr-9", resources: stack(selfBinding("pr-9"))},
		{rule: "CONV-RBAC-004", name: "the deployer may read every namespace's RoleBindings", env: cluster, resources: stack(readsSecrets),
			want: []outcome{mandatory(wide.URN, "rules[1] grants get on rolebindings.rbac.authorization.k8s.io cluster-wide to the ad-hoc tier's deployer")}},
		{rule: "CONV-RBAC-004", name: "the deployer may bind any ClusterRole", env: cluster, resources: stack(bindsAny),
			want: []outcome{mandatory(wide.URN, `rules[2] lets the ad-hoc tier's deployer bind ["cluster-admin"], not only `+naming.AdHocNamespaceRole)}},
		{rule: "CONV-RBAC-004", name: "cluster-admin for the deployer", env: cluster, resources: stack(admin),
			want: []outcome{mandatory(admin.URN, `binds "cluster-admin" cluster-wide to the ad-hoc tier's deployer: only `+naming.AdHocDeployerClusterRole+" may be")}},
		{rule: "CONV-RBAC-004", name: "the namespace role names namespaces", env: cluster, resources: stack(nsWithNamespaces),
			want: []outcome{mandatory(nsWithNamespaces.URN, "rules[2] grants patch on namespaces, one of the cluster-scoped resources")}},
		{rule: "CONV-RBAC-004", name: "the namespace role escalates", env: cluster, resources: stack(nsEscalates),
			want: []outcome{mandatory(nsEscalates.URN, "rules[2] grants escalate: the ad-hoc namespace role would grant more than itself")}},
		{rule: "CONV-RBAC-004", name: "the deployer bound in dev", env: "dev", resources: stack(inDev),
			want: []outcome{mandatory(inDev.URN, "binds the ad-hoc tier's deployer in dev, an environment of the long-lived tier")}},
		{rule: "CONV-RBAC-004", name: "the namespace role for everyone", env: "pr-9", cfg: Config{LevelsOf: "dev"}, resources: stack(toGroup),
			want: []outcome{mandatory(toGroup.URN, `subjects[0] is "Group" "system:authenticated": the ad-hoc namespace role is only the deployer's`)}},
		{rule: "CONV-RBAC-004", name: "another role for the deployer", env: "pr-9", cfg: Config{LevelsOf: "dev"}, resources: stack(viewInPR),
			want: []outcome{mandatory(viewInPR.URN, `binds "ClusterRole" "view" to the ad-hoc tier's deployer: only the ClusterRole `+naming.AdHocNamespaceRole+" may be")}},
	}
}

func toAny(items []string) []any {
	out := make([]any, len(items))
	for i, s := range items {
		out[i] = s
	}
	return out
}
