package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/conveyor-paas/conveyor/naming"
)

// Events go through the Pub/Sub emulator's REST API, at $PUBSUB_EMULATOR_HOST in project
// $GOOGLE_CLOUD_PROJECT, under the names Conveyor gives the module's containers: a topic in
// $CONVEYOR_TOPIC_<EVENT>, a subscription in $CONVEYOR_SUBSCRIPTION_<PRODUCER>_<EVENT>. Only
// what a local environment offers: the emulator, no credentials.

// pullPause is how long a consumer waits after a pull that brought nothing or failed.
const pullPause = time.Second

// emulator is the emulator's REST API for the pod's project; "" where the pod has none.
func emulator() string {
	host, project := os.Getenv(naming.EnvPubSubEmulator), os.Getenv(naming.EnvProject)
	if host == "" || project == "" {
		return ""
	}
	return "http://" + host + "/v1/projects/" + project
}

// call POSTs body to the emulator's path and decodes its JSON answer into out.
func call(ctx context.Context, api, path string, body, out any) error {
	data, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, api+"/"+path, bytes.NewReader(data))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("POST %s: %s: %s", path, resp.Status, strings.TrimSpace(string(answer)))
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(answer, out)
}

// publish publishes ?data= as one message of ?event=, to the topic Conveyor named for it:
// 200 "published <id> to <topic>", 404 if the module does not publish that event, or 502
// with the emulator's error.
func publish(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	event, data := q.Get("event"), q.Get("data")
	topic := os.Getenv(naming.TopicEnvVar(event))
	api := emulator()
	if event == "" || topic == "" || api == "" {
		http.Error(w, fmt.Sprintf("no topic for event %q: $%s, $%s and $%s must be set",
			event, naming.TopicEnvVar(event), naming.EnvPubSubEmulator, naming.EnvProject), http.StatusNotFound)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), probeTimeout)
	defer cancel()
	var answer struct {
		MessageIDs []string `json:"messageIds"`
	}
	body := map[string]any{"messages": []map[string]string{{"data": base64.StdEncoding.EncodeToString([]byte(data))}}}
	if err := call(ctx, api, "topics/"+topic+":publish", body, &answer); err != nil {
		err = dropped(err)
		log.Printf("testservice: publishing %q to %s: %v", data, topic, err)
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	log.Printf("testservice: published %q to %s as %v", data, topic, answer.MessageIDs)
	_, _ = fmt.Fprintf(w, "published %s to %s\n", strings.Join(answer.MessageIDs, ","), topic)
}

// inbox is what the pod's consumers received, as "<subscription> <data>" lines.
type inbox struct {
	mu       sync.Mutex
	received []string
}

func (in *inbox) add(line string) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.received = append(in.received, line)
}

// serve answers every message received so far, one a line, in the order received.
func (in *inbox) serve(w http.ResponseWriter, _ *http.Request) {
	in.mu.Lock()
	defer in.mu.Unlock()
	for _, line := range in.received {
		_, _ = fmt.Fprintln(w, line)
	}
}

// subscriptions are the pod's subscriptions, from the variables Conveyor set, sorted.
func subscriptions() []string {
	prefix := strings.TrimSuffix(naming.SubscriptionEnvVar("x", "y"), "X_Y")
	var subs []string
	for _, kv := range os.Environ() {
		name, value, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, prefix) && value != "" {
			subs = append(subs, value)
		}
	}
	sort.Strings(subs)
	return subs
}

// consume pulls from subscription until ctx ends, acknowledging and keeping every message,
// and logging a line for each, as a handler does its work.
func (in *inbox) consume(ctx context.Context, api, subscription string) {
	log.Printf("testservice: consuming %s", subscription)
	var lastErr string
	for ctx.Err() == nil {
		n, err := in.pull(ctx, api, subscription)
		if err != nil && err.Error() != lastErr { // the same error once, not every second
			log.Printf("testservice: pulling %s: %v", subscription, err)
			lastErr = err.Error()
		}
		if err != nil || n == 0 {
			select {
			case <-ctx.Done():
			case <-time.After(pullPause):
			}
		}
	}
}

// pull pulls once, keeps and acknowledges what came, and says how many messages did.
func (in *inbox) pull(ctx context.Context, api, subscription string) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var answer struct {
		ReceivedMessages []struct {
			AckID   string `json:"ackId"`
			Message struct {
				Data string `json:"data"`
			} `json:"message"`
		} `json:"receivedMessages"`
	}
	// returnImmediately: the emulator answers at once, empty or not, and the loop pauses.
	if err := call(ctx, api, "subscriptions/"+subscription+":pull", map[string]any{"maxMessages": 10, "returnImmediately": true}, &answer); err != nil {
		return 0, err
	}
	var acks []string
	for _, m := range answer.ReceivedMessages {
		data, err := base64.StdEncoding.DecodeString(m.Message.Data)
		if err != nil {
			return 0, fmt.Errorf("message %s of %s: %w", m.AckID, subscription, err)
		}
		log.Printf("testservice: received %q from %s", data, subscription)
		in.add(subscription + " " + string(data))
		acks = append(acks, m.AckID)
	}
	if len(acks) > 0 {
		if err := call(ctx, api, "subscriptions/"+subscription+":acknowledge", map[string]any{"ackIds": acks}, nil); err != nil {
			return 0, err
		}
	}
	return len(acks), nil
}
