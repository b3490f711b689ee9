package naming

import "strings"

// Environment variables Conveyor sets in every container. Their names are conventions too:
// a service reads its topics and subscriptions from them and never builds a name itself.
const (
	EnvEnvironment    = "CONVEYOR_ENVIRONMENT"
	EnvSpace          = "CONVEYOR_SPACE"
	EnvModule         = "CONVEYOR_MODULE"
	EnvComponent      = "CONVEYOR_COMPONENT"
	EnvProject        = "GOOGLE_CLOUD_PROJECT"
	EnvPubSubEmulator = "PUBSUB_EMULATOR_HOST"
)

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
