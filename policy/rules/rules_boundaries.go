package rules

import (
	"slices"
	"strings"

	"github.com/conveyor-paas/conveyor/naming"
)

// Type tokens the boundary rules read, beyond those Conveyor's components create.
const (
	TypeStackReference     = "pulumi:pulumi:StackReference"
	TypeClusterRole        = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole"
	TypeClusterRoleBinding = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding"
)

// boundaryRules hold the walls between environments and between teams and the platform:
// which cluster an environment runs on, and what a team may do in its namespaces.
func boundaryRules() []Rule {
	return []Rule{
		{
			ID: "CONV-ENV-001", Severity: SeverityCritical,
			Types: []string{TypeStackReference, TypeSQLDatabase, TypeSQLUser},
			Description: "prod runs only on cluster-prod and no other environment does: its cluster stack reference " +
				"and its databases' instance are its own cluster's.",
			Remediation: "Leave conveyor:cluster unset (prod defaults to cluster-prod, every other environment to " +
				"cluster-nonprod), and never point an environment at another cluster's outputs.",
			Check: checkClusterBoundary,
		},
		{
			ID: "CONV-RBAC-001", Severity: SeverityCritical,
			Types: []string{TypeRoleBinding, TypeClusterRoleBinding},
			Description: "Teams get the platform's own Roles in their namespaces, never a ClusterRole (edit, admin, " +
				"view and cluster-admin grant Secrets, exec, Services or more) and never a cluster-wide binding; a binding " +
				"names a team's Google group, never a system group such as system:authenticated or one person's account.",
			Remediation: "Bind the team's group to the namespace's Role naming.TeamRole(access) (components/space_rbac.go); " +
				"remove ClusterRoleBindings from environments.",
			Check: checkTeamBinding,
		},
		{
			ID: "CONV-RBAC-002", Severity: SeverityHigh,
			Types:       []string{TypeRole, TypeClusterRole},
			Description: "No Role of an environment lets anyone change Services, NetworkPolicies, RBAC, quotas or limit ranges.",
			Remediation: "Keep those resources read-only in the Role: the platform creates them, a team that could change " +
				"them could expose a LoadBalancer or NodePort, or lift the space's isolation.",
			Check: func(r Resource) []Finding {
				// A cluster stack's roles are the platform's own (the ad-hoc deployer's: CONV-RBAC-004).
				if _, isCluster := naming.ClusterOfStack(r.Environment); isCluster {
					return nil
				}
				return grantsAny(r, platformOwned, writeVerbs, "the platform's")
			},
		},
		{
			ID: "CONV-RBAC-003", Severity: SeverityHigh,
			Types: []string{TypeRole, TypeClusterRole},
			Description: "In staging and prod a Role only views: no Secrets, no exec, attach or port-forward, and no " +
				"change to anything.",
			Remediation: "Give teams naming.TeamRole(naming.TeamView) in staging and prod (components.Environment.TeamAccess).",
			Check:       checkViewOnly,
		},
		adHocWallRule(),
	}
}

// checkClusterBoundary: the cluster an environment reads (its StackReference) and the SQL
// instance its databases and users live on belong to the cluster naming.CheckCluster allows.
func checkClusterBoundary(r Resource) []Finding {
	env := r.Environment
	if _, isCluster := naming.ClusterOfStack(env); isCluster {
		return nil
	}
	if r.Type == TypeStackReference {
		name := inputs(r).key("name")
		if name.unknown() {
			return []Finding{undecided(name)}
		}
		stack := name.str()[strings.LastIndexByte(name.str(), '/')+1:]
		if _, isCluster := naming.ClusterOfStack(stack); !isCluster {
			return nil
		}
		if err := naming.CheckCluster(env, stack); err != nil {
			return []Finding{violationf("reads cluster stack %s: %v", name.show(), err)}
		}
		return nil
	}
	instance := inputs(r).key("instance")
	switch {
	case instance.unknown():
		return []Finding{undecided(instance)}
	case !instance.set():
		return nil
	}
	prodCluster, _ := naming.ClusterOfStack(naming.ProdCluster)
	prodInstance := naming.SQLInstance(prodCluster)
	if onProd := instance.str() == prodInstance; onProd != (env == naming.ProductionStack) {
		return []Finding{violationf("is on instance %s: only prod's databases live on %s, and prod's live nowhere else",
			instance.show(), prodInstance)}
	}
	return nil
}

