package rules

import (
	"slices"
	"strings"

	"github.com/conveyor-paas/conveyor/naming"
)

// nameRule: every resource Conveyor creates has the name naming gives it.
func nameRule() Rule {
	return Rule{
		ID:          "CONV-NAME-001",
		Severity:    SeverityHigh,
		Description: "Resources are named as naming names them, from the scope in their labels.",
		Remediation: "Name the resource with the naming function for its kind (naming.Workload, " +
			"naming.Topic, naming.Database, ...) called with the scope it is labelled with; never hard-code " +
			"or auto-name a physical name.",
		Types: []string{
			TypeNamespace, TypeDeployment, TypeStatefulSet, TypeService, TypeHPA, TypePDB, TypeJob,
			TypeCronJob, TypeServiceAccount, TypeSecret, TypeTopic, TypeSubscription,
			TypeGCPServiceAccount, TypeSQLDatabase, TypeSQLUser, TypeGKECluster, TypeGKENodePool,
			TypeSQLInstance,
		},
		Check: checkName,
	}
}

// kubernetesKinds maps Kubernetes types to the kind of name the convention gives them.
var kubernetesKinds = map[string]naming.NameKind{
	TypeNamespace:      naming.KindNamespace,
	TypeDeployment:     naming.KindWorkload,
	TypeStatefulSet:    naming.KindWorkload,
	TypeService:        naming.KindWorkload,
	TypeHPA:            naming.KindWorkload,
	TypePDB:            naming.KindWorkload,
	TypeJob:            naming.KindWorkload,
	TypeCronJob:        naming.KindCronJob,
	TypeServiceAccount: naming.KindKubernetesServiceAccount,
}

func checkName(r Resource) []Finding {
	switch r.Type {
	case TypeSQLDatabase:
		return checkDatabaseName(r, naming.KindDatabase)
	case TypeSQLUser:
		if _, ok := naming.ClusterOfStack(r.Environment); ok {
			// A cluster stack's one user is its instance's admin (see CONV-SQL-006).
			return matchExact("cloud sql admin user", physicalName(r), naming.DatabaseAdminUser)
		}
		return checkDatabaseName(r, naming.KindDatabaseUser)
	case TypeGCPServiceAccount:
		return checkServiceAccountName(r)
	case TypeGKECluster, TypeSQLInstance, TypeGKENodePool:
		return checkClusterResourceName(r)
	}
	if cluster, ok := naming.ClusterOfStack(r.Environment); ok && isKubernetes(r.Type) {
		return checkClusterObjectName(r, cluster)
	}
	scope, labels, pending := scopeOf(r)
	if pending != nil {
		return []Finding{undecided(*pending)}
	}
	kind, ok := nameKind(r.Type, scope, labels)
	if !ok {
		return nil
	}
	return matchName(kind, scope, physicalName(r))
}

// nameKind is the kind of name of a resource. A Secret is named by the convention only when
// it is a module's database credentials: labelled with a module and no component. Other
// Secrets (the local platform's) are not checked. A topic labelled with the producer it was
// made for, or with the dead-letter purpose, is a subscription's dead-letter topic; a
// subscription with that purpose keeps what lands there.
func nameKind(typ string, s naming.Scope, labels map[string]string) (naming.NameKind, bool) {
	switch typ {
	case TypeSecret:
		return naming.KindDatabaseSecret, s.Module != "" && s.Component == ""
	case TypeTopic:
		if isDeadLetter(labels) || s.FromSpace != "" || s.FromModule != "" {
			return naming.KindDeadLetterTopic, true
		}
		return naming.KindTopic, true
	case TypeSubscription:
		if isDeadLetter(labels) {
			return naming.KindDeadLetterSubscription, true
		}
		return naming.KindSubscription, true
	}
	kind, ok := kubernetesKinds[typ]
	return kind, ok
}

