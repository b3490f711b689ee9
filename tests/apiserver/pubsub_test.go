package apiserver

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/pubsub/v2"
	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/conveyor-paas/conveyor/evaluation"
	"github.com/conveyor-paas/conveyor/evaluation/evaluationtest"
	"github.com/conveyor-paas/conveyor/tests/harness"
)

const (
	typeTopic        = "gcp:pubsub/topic:Topic"
	typeSubscription = "gcp:pubsub/subscription:Subscription"
)

// TestStacksOnPubSub creates every topic and subscription of every GCP environment stack in
// the Pub/Sub emulator, with the names, labels, retention, dead-letter and retry policies the
// program gives them, and reads them back: the Pub/Sub API itself accepts every name and
// setting.
func TestStacksOnPubSub(t *testing.T) {
	ps := harness.PubSubForTest(t)
	ctx := t.Context()
	client, err := pubsub.NewClient(ctx, ps.Project, ps.ClientOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Close() })
	for _, stack := range environments(t) {
		t.Run(stack, func(t *testing.T) {
			rec := evaluate(t, stack)
			topics, subscriptions := evaluationtest.OfType(rec, typeTopic), evaluationtest.OfType(rec, typeSubscription)
			if stack == "local" || strings.HasPrefix(stack, "local-") {
				if len(topics)+len(subscriptions) != 0 {
					t.Fatalf("a local stack creates GCP topics")
				}
				return // its topics are created by setup jobs, in the cluster's emulator
			}
			if len(topics) == 0 || len(subscriptions) == 0 {
				t.Fatalf("%s has %d topics and %d subscriptions", stack, len(topics), len(subscriptions))
			}
			for _, r := range topics {
				want := topic(t, r)
				if _, err := client.TopicAdminClient.CreateTopic(ctx, want); err != nil {
					t.Errorf("Pub/Sub rejects topic %s: %v", want.Name, err)
					continue
				}
				got, err := client.TopicAdminClient.GetTopic(ctx, &pubsubpb.GetTopicRequest{Topic: want.Name})
				if err != nil {
					t.Errorf("reading topic %s back: %v", want.Name, err)
					continue
				}
				if fmt.Sprint(got.GetLabels()) != fmt.Sprint(want.Labels) {
					t.Errorf("topic %s labels = %v, want %v", want.Name, got.GetLabels(), want.Labels)
				}
			}
			for _, r := range subscriptions {
				want := subscription(t, r)
				if _, err := client.SubscriptionAdminClient.CreateSubscription(ctx, want); err != nil {
					t.Errorf("Pub/Sub rejects subscription %s: %v", want.Name, err)
					continue
				}
				got, err := client.SubscriptionAdminClient.GetSubscription(ctx, &pubsubpb.GetSubscriptionRequest{Subscription: want.Name})
				if err != nil {
					t.Errorf("reading subscription %s back: %v", want.Name, err)
					continue
				}
				if got.GetTopic() != want.Topic || got.GetAckDeadlineSeconds() != want.AckDeadlineSeconds {
					t.Errorf("subscription %s reads %s (ack %ds), want %s (%ds)", want.Name, got.GetTopic(), got.GetAckDeadlineSeconds(), want.Topic, want.AckDeadlineSeconds)
				}
				if want.DeadLetterPolicy != nil && got.GetDeadLetterPolicy().GetDeadLetterTopic() != want.DeadLetterPolicy.DeadLetterTopic {
					t.Errorf("subscription %s dead-letters to %v, want %s", want.Name, got.GetDeadLetterPolicy(), want.DeadLetterPolicy.DeadLetterTopic)
				}
				if got.GetRetryPolicy().GetMinimumBackoff().AsDuration() != want.RetryPolicy.MinimumBackoff.AsDuration() {
					t.Errorf("subscription %s retry policy = %v, want %v", want.Name, got.GetRetryPolicy(), want.RetryPolicy)
				}
			}
		})
	}
}

// topic is the Pub/Sub API's view of a topic the program creates.
func topic(t *testing.T, r evaluation.Resource) *pubsubpb.Topic {
	t.Helper()
	return &pubsubpb.Topic{
		Name:                     path(r.Inputs, "topics", evaluationtest.String(r.Inputs, "name")),
		Labels:                   labels(r.Inputs),
		MessageRetentionDuration: duration(t, evaluationtest.String(r.Inputs, "messageRetentionDuration")),
	}
}

// subscription is the Pub/Sub API's view of a subscription the program creates.
func subscription(t *testing.T, r evaluation.Resource) *pubsubpb.Subscription {
	t.Helper()
	in := r.Inputs
	s := &pubsubpb.Subscription{
		Name:                     path(in, "subscriptions", evaluationtest.String(in, "name")),
		Topic:                    path(in, "topics", evaluationtest.String(in, "topic")),
		Labels:                   labels(in),
		MessageRetentionDuration: duration(t, evaluationtest.String(in, "messageRetentionDuration")),
		RetryPolicy: &pubsubpb.RetryPolicy{
			MinimumBackoff: duration(t, evaluationtest.String(in, "retryPolicy.minimumBackoff")),
			MaximumBackoff: duration(t, evaluationtest.String(in, "retryPolicy.maximumBackoff")),
		},
		// An empty TTL is "never expire", which the API writes as an expiration policy
		// without a TTL.
		ExpirationPolicy: &pubsubpb.ExpirationPolicy{},
	}
	if n, ok := evaluationtest.Lookup(in, "ackDeadlineSeconds"); ok {
		s.AckDeadlineSeconds = int32(n.NumberValue())
	}
	if dl := evaluationtest.String(in, "deadLetterPolicy.deadLetterTopic"); dl != "" {
		attempts, _ := evaluationtest.Lookup(in, "deadLetterPolicy.maxDeliveryAttempts")
		s.DeadLetterPolicy = &pubsubpb.DeadLetterPolicy{
			DeadLetterTopic:     path(in, "topics", dl),
			MaxDeliveryAttempts: int32(attempts.NumberValue()),
		}
	}
	return s
}

// path is a resource's full name, "projects/<project>/topics/<name>", whether the program
// gave a short name or (for a dead-letter topic, an id) the full one.
func path(in resource.PropertyMap, kind, name string) string {
	if strings.HasPrefix(name, "projects/") {
		return name
	}
	return "projects/" + evaluationtest.String(in, "project") + "/" + kind + "/" + name
}

func labels(in resource.PropertyMap) map[string]string {
	out := map[string]string{}
	if v, ok := evaluationtest.Lookup(in, "labels"); ok && v.IsObject() {
		for k, l := range v.ObjectValue() {
			out[string(k)] = l.StringValue()
		}
	}
	return out
}

func duration(t *testing.T, text string) *durationpb.Duration {
	t.Helper()
	if text == "" {
		return nil
	}
	d, err := time.ParseDuration(text)
	if err != nil {
		t.Fatalf("the program gives Pub/Sub the duration %q, which is not one: %v", text, err)
	}
	return durationpb.New(d)
}
