package rules

import (
	"strings"

	"github.com/conveyor-paas/conveyor/naming"
)

// environmentRule: environments are isolated by naming alone (they share a cluster and a
// database instance), so a resource of one environment must never point at another's.
func environmentRule() Rule {
	return Rule{
		ID:       "CONV-NAME-003",
		Severity: SeverityCritical,
		Description: "A resource belongs to its stack's environment: its labels, namespace, topics and service account " +
			"name that environment and no other.",
		Remediation: "Derive every name and label from the stack's own environment (the stack name) with naming; " +
			"never copy a name from another stack's outputs or config.",
		Types:     []string{TypeTopic, TypeSubscription, TypeGCPServiceAccount},
		MatchType: isKubernetes,
		Check:     checkEnvironment,
	}
}

func checkEnvironment(r Resource) []Finding {
	env := r.Environment
	if _, ok := naming.ClusterOfStack(env); ok {
		// A cluster stack's resources belong to no environment.
		return nil
	}
	if r.Type == TypeGCPServiceAccount {
		return checkServiceAccountEnvironment(r)
	}
	scope, labels, pending := scopeOf(r)
	if pending != nil {
		return []Finding{undecided(*pending)}
	}
	var out []Finding
	if scope.Environment != "" && scope.Environment != env {
		labelsV, _ := labelsOf(r)
		key := naming.GCPLabelEnvironment
		if isKubernetes(r.Type) {
			key = naming.LabelEnvironment
		}
		out = append(out, violationf("label %s says environment %s, but the stack is environment %q",
			key, labelsV.key(key).show(), env))
	}
	if isNamespaced(r.Type) {
		out = append(out, checkNamespaceEnvironment(r, env, scope)...)
	}
	if r.Type == TypeSubscription {
		out = append(out, checkSubscriptionTopics(r, env, scope, isDeadLetter(labels))...)
	}
	return out
}

// checkNamespaceEnvironment: a namespaced object sits in a namespace of its own environment,
// naming.Namespace(env, space). When its labels do not say its space (CONV-NAME-002 reports
// that), the namespace must at least start as the environment's namespaces do.
func checkNamespaceEnvironment(r Resource, env string, s naming.Scope) []Finding {
	ns := inputs(r).at("metadata.namespace")
	switch {
	case ns.unknown():
		return []Finding{undecided(ns)}
	case !ns.set() || ns.str() == "":
		return []Finding{violationf("metadata.namespace is not set: the object would land in the provider's default namespace, outside every environment")}
	case s.Space != "":
		if want := naming.Namespace(env, s.Space); ns.str() != want {
			return []Finding{violationf("is in namespace %s, not in environment %q's namespace %q", ns.show(), env, want)}
		}
	case !strings.HasPrefix(ns.str(), naming.Namespace(env, "")):
		return []Finding{violationf("is in namespace %s, which is not one of environment %q's (%q)",
			ns.show(), env, naming.Namespace(env, "<space>"))}
	}
	return nil
}

// checkSubscriptionTopics: a subscription reads the producer's topic of its own environment,
// and gives up into its own dead-letter topic; the dead-letter subscription beside it reads
// that dead-letter topic. All are derived from the labels; when they lack a fact,
// CONV-NAME-002 reports it and nothing can be compared here.
func checkSubscriptionTopics(r Resource, env string, s naming.Scope, deadLetter bool) []Finding {
	if s.Space == "" || s.Module == "" || s.FromSpace == "" || s.FromModule == "" || s.Event == "" {
		return nil
	}
	in := inputs(r)
	deadLetterTopic := naming.DeadLetterTopic(env, s.Space, s.Module, s.FromSpace, s.FromModule, s.Event)
	type ref struct {
		what string
		v    value
		want string
	}
	var refs []ref
	if deadLetter {
		refs = []ref{{"reads topic", in.key("topic"), deadLetterTopic}}
	} else {
		refs = []ref{
			{"reads topic", in.key("topic"), naming.Topic(env, s.FromSpace, s.FromModule, s.Event)},
			{"dead-letters into topic", in.at("deadLetterPolicy.deadLetterTopic"), deadLetterTopic},
		}
	}
	var out []Finding
	for _, ref := range refs {
		switch {
		case ref.v.unknown():
			out = append(out, undecided(ref.v))
		case ref.v.set() && topicID(ref.v.str()) != ref.want:
			out = append(out, violationf("%s %s, not environment %q's topic %q", ref.what, ref.v.show(), env, ref.want))
		}
	}
	return out
}

// topicID is a topic's name from either its name or its full path
// "projects/<project>/topics/<name>", both of which the provider accepts.
func topicID(topic string) string {
	return topic[strings.LastIndex(topic, "/")+1:]
}

// checkServiceAccountEnvironment: a GCP service account has no labels; its display name says
// its environment.
func checkServiceAccountEnvironment(r Resource) []Finding {
	display := inputs(r).key("displayName")
	if display.unknown() {
		return []Finding{undecided(display)}
	}
	saEnv, _, ok := parseDisplayName(display.str())
	if ok && saEnv != r.Environment {
		if display.secret {
			return []Finding{violationf("display name [secret] names another environment than the stack's, %q", r.Environment)}
		}
		return []Finding{violationf("display name %s says environment %q, but the stack is environment %q",
			display.show(), saEnv, r.Environment)}
	}
	return nil
}
