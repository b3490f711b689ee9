package rules

// The Pub/Sub rules make a consumer's failures visible and bounded: a message that keeps
// failing ends in a dead-letter topic instead of being redelivered for ever, and redelivery
// backs off instead of hammering a failing handler.
func pubsubRules() []Rule {
	subscription := []string{TypeSubscription}
	return []Rule{
		{
			ID: "CONV-PUBSUB-001", Severity: SeverityMedium, Types: subscription,
			Description: "Subscriptions (but the dead-letter ones) have a dead-letter policy with a bounded number of delivery attempts.",
			Remediation: "Set deadLetterPolicy.deadLetterTopic to the subscription's dead-letter topic " +
				"(naming.DeadLetterTopic) and deadLetterPolicy.maxDeliveryAttempts (5 to 100).",
			Check: func(r Resource) []Finding {
				_, labels, pending := scopeOf(r)
				if pending != nil {
					return []Finding{undecided(*pending)}
				}
				if isDeadLetter(labels) {
					// The dead-letter subscription is where failed messages end; it has
					// nowhere further to send them.
					return nil
				}
				policy := inputs(r).key("deadLetterPolicy")
				topic, attempts := policy.key("deadLetterTopic"), policy.key("maxDeliveryAttempts")
				out := require(topic, topic.str() == "", "deadLetterPolicy.deadLetterTopic is not set")
				return append(out, require(attempts, !attempts.set(), "deadLetterPolicy.maxDeliveryAttempts is not set")...)
			},
		},
		{
			ID: "CONV-PUBSUB-002", Severity: SeverityLow, Types: subscription,
			Description: "Subscriptions back off before redelivering a message (retry policy).",
			Remediation: "Set retryPolicy.minimumBackoff (for example \"10s\") and retryPolicy.maximumBackoff.",
			Check: func(r Resource) []Finding {
				v := inputs(r).at("retryPolicy.minimumBackoff")
				return require(v, v.str() == "", "retryPolicy.minimumBackoff is not set: failed messages are redelivered at once")
			},
		},
	}
}
