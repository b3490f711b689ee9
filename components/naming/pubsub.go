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
