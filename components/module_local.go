package components

import (
	"encoding/json"
	"fmt"
	"strings"

	batchv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/batch/v1"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/components/manifest"
	"github.com/conveyor-paas/conveyor/components/naming"
)

// LocalCurlImage runs the emulator setup jobs.
const LocalCurlImage = "curlimages/curl:8.11.1"

// setupScript is the SQL that creates a module's user and database, safe to run again: the
// role and database are created only if missing, and the password is set every time. The
// password arrives in a psql variable from the environment, never in the script.
const setupScript = `set -eu
i=0; until pg_isready -q; do i=$((i+1)); [ $i -lt 90 ] || exit 1; sleep 2; done
psql -v ON_ERROR_STOP=1 -v db="$DB_NAME" -v user="$DB_USER" -v password="$DB_PASSWORD" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'user') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'user')\gexec
ALTER ROLE :"user" WITH LOGIN PASSWORD :'password';
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'user') WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db')\gexec
GRANT ALL PRIVILEGES ON DATABASE :"db" TO :"user";
SQL
`

// localDatabase creates the module's database and user in the environment's PostgreSQL with
// a Job in the platform namespace, where the superuser's Secret is.
func (b *moduleBuilder) localDatabase(dbName, user string, password pulumi.StringOutput) (pulumi.Resource, error) {
	local := b.args.Target.Local
	spec := b.args.Spec
	ns := pulumi.String(local.Namespace)
	scope := naming.Scope{Environment: b.args.Environment.Name, Space: naming.ReservedSpace, Module: spec.Name, Component: naming.DatabaseSetupComponent}
	secretName := naming.DatabaseSecret(spec.Name)
	secret, err := corev1.NewSecret(b.ctx, local.Namespace+"/"+secretName, &corev1.SecretArgs{
		Metadata:   objectMeta(secretName, ns, scope),
		Type:       pulumi.String("Opaque"),
		StringData: pulumi.StringMap{SecretKeyPassword: password},
	}, b.k8s()...)
	if err != nil {
		return nil, fmt.Errorf("database setup secret: %w", err)
	}
	fromSecret := func(name, secret, key string) corev1.EnvVarArgs {
		return corev1.EnvVarArgs{Name: pulumi.String(name), ValueFrom: &corev1.EnvVarSourceArgs{
			SecretKeyRef: &corev1.SecretKeySelectorArgs{Name: pulumi.String(secret), Key: pulumi.String(key)},
		}}
	}
	return b.setupJob(naming.DatabaseSetupJob(spec.Name), scope, LocalPostgresImage, setupScript, corev1.EnvVarArray{
		corev1.EnvVarArgs{Name: pulumi.String("PGHOST"), Value: pulumi.String(local.PostgresHost)},
		corev1.EnvVarArgs{Name: pulumi.String("PGUSER"), Value: pulumi.String("postgres")},
		fromSecret("PGPASSWORD", local.AdminSecret, SecretKeyPassword),
		corev1.EnvVarArgs{Name: pulumi.String("DB_NAME"), Value: pulumi.String(dbName)},
		corev1.EnvVarArgs{Name: pulumi.String("DB_USER"), Value: pulumi.String(user)},
		fromSecret("DB_PASSWORD", secretName, SecretKeyPassword),
	}, []pulumi.Resource{secret})
}

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
		job, err := b.setupJob(naming.SetupJob(spec.Name, scope.Component), scope, LocalCurlImage, emulatorScript(topicCalls), b.emulatorEnv(nil), nil)
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
	job, err := b.setupJob(naming.SetupJob(spec.Name, scope.Component), scope, LocalCurlImage, emulatorScript(calls), b.emulatorEnv(upstream), nil)
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

// setupJob runs a shell script once, in the platform namespace, after the local services are
// up. It is replaced (and so runs again) whenever its script or environment changes.
func (b *moduleBuilder) setupJob(name string, scope naming.Scope, image, script string, env corev1.EnvVarArray, after []pulumi.Resource) (*batchv1.Job, error) {
	local := b.args.Target.Local
	pod := podSpec{
		scope:          scope,
		image:          image,
		command:        []string{"sh", "-c", script},
		resources:      platformResources,
		env:            env,
		serviceAccount: "default",
		restartPolicy:  "Never",
	}
	job, err := batchv1.NewJob(b.ctx, local.Namespace+"/"+name, &batchv1.JobArgs{
		Metadata: objectMeta(name, pulumi.String(local.Namespace), scope),
		Spec: &batchv1.JobSpecArgs{
			BackoffLimit:          pulumi.Int(batchBackoffLimit),
			ActiveDeadlineSeconds: pulumi.Int(batchDeadlineSeconds),
			Template:              pod.template(),
		},
	}, b.k8s(pulumi.DependsOn(append(append([]pulumi.Resource{}, local.Ready...), after...)))...)
	if err != nil {
		return nil, fmt.Errorf("setup job %s: %w", name, err)
	}
	return job, nil
}