// checkTeamBinding: a namespaced RoleBinding refers to a Role; a ClusterRoleBinding in an
// environment reaches every namespace of every environment on the cluster.
func checkTeamBinding(r Resource) []Finding {
	if _, isCluster := naming.ClusterOfStack(r.Environment); isCluster {
		return nil
	}
	if r.Type == TypeClusterRoleBinding {
		return []Finding{violationf("binds a role cluster-wide: it reaches every environment's namespaces")}
	}
	kind := inputs(r).at("roleRef.kind")
	if kind.str() == "ClusterRole" && inputs(r).at("roleRef.name").str() == naming.AdHocNamespaceRole {
		return nil // the ad-hoc deployer's own binding, which CONV-RBAC-004 holds
	}
	out := require(kind, kind.str() != "Role", "roleRef is %s %s, not a Role of the namespace",
		kind.show(), inputs(r).at("roleRef.name").show())
	return append(out, checkSubjects(inputs(r).key("subjects"))...)
}

// checkSubjects: a team is a Google group, never a Kubernetes system group such as
// system:authenticated (every signed-in account) and never one person's account; the
// platform's own bindings name its service accounts.
func checkSubjects(subjects value) []Finding {
	if subjects.unknown() {
		return []Finding{undecided(subjects)}
	}
	var out []Finding
	for i, s := range subjects.items() {
		kind, name := s.key("kind"), s.key("name")
		switch {
		case kind.unknown():
			out = append(out, undecided(kind))
		case name.unknown():
			out = append(out, undecided(name))
		case strings.HasPrefix(name.str(), "system:"):
			out = append(out, violationf("subjects[%d] is %s, a Kubernetes system group: everyone in it gets the team's access", i, name.show()))
		case kind.str() == "User":
			out = append(out, violationf("subjects[%d] is %s %s, not a team's Google group", i, kind.show(), name.show()))
		}
	}
	return out
}

// platformOwned are the resources only the platform changes, by API group.
var platformOwned = []groupResource{
	{"", "services"}, {"networking.k8s.io", "networkpolicies"},
	{"rbac.authorization.k8s.io", "roles"}, {"rbac.authorization.k8s.io", "rolebindings"},
	{"", "resourcequotas"}, {"", "limitranges"},
}

// viewForbidden are what a view-only Role must not grant with any verb.
var viewForbidden = []groupResource{
	{"", "secrets"}, {"", "pods/exec"}, {"", "pods/attach"}, {"", "pods/portforward"},
}

var writeVerbs = []string{"create", "update", "patch", "delete", "deletecollection", "escalate", "bind", "impersonate"}

type groupResource struct{ group, resource string }

func checkViewOnly(r Resource) []Finding {
	if naming.TeamAccessOf(r.Environment) != naming.TeamView {
		return nil
	}
	out := grantsAny(r, viewForbidden, []string{"get", "list", "watch", "create"}, "a view-only environment's forbidden")
	for _, f := range grantsAnything(r, writeVerbs) {
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// grantsAny reports each rule of a Role that grants one of verbs on one of resources,
// honouring "*" in API groups, resources and verbs as the RBAC authorizer does.
func grantsAny(r Resource, resources []groupResource, verbs []string, what string) []Finding {
	var out []Finding
	for i, rule := range inputs(r).key("rules").items() {
		groups, res, vs, pending := ruleLists(rule)
		if pending != nil {
			out = append(out, undecided(*pending))
			continue
		}
		for _, gr := range resources {
			verb := firstMatch(vs, verbs)
			if verb != "" && matches(groups, gr.group) && matches(res, gr.resource) {
				out = append(out, violationf("rules[%d] grants %s on %s, one of %s resources", i, verb, qualified(gr), what))
				break
			}
		}
	}
	return out
}

// grantsAnything reports each rule of a Role that grants one of verbs on anything.
func grantsAnything(r Resource, verbs []string) []Finding {
	var out []Finding
	for i, rule := range inputs(r).key("rules").items() {
		groups, res, vs, pending := ruleLists(rule)
		if pending != nil {
			continue // grantsAny has said so
		}
		if verb := firstMatch(vs, verbs); verb != "" && len(groups) > 0 && len(res) > 0 {
			out = append(out, violationf("rules[%d] grants %s on %s: in %s teams only view", i, verb, strings.Join(res, ", "), r.Environment))
		}
	}
	return out
}

func ruleLists(rule value) (groups, resources, verbs []string, pending *value) {
	lists := make([][]string, 3)
	for i, key := range []string{"apiGroups", "resources", "verbs"} {
		v := rule.key(key)
		if v.unknown() {
			return nil, nil, nil, &v
		}
		for _, item := range v.items() {
			if item.unknown() {
				return nil, nil, nil, &item
			}
			lists[i] = append(lists[i], item.str())
		}
	}
	return lists[0], lists[1], lists[2], nil
}

func matches(list []string, want string) bool {
	return slices.Contains(list, want) || slices.Contains(list, "*")
}

// firstMatch is the first of wanted that list grants, "" for none.
func firstMatch(list, wanted []string) string {
	for _, w := range wanted {
		if matches(list, w) {
			return w
		}
	}
	return ""
}

func qualified(gr groupResource) string {
	if gr.group == "" {
		return gr.resource
	}
	return gr.resource + "." + gr.group
}
