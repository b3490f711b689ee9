package components

import (
	"encoding/json"
	"fmt"
	"strings"

	batchv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/batch/v1"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/components/images"
	"github.com/conveyor-paas/conveyor/manifest"
	"github.com/conveyor-paas/conveyor/naming"
)

// localEvents creates the module's topics, then its subscriptions, in the emulator. The
// subscriptions' job reads the producers' topic names from outputs that depend on the
// producers' topic jobs, so it runs after every topic it needs exists.
func (b *moduleBuilder) localEvents(consumed []eventNames) error {
	spec, env := b.args.Spec, b.args.Environment.Name
	scope := naming.Scope{Environment: env, Space: naming.ReservedSpace, Module: spec.Name}
	var topicCalls []string
	for _, event := range spec.Publishes {
		s := b.scope()
		s.Event = event
		topicCalls = append(topicCalls, putCall("topics/"+naming.Topic(env, spec.Space, spec.Name, event), map[string]any{"labels": naming.GCPLabels(s)}))
	}
	if len(topicCalls) > 0 {
		scope.Component = naming.TopicsSetupComponent
		job, err := b.emulatorJob(naming.SetupJob(spec.Name, scope.Component), scope, emulatorScript(topicCalls), b.emulatorEnv(nil))
		if err != nil {
			return err
		}
		for _, event := range spec.Publishes {
			name := naming.Topic(env, spec.Space, spec.Name, event)
			// The name, as an output of the job that creates the topic.
			topic := job.Metadata.Name().ApplyT(func(*string) string { return name }).(pulumi.StringOutput)
			b.args.Events.publish(manifest.EventRef{Module: spec.Name, Event: event}, topic)
		}
		b.ready = append(b.ready, job)
	}
	if len(consumed) == 0 {
		return nil
	}
	var calls []string
	upstream := corev1.EnvVarArray{}
	for i, c := range consumed {
		deadLetterLabels := withPurpose(naming.GCPLabels(c.scope), naming.PurposeDeadLetter)
		calls = append(calls,
			putCall("topics/"+c.deadLetter, map[string]any{"labels": deadLetterLabels}),
			putCall("subscriptions/"+c.deadLetterSub, map[string]any{
				"topic": "projects/" + LocalProject + "/topics/" + c.deadLetter, "labels": deadLetterLabels,
				"ackDeadlineSeconds": ackDeadlineSeconds,
				"retryPolicy":        map[string]string{"minimumBackoff": minimumBackoff, "maximumBackoff": maximumBackoff},
			}),
			// The producer's topic comes from $TOPIC_<i>, an output that waits for it.
			strings.Replace(putCall("subscriptions/"+c.subscription, map[string]any{
				"topic": "projects/" + LocalProject + "/topics/@TOPIC@", "labels": naming.GCPLabels(c.scope),
				"ackDeadlineSeconds": ackDeadlineSeconds,
				"retryPolicy":        map[string]string{"minimumBackoff": minimumBackoff, "maximumBackoff": maximumBackoff},
				"deadLetterPolicy": map[string]any{
					"deadLetterTopic":     "projects/" + LocalProject + "/topics/" + c.deadLetter,
					"maxDeliveryAttempts": maxDeliveryAttempts,
				},
			}), "@TOPIC@", fmt.Sprintf("'\"$TOPIC_%d\"'", i), 1),
		)
		upstream = append(upstream, corev1.EnvVarArgs{Name: pulumi.Sprintf("TOPIC_%d", i), Value: b.args.Events.Topic(c.ref)})
	}
	scope.Component = naming.SubscriptionsSetupComponent
	job, err := b.emulatorJob(naming.SetupJob(spec.Name, scope.Component), scope, emulatorScript(calls), b.emulatorEnv(upstream))
	if err != nil {
		return err
	}
	b.ready = append(b.ready, job)
	return nil
}

// putCall is one idempotent PUT to the emulator's REST API; 409 means it already exists.
func putCall(path string, body map[string]any) string {
	data, _ := json.Marshal(body) // maps of strings and numbers always marshal
	return fmt.Sprintf("put '%s' '%s'", path, data)
}

func emulatorScript(calls []string) string {
	return `set -eu
api="http://$PUBSUB_EMULATOR_HOST/v1/projects/$PROJECT"
i=0; until curl -sf "$api/topics" >/dev/null; do i=$((i+1)); [ $i -lt 90 ] || exit 1; sleep 2; done
put() {
  code=$(curl -s -o /tmp/response -w '%{http_code}' -X PUT -H 'content-type: application/json' "$api/$1" -d "$2")
  case "$code" in 200|409) ;; *) echo "PUT $1: HTTP $code"; cat /tmp/response; exit 1 ;; esac
}
` + strings.Join(calls, "\n") + "\n"
}

func (b *moduleBuilder) emulatorEnv(extra corev1.EnvVarArray) corev1.EnvVarArray {
	return append(corev1.EnvVarArray{
		corev1.EnvVarArgs{Name: pulumi.String(naming.EnvPubSubEmulator), Value: pulumi.String(b.args.Target.Local.PubSubEmulatorHost)},
		corev1.EnvVarArgs{Name: pulumi.String("PROJECT"), Value: pulumi.String(LocalProject)},
	}, extra...)
}

// emulatorJob runs a script against the emulator in the platform namespace, once the
// emulator is up.
func (b *moduleBuilder) emulatorJob(name string, scope naming.Scope, script string, env corev1.EnvVarArray) (*batchv1.Job, error) {
	return newPlatformJob(b.ctx, b.args.Target.Platform, name, scope, images.LocalCurl, script, env, b.args.Target.Local.EmulatorReady, b.k8s()...)
}
