package naming

import (
	"fmt"
	"strings"
)

// NameKind is a kind of name the platform creates. The policy pack maps each resource it sees to
// a NameKind, reads the Scope from the resource's labels and asks Check whether the name is the
// one the convention gives.
type NameKind string

// The kinds of names that are derived from an environment's scope.
const (
	KindNamespace                NameKind = "namespace"
	KindWorkload                 NameKind = "workload"
	KindCronJob                  NameKind = "cronjob"
	KindKubernetesServiceAccount NameKind = "kubernetes service account"
	KindDatabaseSecret           NameKind = "database secret"
	KindDatabase                 NameKind = "database"
	KindDatabaseUser             NameKind = "database user"
	KindTopic                    NameKind = "topic"
	KindSubscription             NameKind = "subscription"
	KindDeadLetterTopic          NameKind = "dead-letter topic"
	KindDeadLetterSubscription   NameKind = "dead-letter subscription"
	KindServiceAccount           NameKind = "gcp service account"
)

type kindRule struct {
	needs []string // the Scope fields the name is derived from
	name  func(Scope) string
}

var kindRules = map[NameKind]kindRule{
	KindNamespace: {[]string{"environment", "space"},
		func(s Scope) string { return Namespace(s.Environment, s.Space) }},
	KindWorkload: {[]string{"module", "component"},
		func(s Scope) string { return Workload(s.Module, s.Component) }},
	KindCronJob: {[]string{"module", "component"},
		func(s Scope) string { return CronJob(s.Module, s.Component) }},
	KindKubernetesServiceAccount: {[]string{"module"},
		func(s Scope) string { return KubernetesServiceAccount(s.Module) }},
	KindDatabaseSecret: {[]string{"module"},
		func(s Scope) string { return DatabaseSecret(s.Module) }},
	KindDatabase: {[]string{"environment", "module"},
		func(s Scope) string { return Database(s.Environment, s.Module) }},
	KindDatabaseUser: {[]string{"environment", "module"},
		func(s Scope) string { return DatabaseUser(s.Environment, s.Module) }},
	KindTopic: {[]string{"environment", "space", "module", "event"},
		func(s Scope) string { return Topic(s.Environment, s.Space, s.Module, s.Event) }},
	KindSubscription: {[]string{"environment", "space", "module", "from-space", "from-module", "event"},
		func(s Scope) string {
			return Subscription(s.Environment, s.Space, s.Module, s.FromSpace, s.FromModule, s.Event)
		}},
	KindDeadLetterTopic: {[]string{"environment", "space", "module", "from-space", "from-module", "event"},
		func(s Scope) string {
			return DeadLetterTopic(s.Environment, s.Space, s.Module, s.FromSpace, s.FromModule, s.Event)
		}},
	KindDeadLetterSubscription: {[]string{"environment", "space", "module", "from-space", "from-module", "event"},
		func(s Scope) string {
			return DeadLetterSubscription(s.Environment, s.Space, s.Module, s.FromSpace, s.FromModule, s.Event)
		}},
	KindServiceAccount: {[]string{"environment", "module"},
		func(s Scope) string { return ServiceAccountID(s.Environment, s.Module) }},
}

// Expected is the name the convention gives a resource of kind in scope s. It fails when s
// lacks a fact the name is derived from (a resource missing its labels cannot be checked).
func Expected(kind NameKind, s Scope) (string, error) {
	rule, ok := kindRules[kind]
	if !ok {
		return "", fmt.Errorf("unknown kind of name %q", kind)
	}
	facts := map[string]string{
		"environment": s.Environment, "space": s.Space, "module": s.Module,
		"component": s.Component, "event": s.Event, "from-space": s.FromSpace,
		"from-module": s.FromModule,
	}
	var missing []string
	for _, need := range rule.needs {
		if facts[need] == "" {
			missing = append(missing, need)
		}
	}
	if len(missing) > 0 {
		return "", fmt.Errorf("cannot derive the %s name: the resource's labels do not say its %s",
			kind, strings.Join(missing, ", "))
	}
	return rule.name(s), nil
}

// Check compares a resource's actual name with the convention's. It returns nil when they
// agree, and otherwise an error that says what the name should be.
func Check(kind NameKind, s Scope, name string) error {
	want, err := Expected(kind, s)
	if err != nil {
		return err
	}
	if name != want {
		return fmt.Errorf("%s %q does not follow the naming convention: it should be %q", kind, name, want)
	}
	return nil
}
