package rules

import (
	"slices"
	"strings"

	"github.com/conveyor-paas/conveyor/naming"
)

// adHocWallRule holds the ad-hoc tier's Kubernetes wall (naming/adhocwall.go) as resources:
// the deployer a pull request's job holds gets, cluster-wide, only its small ClusterRole, and
// everything else only by a binding of the namespace role in an ad-hoc environment's own
// namespaces, a role that holds nothing cluster-wide and nothing that grants more.
func adHocWallRule() Rule {
	return Rule{
		ID: "CONV-RBAC-004", Severity: SeverityCritical,
		Types: []string{TypeClusterRole, TypeClusterRoleBinding, TypeRoleBinding},
		Description: "The ad-hoc tier's deployer holds cluster-wide only namespaces, creating RoleBindings and binding " +
			"its namespace role; it gets the namespace role only in an ad-hoc environment's namespaces, and that role " +
			"grants nothing cluster-scoped and no escalate, bind or impersonate.",
		Remediation: "Keep the ad-hoc wall as components/cluster_adhoc.go makes it; bind naming.AdHocNamespaceRole to the " +
			"deployer only in an ad-hoc environment's namespaces (namespaceWall.bindDeployer).",
		Check: checkAdHocWall,
	}
}

// adHocClusterGrant is all the deployer may hold cluster-wide, by group/resource.
var adHocClusterGrant = map[groupResource][]string{
	{"", "namespaces"}: {"get", "list", "watch", "create", "update", "patch", "delete"},
	{"rbac.authorization.k8s.io", "rolebindings"}: {"create", "patch"},
	{"rbac.authorization.k8s.io", "clusterroles"}: {"bind"},
}

// clusterScoped are resources no namespace role may name: in a RoleBinding they would reach
// the namespace object itself, and they say a role was meant for more than a namespace.
var clusterScoped = []string{"namespaces", "nodes", "persistentvolumes", "clusterroles", "clusterrolebindings",
	"customresourcedefinitions", "validatingadmissionpolicies", "validatingadmissionpolicybindings",
	"validatingwebhookconfigurations", "mutatingwebhookconfigurations", "certificatesigningrequests", "*"}

func checkAdHocWall(r Resource) []Finding {
	in := inputs(r)
	switch r.Type {
	case TypeClusterRole:
		switch name := in.at("metadata.name"); name.str() {
		case naming.AdHocDeployerClusterRole:
			return checkAdHocClusterGrant(in)
		case naming.AdHocNamespaceRole:
			return checkAdHocNamespaceRole(r)
		}
		return nil
	case TypeClusterRoleBinding:
		if bindsAdHocDeployer(in.key("subjects")) && in.at("roleRef.name").str() != naming.AdHocDeployerClusterRole {
			return []Finding{violationf("binds %s cluster-wide to the ad-hoc tier's deployer: only %s may be",
				in.at("roleRef.name").show(), naming.AdHocDeployerClusterRole)}
		}
		return nil
	}
	kind, role := in.at("roleRef.kind"), in.at("roleRef.name")
	if kind.unknown() || role.unknown() {
		return []Finding{undecided(role)}
	}
	namespaceRole := kind.str() == "ClusterRole" && role.str() == naming.AdHocNamespaceRole
	_, isCluster := naming.ClusterOfStack(r.Environment)
	var out []Finding
	handoverRole := kind.str() == "Role" && role.str() == naming.AdHocHandoverRole
	if bindsAdHocDeployer(in.key("subjects")) {
		switch {
		case isCluster && !handoverRole:
			out = append(out, violationf("binds %s %s to the ad-hoc tier's deployer in a cluster stack's namespace: only the Role %s, which reads the ad-hoc admin, may be",
				kind.show(), role.show(), naming.AdHocHandoverRole))
		case !isCluster && naming.TierOf(r.Environment) != naming.TierAdHoc:
			out = append(out, violationf("binds the ad-hoc tier's deployer in %s, an environment of the %s tier", r.Environment, naming.TierOf(r.Environment)))
		case !isCluster && !namespaceRole:
			out = append(out, violationf("binds %s %s to the ad-hoc tier's deployer: only the ClusterRole %s may be", kind.show(), role.show(), naming.AdHocNamespaceRole))
		}
	}
	if namespaceRole {
		for i, s := range in.key("subjects").items() {
			if !isAdHocDeployer(s) {
				out = append(out, violationf("subjects[%d] is %s %s: the ad-hoc namespace role is only the deployer's", i, s.key("kind").show(), s.key("name").show()))
			}
		}
	}
	return out
}

// checkAdHocClusterGrant: every rule of the deployer's ClusterRole is within adHocClusterGrant,
// and its bind is on the namespace role alone.
func checkAdHocClusterGrant(in value) []Finding {
	var out []Finding
	for i, rule := range in.key("rules").items() {
		groups, resources, verbs, pending := ruleLists(rule)
		if pending != nil {
			out = append(out, undecided(*pending))
			continue
		}
		for _, g := range groups {
			for _, res := range resources {
				allowed := adHocClusterGrant[groupResource{g, res}]
				for _, v := range verbs {
					if !slices.Contains(allowed, v) {
						out = append(out, violationf("rules[%d] grants %s on %s cluster-wide to the ad-hoc tier's deployer", i, v, qualified(groupResource{g, res})))
					}
				}
				if res == "clusterroles" {
					var names []string
					for _, n := range rule.key("resourceNames").items() {
						names = append(names, n.str())
					}
					if len(names) != 1 || names[0] != naming.AdHocNamespaceRole {
						out = append(out, violationf("rules[%d] lets the ad-hoc tier's deployer bind %q, not only %s", i, names, naming.AdHocNamespaceRole))
					}
				}
			}
		}
	}
	return out
}

// checkAdHocNamespaceRole: nothing cluster-scoped, and no verb that grants more than the role.
func checkAdHocNamespaceRole(r Resource) []Finding {
	var scoped []groupResource
	for _, res := range clusterScoped {
		scoped = append(scoped, groupResource{"", res}, groupResource{"rbac.authorization.k8s.io", res},
			groupResource{"apiextensions.k8s.io", res}, groupResource{"admissionregistration.k8s.io", res})
	}
	out := grantsAny(r, scoped, []string{"get", "list", "watch", "create", "update", "patch", "delete", "deletecollection", "*"},
		"the cluster-scoped")
	for i, rule := range inputs(r).key("rules").items() {
		if _, _, verbs, pending := ruleLists(rule); pending == nil {
			if v := firstMatch(verbs, []string{"escalate", "bind", "impersonate"}); v != "" {
				out = append(out, violationf("rules[%d] grants %s: the ad-hoc namespace role would grant more than itself", i, v))
			}
		}
	}
	return out
}

// bindsAdHocDeployer says whether subjects name the ad-hoc tier's deployer.
func bindsAdHocDeployer(subjects value) bool {
	return slices.ContainsFunc(subjects.items(), isAdHocDeployer)
}

// isAdHocDeployer: a User named naming.TierDeployer(TierAdHoc, <any project>).
func isAdHocDeployer(s value) bool {
	name := s.key("name").str()
	return s.key("kind").str() == "User" && strings.HasPrefix(name, naming.TierDeployAccount(naming.TierAdHoc)+"@") &&
		strings.HasSuffix(name, ".iam.gserviceaccount.com")
}