// physicalName is the property that holds a resource's name in its provider.
func physicalName(r Resource) value {
	in := inputs(r)
	switch {
	case isKubernetes(r.Type):
		return in.at("metadata.name")
	case r.Type == TypeGCPServiceAccount:
		return in.key("accountId")
	}
	return in.key("name")
}

// matchName checks a name with naming.Check. A secret name is compared without naming.Check,
// whose message would print it.
func matchName(kind naming.NameKind, s naming.Scope, name value) []Finding {
	switch {
	case name.unknown():
		return []Finding{undecided(name)}
	case !name.set():
		return []Finding{violationf("%s has no %s: Conveyor names everything it creates, nothing is auto-named", kind, name.path)}
	case name.secret:
		want, err := naming.Expected(kind, s)
		if err != nil {
			return []Finding{violationf("%v", err)}
		}
		if name.str() != want {
			return []Finding{violationf("%s name [secret] does not follow the naming convention: it should be %q", kind, want)}
		}
		return nil
	}
	if err := naming.Check(kind, s, name.str()); err != nil {
		return []Finding{violationf("%v", err)}
	}
	return nil
}

// checkDatabaseName: SQL databases and users cannot carry labels, so their environment is the
// stack's and their module is what follows the environment's prefix. The name must be
// naming.Database(env, module) for a valid module name, so a name with another environment's
// prefix is caught.
func checkDatabaseName(r Resource, kind naming.NameKind) []Finding {
	name := physicalName(r)
	if name.unknown() || !name.set() {
		return matchName(kind, naming.Scope{}, name)
	}
	pattern := naming.Database(r.Environment, "<module>")
	module, ok := strings.CutPrefix(name.str(), naming.Database(r.Environment, ""))
	if !ok {
		return []Finding{violationf("%s %s does not belong to environment %q: its name should be %q",
			kind, name.show(), r.Environment, pattern)}
	}
	if err := naming.ValidatePart(naming.PartModule, module); err != nil {
		if name.secret {
			return []Finding{violationf("%s [secret] is not %q for a valid module", kind, pattern)}
		}
		return []Finding{violationf("%s %s is not %q for a valid module: %v", kind, name.show(), pattern, err)}
	}
	return matchName(kind, naming.Scope{Environment: r.Environment, Module: module}, name)
}

// displayNamePrefix starts naming.ServiceAccountDisplayName. A parsed display name is only
// trusted when naming.ServiceAccountDisplayName gives it back exactly.
const displayNamePrefix = "Conveyor "

// parseDisplayName reads the environment and module back from a module's service account
// display name, "Conveyor <env>/<space>/<module>"; the space is read only to check that the
// name is one naming makes.
func parseDisplayName(display string) (env, module string, ok bool) {
	rest, found := strings.CutPrefix(display, displayNamePrefix)
	parts := strings.Split(rest, "/")
	if !found || len(parts) != 3 {
		return "", "", false
	}
	env, space, module := parts[0], parts[1], parts[2]
	return env, module, naming.ServiceAccountDisplayName(env, space, module) == display
}

// checkServiceAccountName: a GCP service account cannot carry labels. In an environment it is
// a module's (or the platform's, module "conveyor"), and its display name says which module;
// in a cluster stack it is the nodes', or the cluster's database jobs'.
func checkServiceAccountName(r Resource) []Finding {
	in := inputs(r)
	id, display := in.key("accountId"), in.key("displayName")
	if cluster, ok := naming.ClusterOfStack(r.Environment); ok {
		if id.set() && id.str() == naming.PlatformServiceAccountID(r.Environment) {
			return nil
		}
		return matchExact(string(naming.KindServiceAccount), id, naming.NodeServiceAccountID(cluster))
	}
	if display.unknown() {
		return []Finding{undecided(display)}
	}
	_, module, ok := parseDisplayName(display.str())
	if !ok {
		return []Finding{violationf("%s display name %s is not Conveyor's %q, so its module cannot be known",
			naming.KindServiceAccount, display.show(), naming.ServiceAccountDisplayName(r.Environment, "<space>", "<module>"))}
	}
	return matchName(naming.KindServiceAccount, naming.Scope{Environment: r.Environment, Module: module}, id)
}

