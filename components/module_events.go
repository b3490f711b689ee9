package components

import (
	"fmt"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/pubsub"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/manifest"
	"github.com/conveyor-paas/conveyor/naming"
)

// Delivery settings of every subscription: a message is retried with backoff between 10
// seconds and 10 minutes, and after 5 failed deliveries goes to the dead-letter topic.
const (
	ackDeadlineSeconds  = 30
	minimumBackoff      = "10s"
	maximumBackoff      = "600s"
	maxDeliveryAttempts = 5
	messageRetention    = "604800s" // 7 days, the most Pub/Sub keeps unacknowledged messages
)

// eventNames are the names of one consumed event's subscription and dead-letter topic.
type eventNames struct {
	ref          manifest.EventRef
	fromSpace    string
	subscription string
	deadLetter   string
	// deadLetterSub keeps what lands on the dead-letter topic.
	deadLetterSub string
	scope         naming.Scope
}

// consumed lists the names of every event the module consumes.
func (b *moduleBuilder) consumed() []eventNames {
	spec, env := b.args.Spec, b.args.Environment.Name
	var out []eventNames
	for _, ref := range spec.ConsumedEvents() {
		fromSpace := b.args.Catalog.Module(ref.Module).Space
		out = append(out, eventNames{
			ref:           ref,
			fromSpace:     fromSpace,
			subscription:  naming.Subscription(env, spec.Space, spec.Name, fromSpace, ref.Module, ref.Event),
			deadLetter:    naming.DeadLetterTopic(env, spec.Space, spec.Name, fromSpace, ref.Module, ref.Event),
			deadLetterSub: naming.DeadLetterSubscription(env, spec.Space, spec.Name, fromSpace, ref.Module, ref.Event),
			scope: naming.Scope{Environment: env, Space: spec.Space, Module: spec.Name,
				Event: ref.Event, FromSpace: fromSpace, FromModule: ref.Module},
		})
	}
	return out
}

// events creates the module's topics and subscriptions and tells the components their names.
func (b *moduleBuilder) events() error {
	spec, env := b.args.Spec, b.args.Environment.Name
	var topics, subscriptions pulumi.StringArray
	for _, event := range spec.Publishes {
		name := naming.Topic(env, spec.Space, spec.Name, event)
		topics = append(topics, pulumi.String(name))
		b.addEnv(naming.TopicEnvVar(event), pulumi.String(name))
	}
	consumed := b.consumed()
	for _, c := range consumed {
		subscriptions = append(subscriptions, pulumi.String(c.subscription))
		b.addEnv(naming.SubscriptionEnvVar(c.ref.Module, c.ref.Event), pulumi.String(c.subscription))
	}
	b.m.Topics = topics.ToStringArrayOutput()
	b.m.Subscriptions = subscriptions.ToStringArrayOutput()
	if b.args.Target.IsLocal() {
		b.addEnv(naming.EnvPubSubEmulator, pulumi.String(b.args.Target.Local.PubSubEmulatorHost))
		return b.localEvents(consumed)
	}
	for _, event := range spec.Publishes {
		if err := b.topic(event); err != nil {
			return err
		}
	}
	for _, c := range consumed {
		if err := b.subscription(c); err != nil {
			return err
		}
	}
	return nil
}

// topic creates one of the module's topics; only the module may publish to it.
func (b *moduleBuilder) topic(event string) error {
	spec, env := b.args.Spec, b.args.Environment.Name
	name := naming.Topic(env, spec.Space, spec.Name, event)
	scope := b.scope()
	scope.Event = event
	topic, err := pubsub.NewTopic(b.ctx, name, &pubsub.TopicArgs{
		Name:                     pulumi.String(name),
		Project:                  b.args.Target.resourceProject(),
		Labels:                   pulumi.ToStringMap(naming.GCPLabels(scope)),
		MessageRetentionDuration: pulumi.String(messageRetention),
	}, b.gcp()...)
	if err != nil {
		return fmt.Errorf("topic %s: %w", name, err)
	}
	if _, err := pubsub.NewTopicIAMMember(b.ctx, name+"-publisher", &pubsub.TopicIAMMemberArgs{
		Topic:   topic.Name,
		Project: b.args.Target.resourceProject(),
		Role:    pulumi.String("roles/pubsub.publisher"),
		Member:  pulumi.Sprintf("serviceAccount:%s", b.m.ServiceAccount),
	}, b.gcp()...); err != nil {
		return fmt.Errorf("topic %s publisher: %w", name, err)
	}
	b.args.Events.publish(manifest.EventRef{Module: spec.Name, Event: event}, topic.Name)
	return nil
}

