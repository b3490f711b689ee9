package rules

import "github.com/conveyor-paas/conveyor/naming"

// DefaultLevel is the level of every rule in a stack unless the config says otherwise:
// mandatory where naming says a stack's kind is enforced (dev, staging, prod and the cluster
// stacks), advisory anywhere else. A name that is no stack's at all is mandatory: the pack
// fails closed.
func DefaultLevel(stack string) Level {
	if kind, err := naming.ClassifyStack(stack); err != nil || kind.Enforced() {
		return Mandatory
	}
	return Advisory
}

// labelsPath is where a resource keeps its labels: Kubernetes objects in metadata.labels, GCP
// resources in a field that depends on the service. Resources that cannot carry labels (SQL
// databases and users, service accounts, IAM members) have none.
func labelsPath(typ string) (string, bool) {
	switch {
	case isKubernetes(typ):
		return "metadata.labels", true
	case typ == TypeTopic, typ == TypeSubscription:
		return "labels", true
	case typ == TypeGKECluster:
		return "resourceLabels", true
	case typ == TypeGKENodePool:
		return "nodeConfig.resourceLabels", true
	case typ == TypeSQLInstance:
		return "settings.userLabels", true
	}
	return "", false
}

// labelsOf is the resource's labels property, and false for a type without labels.
func labelsOf(r Resource) (value, bool) {
	path, ok := labelsPath(r.Type)
	if !ok {
		return value{}, false
	}
	return inputs(r).at(path), true
}

// scopeOf reads the scope a resource was named from back from its labels, with the naming
// package's own readers. pending is set when the labels are not known yet. The labels are
// shared by the rules that read them (see memo): they must not be changed.
func scopeOf(r Resource) (s naming.Scope, labels map[string]string, pending *value) {
	m := r.memo
	if m == nil {
		return readScope(r)
	}
	if !m.scopeRead {
		m.scope, m.labels, m.scopePending = readScope(r)
		m.scopeRead = true
	}
	return m.scope, m.labels, m.scopePending
}

func readScope(r Resource) (s naming.Scope, labels map[string]string, pending *value) {
	v, ok := labelsOf(r)
	if !ok {
		return naming.Scope{}, nil, nil
	}
	labels, pending = v.strMap()
	if pending != nil {
		return naming.Scope{}, nil, pending
	}
	if isKubernetes(r.Type) {
		return naming.ScopeFromKubernetesLabels(labels), labels, nil
	}
	return naming.ScopeFromGCPLabels(labels), labels, nil
}

// isClusterLevel reports whether the resource belongs to a cluster rather than to an
// environment: it is labelled with naming.ClusterGCPLabels.
func isClusterLevel(typ string) bool {
	return typ == TypeGKECluster || typ == TypeGKENodePool || typ == TypeSQLInstance
}

// isDeadLetter reports whether Pub/Sub labels mark a dead-letter topic or the subscription
// that keeps what lands on it.
func isDeadLetter(labels map[string]string) bool {
	return labels[naming.GCPLabelPurpose] == naming.PurposeDeadLetter
}