// checkClusterResourceName checks the resources of a cluster stack, labelled with
// naming.ClusterGCPLabels: the GKE cluster and the Cloud SQL instance are named after the
// cluster; a node pool's name only has to be valid.
func checkClusterResourceName(r Resource) []Finding {
	name := physicalName(r)
	if r.Type == TypeGKENodePool {
		if name.unknown() {
			return []Finding{undecided(name)}
		}
		if errs := naming.ValidateName(naming.TargetGKE, name.str()); len(errs) > 0 {
			return []Finding{violationf("node pool name %s is not a valid %s: %s", name.show(), naming.TargetGKE, strings.Join(errs, "; "))}
		}
		return nil
	}
	cluster, pending := clusterName(r)
	if pending != nil {
		return []Finding{undecided(*pending)}
	}
	what := "gke cluster"
	if r.Type == TypeSQLInstance {
		what = "cloud sql instance"
	}
	if cluster == "" {
		return []Finding{violationf("cannot derive the %s name: its labels do not say its cluster (%s)", what, naming.GCPLabelCluster)}
	}
	if r.Type == TypeSQLInstance {
		var instances []string
		for _, scope := range naming.DatabaseAdminScopes(naming.ProductionTier(naming.ClusterStackPrefix + cluster)) {
			if i := naming.SQLInstanceOf(cluster, scope); !slices.Contains(instances, i) {
				instances = append(instances, i)
			}
		}
		return matchOneOf(what, name, instances)
	}
	return matchExact(what, name, naming.Cluster(cluster))
}

// checkClusterObjectName: a cluster stack's Kubernetes objects are the platform's own, named
// by naming.ClusterObjectNames; a kind it names none of is not checked.
func checkClusterObjectName(r Resource, cluster string) []Finding {
	kind := r.Type[strings.LastIndexByte(r.Type, ':')+1:]
	names := naming.ClusterObjectNames(cluster, kind)
	if len(names) == 0 {
		return nil
	}
	return matchOneOf("cluster "+strings.ToLower(kind), physicalName(r), names)
}

// matchOneOf is matchExact for a name that may be any of several.
func matchOneOf(what string, name value, want []string) []Finding {
	if name.unknown() || slices.Contains(want, name.str()) {
		return matchExact(what, name, name.str())
	}
	if len(want) == 1 {
		return matchExact(what, name, want[0])
	}
	if name.secret {
		return []Finding{violationf("%s name [secret] does not follow the naming convention: it should be one of %q", what, want)}
	}
	return []Finding{violationf("%s %s does not follow the naming convention: it should be one of %q", what, name.show(), want)}
}

// clusterName is the cluster a cluster-level resource belongs to: its conveyor-cluster label,
// or else the cluster its stack builds.
func clusterName(r Resource) (string, *value) {
	_, labels, pending := scopeOf(r)
	if pending != nil {
		return "", pending
	}
	if c := labels[naming.GCPLabelCluster]; c != "" {
		return c, nil
	}
	c, _ := naming.ClusterOfStack(r.Environment)
	return c, nil
}

// matchExact compares a name that no naming.NameKind describes with the one naming gives, and
// words its message as naming.Check does.
func matchExact(what string, name value, want string) []Finding {
	switch {
	case name.unknown():
		return []Finding{undecided(name)}
	case name.str() == want:
		return nil
	case name.secret:
		return []Finding{violationf("%s name [secret] does not follow the naming convention: it should be %q", what, want)}
	}
	return []Finding{violationf("%s %s does not follow the naming convention: it should be %q", what, name.show(), want)}
}
