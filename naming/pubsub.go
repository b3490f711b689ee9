package naming

// MaxPubSubName is Pub/Sub's limit on topic and subscription names.
const MaxPubSubName = 255

// Topic carries one event of a module: "<env>.<space>.<module>.<event>".
func Topic(env, space, module, event string) string {
	return Fit(env+"."+space+"."+module+"."+event, MaxPubSubName, '-')
}

// Subscription is how a consuming module reads a producer's topic:
// "<env>.<space>.<module>.from.<producer-space>.<producer-module>.<event>". It names its
// environment, its consumer and the topic it reads, so it is unique per (consumer, event).
func Subscription(env, space, module, fromSpace, fromModule, event string) string {
	return Fit(env+"."+space+"."+module+".from."+fromSpace+"."+fromModule+"."+event, MaxPubSubName, '-')
}

// DeadLetterTopic receives the messages a subscription gave up on:
// "<subscription>.dead-letter".
func DeadLetterTopic(env, space, module, fromSpace, fromModule, event string) string {
	return Fit(env+"."+space+"."+module+".from."+fromSpace+"."+fromModule+"."+event+".dead-letter", MaxPubSubName, '-')
}

// DeadLetterSubscription keeps what lands on a dead-letter topic (a topic without a
// subscription would drop it); it has the dead-letter topic's name, since topics and
// subscriptions are separate namespaces in Pub/Sub.
func DeadLetterSubscription(env, space, module, fromSpace, fromModule, event string) string {
	return DeadLetterTopic(env, space, module, fromSpace, fromModule, event)
}

// GCPLabelPurpose tells apart the Pub/Sub resources that share a scope: a subscription and
// the dead-letter subscription beside it.
const (
	GCPLabelPurpose   = "conveyor-purpose"
	PurposeDeadLetter = "dead-letter"
)
