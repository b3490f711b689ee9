package rules

import (
	"fmt"
	"slices"
	"strings"

	"github.com/conveyor-paas/conveyor/naming"
)

// labelsRule: every resource carries the labels of the convention, so that it can be traced to
// its environment, space, module and component, and so that its name can be checked.
func labelsRule() Rule {
	return Rule{
		ID:       "CONV-NAME-002",
		Severity: SeverityMedium,
		Description: "Resources carry the convention's labels: naming.KubernetesLabels on Kubernetes objects and " +
			"their pod templates, naming.GCPLabels on Pub/Sub, naming.ClusterGCPLabels on cluster resources.",
		Remediation: "Set the labels from naming (naming.KubernetesLabels(scope), naming.GCPLabels(scope) or " +
			"naming.ClusterGCPLabels(cluster)) instead of writing them by hand, with every fact of the scope filled in.",
		Types:     []string{TypeTopic, TypeSubscription, TypeGKECluster, TypeGKENodePool, TypeSQLInstance},
		MatchType: isKubernetes,
		Check:     checkLabels,
	}
}

// fact is one fact of a scope, with the label keys that state it.
type fact struct {
	name     string
	part     naming.Part
	k8sLabel string
	gcpLabel string
	get      func(naming.Scope) string
}

var (
	factEnvironment = fact{"environment", naming.PartEnvironment, naming.LabelEnvironment, naming.GCPLabelEnvironment,
		func(s naming.Scope) string { return s.Environment }}
	factSpace = fact{"space", naming.PartSpace, naming.LabelSpace, naming.GCPLabelSpace,
		func(s naming.Scope) string { return s.Space }}
	factModule = fact{"module", naming.PartModule, naming.LabelModule, naming.GCPLabelModule,
		func(s naming.Scope) string { return s.Module }}
	factComponent = fact{"component", naming.PartComponent, naming.LabelConveyorCmp, naming.GCPLabelComponent,
		func(s naming.Scope) string { return s.Component }}
	factEvent = fact{"event", naming.PartEvent, "", naming.GCPLabelEvent,
		func(s naming.Scope) string { return s.Event }}
	factFromSpace = fact{"from-space", naming.PartSpace, "", naming.GCPLabelFromSpace,
		func(s naming.Scope) string { return s.FromSpace }}
	factFromModule = fact{"from-module", naming.PartModule, "", naming.GCPLabelFromModule,
		func(s naming.Scope) string { return s.FromModule }}
)

// componentTypes are the Kubernetes objects of one component; moduleTypes those of a module.
var (
	componentTypes = []string{TypeDeployment, TypeStatefulSet, TypeDaemonSet, TypeJob, TypeCronJob, TypePod,
		TypeService, TypeHPA, TypePDB}
	moduleTypes = []string{TypeServiceAccount, TypeSecret, TypeConfigMap}
)

// kubernetesFacts are the facts an object's labels must state. In a cluster stack nothing
// belongs to an environment, so only managed-by is required.
func kubernetesFacts(r Resource) []fact {
	if _, ok := naming.ClusterOfStack(r.Environment); ok {
		return nil
	}
	switch {
	case slices.Contains(componentTypes, r.Type):
		return []fact{factEnvironment, factSpace, factModule, factComponent}
	case slices.Contains(moduleTypes, r.Type):
		return []fact{factEnvironment, factSpace, factModule}
	case isNamespaced(r.Type), r.Type == TypeNamespace:
		return []fact{factEnvironment, factSpace}
	}
	return []fact{factEnvironment}
}

// pubsubFacts: a topic states its producer's scope and event; a subscription, and the
// dead-letter topic made for it, state the consumer's scope and the producer it reads.
func pubsubFacts(typ string, s naming.Scope) []fact {
	facts := []fact{factEnvironment, factSpace, factModule, factEvent}
	if typ == TypeSubscription || s.FromSpace != "" || s.FromModule != "" {
		facts = append(facts, factFromSpace, factFromModule)
	}
	return facts
}

