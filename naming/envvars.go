package naming

import (
	"slices"
	"strings"
)

// Environment variables Conveyor sets in every container. Their names are conventions too:
// a service reads its topics and subscriptions from them and never builds a name itself.
const (
	EnvEnvironment    = "CONVEYOR_ENVIRONMENT"
	EnvSpace          = "CONVEYOR_SPACE"
	EnvModule         = "CONVEYOR_MODULE"
	EnvComponent      = "CONVEYOR_COMPONENT"
	EnvProject        = "GOOGLE_CLOUD_PROJECT"
	EnvPubSubEmulator = "PUBSUB_EMULATOR_HOST"

	// A module with a database reads its connection from these, filled from its Secret.
	EnvDatabaseHost     = "DATABASE_HOST"
	EnvDatabasePort     = "DATABASE_PORT"
	EnvDatabaseName     = "DATABASE_NAME"
	EnvDatabaseUser     = "DATABASE_USER"
	EnvDatabasePassword = "DATABASE_PASSWORD"
	EnvDatabaseURL      = "DATABASE_URL"
)

// platformEnv is every variable, or family of variables, that Conveyor sets in a module's
// containers. A manifest may set none of them, nor any other of the same family: the first
// word and its underscore (DATABASE_, GOOGLE_, PUBSUB_, CONVEYOR_) are reserved, so that a
// variable the platform adds later cannot be shadowed by a manifest written today.
var platformEnv = []string{
	EnvEnvironment, EnvSpace, EnvModule, EnvComponent, EnvProject, EnvPubSubEmulator,
	EnvDatabaseHost, EnvDatabasePort, EnvDatabaseName, EnvDatabaseUser, EnvDatabasePassword, EnvDatabaseURL,
	TopicEnvVar("event"), SubscriptionEnvVar("module", "event"),
}

// ReservedEnvPrefixes are the prefixes of the variables Conveyor sets, sorted: a variable whose
// name starts with one of them is the platform's.
func ReservedEnvPrefixes() []string {
	seen := map[string]bool{}
	var out []string
	for _, name := range platformEnv {
		prefix := name
		if i := strings.IndexByte(name, '_'); i >= 0 {
			prefix = name[:i+1]
		}
		if !seen[prefix] {
			seen[prefix] = true
			out = append(out, prefix)
		}
	}
	slices.Sort(out)
	return out
}

// ReservedEnvPrefix returns the reserved prefix that name starts with, if any.
func ReservedEnvPrefix(name string) (string, bool) {
	for _, prefix := range ReservedEnvPrefixes() {
		if strings.HasPrefix(name, prefix) {
			return prefix, true
		}
	}
	return "", false
}

// TopicEnvVar holds the topic name of one of the module's own events:
// CONVEYOR_TOPIC_<EVENT>.
func TopicEnvVar(event string) string {
	return "CONVEYOR_TOPIC_" + envWord(event)
}

// SubscriptionEnvVar holds the subscription name for a consumed event:
// CONVEYOR_SUBSCRIPTION_<PRODUCER>_<EVENT>. Module names contain no underscore, so the first
// word after the prefix is always the producer.
func SubscriptionEnvVar(producer, event string) string {
	return "CONVEYOR_SUBSCRIPTION_" + envWord(producer) + "_" + envWord(event)
}

func envWord(s string) string { return strings.ToUpper(strings.ReplaceAll(s, "-", "_")) }
