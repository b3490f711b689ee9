package harness

import (
	"context"
	"testing"
	"time"

	"cloud.google.com/go/pubsub/v2"
	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"google.golang.org/protobuf/types/known/durationpb"
)

// TestPubSub creates, against the emulator, the shape of resources Conveyor creates for an
// event: a topic, its dead-letter topic, and a subscription with dead-letter and retry
// policies; reads them back; and passes one message through.
func TestPubSub(t *testing.T) {
	ps := PubSubForTest(t)
	ctx := t.Context()

	client, err := pubsub.NewClient(ctx, ps.Project, ps.ClientOptions()...)
	if err != nil {
		t.Fatalf("creating the client: %v", err)
	}
	t.Cleanup(func() { _ = client.Close() })

	project := "projects/" + ps.Project
	topicName := project + "/topics/dev.payments.orders.order-created"
	deadLetterName := project + "/topics/dev.payments.orders.order-created.dead-letter"
	subName := project + "/subscriptions/dev.billing.order-created"

	for _, name := range []string{topicName, deadLetterName} {
		if _, err := client.TopicAdminClient.CreateTopic(ctx, &pubsubpb.Topic{
			Name:   name,
			Labels: map[string]string{"conveyor-environment": "dev"},
		}); err != nil {
			t.Fatalf("creating topic %s: %v", name, err)
		}
	}
	want := &pubsubpb.Subscription{
		Name:               subName,
		Topic:              topicName,
		AckDeadlineSeconds: 30,
		DeadLetterPolicy: &pubsubpb.DeadLetterPolicy{
			DeadLetterTopic:     deadLetterName,
			MaxDeliveryAttempts: 5,
		},
		RetryPolicy: &pubsubpb.RetryPolicy{
			MinimumBackoff: durationpb.New(10 * time.Second),
			MaximumBackoff: durationpb.New(10 * time.Minute),
		},
	}
	if _, err := client.SubscriptionAdminClient.CreateSubscription(ctx, want); err != nil {
		t.Fatalf("creating subscription: %v", err)
	}

	for _, name := range []string{topicName, deadLetterName} {
		topic, err := client.TopicAdminClient.GetTopic(ctx, &pubsubpb.GetTopicRequest{Topic: name})
		if err != nil {
			t.Fatalf("reading topic %s back: %v", name, err)
		}
		if topic.GetLabels()["conveyor-environment"] != "dev" {
			t.Errorf("topic %s labels = %v", name, topic.GetLabels())
		}
	}
	got, err := client.SubscriptionAdminClient.GetSubscription(ctx, &pubsubpb.GetSubscriptionRequest{Subscription: subName})
	if err != nil {
		t.Fatalf("reading the subscription back: %v", err)
	}
	if got.GetTopic() != topicName || got.GetAckDeadlineSeconds() != 30 {
		t.Errorf("subscription = topic %q ack deadline %d, want %q and 30", got.GetTopic(), got.GetAckDeadlineSeconds(), topicName)
	}
	if dl := got.GetDeadLetterPolicy(); dl.GetDeadLetterTopic() != deadLetterName || dl.GetMaxDeliveryAttempts() != 5 {
		t.Errorf("dead-letter policy = %v, want topic %s after 5 attempts", dl, deadLetterName)
	}
	if rp := got.GetRetryPolicy(); rp.GetMinimumBackoff().AsDuration() != 10*time.Second || rp.GetMaximumBackoff().AsDuration() != 10*time.Minute {
		t.Errorf("retry policy = %v, want 10s to 10m", rp)
	}

	publisher := client.Publisher(topicName)
	defer publisher.Stop()
	if _, err := publisher.Publish(ctx, &pubsub.Message{Data: []byte("order 42")}).Get(ctx); err != nil {
		t.Fatalf("publishing: %v", err)
	}
	receiveCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var received string
	err = client.Subscriber(subName).Receive(receiveCtx, func(_ context.Context, m *pubsub.Message) {
		received = string(m.Data)
		m.Ack()
		cancel()
	})
	if err != nil {
		t.Fatalf("receiving: %v", err)
	}
	if received != "order 42" {
		t.Errorf("received %q, want %q", received, "order 42")
	}
}