func checkLabels(r Resource) []Finding {
	scope, labels, pending := scopeOf(r)
	if pending != nil {
		return []Finding{undecided(*pending)}
	}
	if isClusterLevel(r.Type) {
		return checkClusterLabels(r, labels)
	}
	kubernetes := isKubernetes(r.Type)
	facts := pubsubFacts(r.Type, scope)
	if kubernetes {
		facts = kubernetesFacts(r)
	}
	var out []Finding
	if f, ok := missingFacts(facts, scope, kubernetes); !ok {
		out = append(out, f)
	}
	labelsV, _ := labelsOf(r)
	out = append(out, invalidFacts(facts, scope, kubernetes, labelsV)...)
	want := naming.GCPLabels(scope)
	if kubernetes {
		want = naming.KubernetesLabels(scope)
	}
	if diff := labelDiff(labelsV, labels, want); diff != "" {
		out = append(out, violationf("labels differ from the convention: %s", diff))
	}
	if kubernetes {
		out = append(out, checkPodTemplateLabels(r, want)...)
	}
	return out
}

// checkPodTemplateLabels: the pods a workload creates are objects too, and what people and
// selectors look at, so they carry the workload's labels.
func checkPodTemplateLabels(r Resource, want map[string]string) []Finding {
	path, ok := workloadTypes[r.Type]
	if !ok || r.Type == TypePod {
		return nil
	}
	labelsV := inputs(r).at(path).at("metadata.labels")
	labels, pending := labelsV.strMap()
	if pending != nil {
		return []Finding{undecided(*pending)}
	}
	if diff := labelDiff(labelsV, labels, want); diff != "" {
		return []Finding{violationf("pod template labels differ from the convention: %s", diff)}
	}
	return nil
}

// missingFacts reports the facts the labels do not state.
func missingFacts(facts []fact, s naming.Scope, kubernetes bool) (Finding, bool) {
	var missing []string
	for _, f := range facts {
		if f.get(s) == "" {
			missing = append(missing, fmt.Sprintf("%s (%s)", f.name, f.label(kubernetes)))
		}
	}
	if len(missing) == 0 {
		return Finding{}, true
	}
	return violationf("labels do not say its %s", strings.Join(missing, ", ")), false
}

// invalidFacts reports the facts that are not valid names for their part.
func invalidFacts(facts []fact, s naming.Scope, kubernetes bool, labelsV value) []Finding {
	var out []Finding
	for _, f := range facts {
		v := f.get(s)
		if v == "" {
			continue
		}
		if err := naming.ValidatePart(f.part, v); err != nil {
			if labelsV.key(f.label(kubernetes)).secret {
				out = append(out, violationf("label %s: [secret] is not a valid %s name", f.label(kubernetes), f.part))
				continue
			}
			out = append(out, violationf("label %s: %v", f.label(kubernetes), err))
		}
	}
	return out
}

func (f fact) label(kubernetes bool) string {
	if kubernetes {
		return f.k8sLabel
	}
	return f.gcpLabel
}

// checkClusterLabels: the resources of a cluster stack belong to a cluster, not to an
// environment.
func checkClusterLabels(r Resource, labels map[string]string) []Finding {
	cluster, _ := clusterName(r)
	if cluster == "" {
		return []Finding{violationf("labels do not say its cluster (%s)", naming.GCPLabelCluster)}
	}
	labelsV, _ := labelsOf(r)
	var out []Finding
	if err := naming.ValidatePart(naming.PartCluster, cluster); err != nil {
		out = append(out, violationf("label %s: %v", naming.GCPLabelCluster, err))
	}
	if diff := labelDiff(labelsV, labels, naming.ClusterGCPLabels(cluster)); diff != "" {
		out = append(out, violationf("labels differ from the convention: %s", diff))
	}
	return out
}

// labelDiff says how labels fall short of want, key by key in order; "" when they carry every
// wanted label with its value. Extra labels are fine. labelsV is the labels property, so that
// a secret label is never printed.
func labelDiff(labelsV value, labels, want map[string]string) string {
	var diffs []string
	for _, k := range sortedKeys(want) {
		got, ok := labels[k]
		switch {
		case !ok:
			diffs = append(diffs, fmt.Sprintf("%s is missing (should be %q)", k, want[k]))
		case got != want[k]:
			diffs = append(diffs, fmt.Sprintf("%s is %s (should be %q)", k, labelsV.key(k).show(), want[k]))
		}
	}
	return strings.Join(diffs, "; ")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
