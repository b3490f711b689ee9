package harness

import "context"

// Publish asks the test service in pod ns/pod to publish data as one message of event, to
// the topic Conveyor named for it ($CONVEYOR_TOPIC_<EVENT>), through the Pub/Sub emulator:
// "published <id> to <topic>", or an error with the service's account of why not.
func (k *Kube) Publish(ctx context.Context, ns, pod, event, data string) (string, error) {
	return k.askTestService(ctx, ns, pod, "publish", map[string]string{"event": event, "data": data})
}

// Received asks the test service in pod ns/pod for every message its subscriptions brought
// it so far, in the order received: "<subscription> <data>" lines.
func (k *Kube) Received(ctx context.Context, ns, pod string) (string, error) {
	return k.askTestService(ctx, ns, pod, "received", nil)
}