// subscription creates the module's subscription to a producer's topic, with a dead-letter
// topic (and a subscription that keeps what lands there) and a retry policy. Only the module
// may pull from it; Pub/Sub's own service agent gets exactly the rights dead-lettering needs.
func (b *moduleBuilder) subscription(c eventNames) error {
	project := b.args.Target.resourceProject()
	agent := pulumi.Sprintf("serviceAccount:service-%s@gcp-sa-pubsub.iam.gserviceaccount.com", b.args.Target.resourceProjectNumber())
	deadLetter, err := pubsub.NewTopic(b.ctx, c.deadLetter, &pubsub.TopicArgs{
		Name:                     pulumi.String(c.deadLetter),
		Project:                  project,
		Labels:                   pulumi.ToStringMap(withPurpose(naming.GCPLabels(c.scope), naming.PurposeDeadLetter)),
		MessageRetentionDuration: pulumi.String(messageRetention),
	}, b.gcp()...)
	if err != nil {
		return fmt.Errorf("dead-letter topic %s: %w", c.deadLetter, err)
	}
	if _, err := pubsub.NewSubscription(b.ctx, c.deadLetterSub, &pubsub.SubscriptionArgs{
		Name:                     pulumi.String(c.deadLetterSub),
		Topic:                    deadLetter.Name,
		Project:                  project,
		Labels:                   pulumi.ToStringMap(withPurpose(naming.GCPLabels(c.scope), naming.PurposeDeadLetter)),
		AckDeadlineSeconds:       pulumi.Int(ackDeadlineSeconds),
		MessageRetentionDuration: pulumi.String(messageRetention),
		ExpirationPolicy:         &pubsub.SubscriptionExpirationPolicyArgs{Ttl: pulumi.String("")},
		RetryPolicy:              retryPolicy(),
	}, b.gcp()...); err != nil {
		return fmt.Errorf("dead-letter subscription %s: %w", c.deadLetter, err)
	}
	sub, err := pubsub.NewSubscription(b.ctx, c.subscription, &pubsub.SubscriptionArgs{
		Name:                     pulumi.String(c.subscription),
		Topic:                    b.args.Events.Topic(c.ref),
		Project:                  project,
		Labels:                   pulumi.ToStringMap(naming.GCPLabels(c.scope)),
		AckDeadlineSeconds:       pulumi.Int(ackDeadlineSeconds),
		MessageRetentionDuration: pulumi.String(messageRetention),
		// An empty TTL means the subscription never expires, however long nobody pulls.
		ExpirationPolicy: &pubsub.SubscriptionExpirationPolicyArgs{Ttl: pulumi.String("")},
		RetryPolicy:      retryPolicy(),
		DeadLetterPolicy: &pubsub.SubscriptionDeadLetterPolicyArgs{
			DeadLetterTopic:     deadLetter.ID(),
			MaxDeliveryAttempts: pulumi.Int(maxDeliveryAttempts),
		},
	}, b.gcp()...)
	if err != nil {
		return fmt.Errorf("subscription %s: %w", c.subscription, err)
	}
	members := []struct {
		name   string
		create func() error
	}{
		{"subscriber", func() error {
			_, err := pubsub.NewSubscriptionIAMMember(b.ctx, c.subscription+"-subscriber", &pubsub.SubscriptionIAMMemberArgs{
				Subscription: sub.Name, Project: project, Role: pulumi.String("roles/pubsub.subscriber"),
				Member: pulumi.Sprintf("serviceAccount:%s", b.m.ServiceAccount),
			}, b.gcp()...)
			return err
		}},
		{"dead-letter forwarding", func() error {
			_, err := pubsub.NewSubscriptionIAMMember(b.ctx, c.subscription+"-dead-letter-agent", &pubsub.SubscriptionIAMMemberArgs{
				Subscription: sub.Name, Project: project, Role: pulumi.String("roles/pubsub.subscriber"), Member: agent,
			}, b.gcp()...)
			return err
		}},
		{"dead-letter publishing", func() error {
			_, err := pubsub.NewTopicIAMMember(b.ctx, c.deadLetter+"-dead-letter-agent", &pubsub.TopicIAMMemberArgs{
				Topic: deadLetter.Name, Project: project, Role: pulumi.String("roles/pubsub.publisher"), Member: agent,
			}, b.gcp()...)
			return err
		}},
	}
	for _, m := range members {
		if err := m.create(); err != nil {
			return fmt.Errorf("subscription %s %s rights: %w", c.subscription, m.name, err)
		}
	}
	return nil
}

func retryPolicy() *pubsub.SubscriptionRetryPolicyArgs {
	return &pubsub.SubscriptionRetryPolicyArgs{
		MinimumBackoff: pulumi.String(minimumBackoff),
		MaximumBackoff: pulumi.String(maximumBackoff),
	}
}

func withPurpose(labels map[string]string, purpose string) map[string]string {
	labels[naming.GCPLabelPurpose] = purpose
	return labels
}
