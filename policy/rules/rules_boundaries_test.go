package rules

import (
	"testing"

	"github.com/conveyor-paas/conveyor/naming"
)

func TestBoundaryRules(t *testing.T) { runCases(t, concat(boundaryCases(), adHocWallCases())) }

func boundaryCases() []ruleCase {
	prodSpace := naming.Scope{Environment: "prod", Space: "sales"}
	prRef := clusterReference("pr-9", set("name", "organization/conveyor/cluster-prod"))
	prodRef := clusterReference("prod", set("name", "organization/conveyor/cluster-nonprod"))
	prDB := sqlDatabase(naming.Scope{Environment: "pr-9", Space: "sales", Module: "quotes"}, set("instance", naming.SQLInstance("prod")))
	binding := teamBinding(spaceScope())
	editRole, viewRole := teamRole(spaceScope()), teamRole(prodSpace)
	editInProd := teamRoleAs(prodSpace, naming.TeamEdit)
	return []ruleCase{
		{rule: "CONV-ENV-001", name: "each environment on its own cluster",
			resources: stack(clusterReference("dev"), sqlDatabase(moduleScope()))},
		{rule: "CONV-ENV-001", name: "prod on cluster-prod", env: "prod", resources: stack(clusterReference("prod"))},
		{rule: "CONV-ENV-001", name: "an ad-hoc environment reads cluster-prod", env: "pr-9",
			resources: stack(prRef),
			want: []outcome{advisory(prRef.URN, `reads cluster stack "organization/conveyor/cluster-prod": only prod runs on cluster-prod; `+
				`pr-9 deploys onto another cluster (cluster-nonprod unless configured)`)}},
		{rule: "CONV-ENV-001", name: "an ad-hoc environment at dev's levels", env: "pr-9", cfg: Config{LevelsOf: "dev"},
			resources: stack(prRef),
			want: []outcome{mandatory(prRef.URN, `reads cluster stack "organization/conveyor/cluster-prod": only prod runs on cluster-prod; `+
				`pr-9 deploys onto another cluster (cluster-nonprod unless configured)`)}},
		{rule: "CONV-ENV-001", name: "prod reads the non-production cluster", env: "prod",
			resources: stack(prodRef),
			want:      []outcome{mandatory(prodRef.URN, `reads cluster stack "organization/conveyor/cluster-nonprod": prod runs only on cluster-prod, not on cluster-nonprod`)}},
		{rule: "CONV-ENV-001", name: "a database on the production instance", env: "pr-9", cfg: Config{LevelsOf: "dev"},
			resources: stack(prDB),
			want:      []outcome{mandatory(prDB.URN, `is on instance "conveyor-prod-pg": only prod's databases live on conveyor-prod-pg, and prod's live nowhere else`)}},
		{rule: "CONV-ENV-001", name: "cluster reference not known during preview", env: "pr-9",
			resources: stack(clusterReference("pr-9", set("name", computed))),
			want:      []outcome{cannotDecide(clusterReference("pr-9").URN, "name")}},

		{rule: "CONV-RBAC-001", name: "the team's Role", resources: stack(binding)},
		{rule: "CONV-RBAC-001", name: "the built-in edit role",
			resources: stack(teamBinding(spaceScope(), set("roleRef.kind", "ClusterRole"), set("roleRef.name", "edit"))),
			want:      []outcome{mandatory(binding.URN, `roleRef is "ClusterRole" "edit", not a Role of the namespace`)}},
		{rule: "CONV-RBAC-001", name: "every signed-in account as the team",
			resources: stack(teamBinding(spaceScope(), set("subjects.0.name", "system:authenticated"))),
			want:      []outcome{mandatory(binding.URN, `subjects[0] is "system:authenticated", a Kubernetes system group: everyone in it gets the team's access`)}},
		{rule: "CONV-RBAC-001", name: "a user, not a group",
			resources: stack(teamBinding(spaceScope(), set("subjects.0.kind", "User"), set("subjects.0.name", "mallory@gmail.com"))),
			want:      []outcome{mandatory(binding.URN, `subjects[0] is "User" "mallory@gmail.com", not a team's Google group`)}},
		{rule: "CONV-RBAC-001", name: "a cluster-wide binding",
			resources: stack(build(testEnv, TypeClusterRoleBinding, "sales-admin", fixture{"roleRef": fixture{"kind": "ClusterRole", "name": "admin"}}, nil)),
			want: []outcome{mandatory(urnOf(testEnv, TypeClusterRoleBinding, "sales-admin"),
				"binds a role cluster-wide: it reaches every environment's namespaces")}},

		{rule: "CONV-RBAC-002", name: "edit without Services or NetworkPolicies", resources: stack(editRole)},
		{rule: "CONV-RBAC-002", name: "a team may create Services",
			resources: stack(teamRole(spaceScope(), set("rules.0.verbs", []any{"get", "list", "create"}))),
			want:      []outcome{mandatory(editRole.URN, "rules[0] grants create on services, one of the platform's resources")}},
		{rule: "CONV-RBAC-002", name: "a team may delete NetworkPolicies with a wildcard",
			resources: stack(teamRole(spaceScope(), set("rules.2", fixture{"apiGroups": []any{"*"}, "resources": []any{"*"}, "verbs": []any{"delete"}}))),
			want:      []outcome{mandatory(editRole.URN, "rules[2] grants delete on services, one of the platform's resources")}},
		{rule: "CONV-RBAC-002", name: "rules not known during preview",
			resources: stack(teamRole(spaceScope(), set("rules.0.verbs", computed))),
			want:      []outcome{cannotDecide(editRole.URN, "rules[0].verbs")}},

		{rule: "CONV-RBAC-003", name: "view in prod", env: "prod", resources: stack(viewRole)},
		{rule: "CONV-RBAC-003", name: "edit in dev", resources: stack(editRole)},
		{rule: "CONV-RBAC-003", name: "the edit role in prod", env: "prod",
			resources: stack(editInProd),
			want: []outcome{
				mandatory(editInProd.URN, "rules[3] grants get on pods/exec, one of a view-only environment's forbidden resources"),
				mandatory(editInProd.URN, "rules[4] grants get on secrets, one of a view-only environment's forbidden resources"),
				mandatory(editInProd.URN, "rules[3] grants create on pods/exec, pods/portforward: in prod teams only view"),
				mandatory(editInProd.URN, "rules[5] grants update on deployments: in prod teams only view"),
			}},
	}
}
