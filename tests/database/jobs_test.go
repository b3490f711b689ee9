package database

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/conveyor-paas/conveyor/evaluation"
	"github.com/conveyor-paas/conveyor/evaluation/evaluationtest"
	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/stacks"
	"github.com/conveyor-paas/conveyor/tests/harness"
)

var root, _ = filepath.Abs("../..")

const (
	typeJob     = "kubernetes:batch/v1:Job"
	typeCronJob = "kubernetes:batch/v1:CronJob"
	typeSecret  = "kubernetes:core/v1:Secret"
)

// environment is one environment as its program declares it, evaluated offline.
type environment struct {
	name string
	rec  *evaluation.Recording
}

func evaluate(t *testing.T, env string, teardown bool) environment {
	t.Helper()
	opts := stacks.EvaluateOptions{Root: root, Stack: env}
	if teardown {
		opts.Program = stacks.TeardownProgram
	}
	rec, err := stacks.Evaluate(opts)
	if err != nil {
		t.Fatalf("evaluating %s: %v", env, err)
	}
	return environment{name: env, rec: rec}
}

// jobs are the environment's Jobs of one platform component (database-setup,
// database-teardown), by name.
func (e environment) jobs(t *testing.T, component string) []*evaluation.Resource {
	t.Helper()
	var out []*evaluation.Resource
	for i, r := range e.rec.Resources {
		if r.Type == typeJob && label(r, naming.LabelConveyorCmp) == component {
			out = append(out, &e.rec.Resources[i])
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s has no %s job", e.name, component)
	}
	return out
}

// secretValue is a key of a Secret of the environment, as the program gives it.
func (e environment) secretValue(t *testing.T, namespace, name, key string) string {
	t.Helper()
	for _, r := range evaluationtest.OfType(e.rec, typeSecret) {
		if evaluationtest.String(r.Inputs, "metadata.namespace") == namespace && evaluationtest.String(r.Inputs, "metadata.name") == name {
			if _, ok := evaluationtest.Lookup(r.Inputs, "stringData."+key); ok {
				return evaluationtest.String(r.Inputs, "stringData."+key)
			}
			t.Fatalf("Secret %s/%s has no key %s", namespace, name, key)
		}
	}
	t.Fatalf("%s has no Secret %s/%s", e.name, namespace, name)
	return ""
}

// run runs a Job's container as the cluster would: its command, with its environment, the
// variables it reads from Secrets resolved from the Secrets the program creates. Only where
// the server is differs: the test server's address and port replace the Cloud SQL Auth
// Proxy's on the pod's loopback, and the test's PostgreSQL client binaries stand in for the
// image's. The proxy is what speaks TLS to the instance, so a job that runs beside one talks
// TLS to the test server, which, like Cloud SQL, takes nothing else.
func (e environment) run(ctx context.Context, t *testing.T, pg *harness.Postgres, job *evaluation.Resource, extra ...string) (string, error) {
	t.Helper()
	container := "spec.template.spec.containers[0]"
	if job.Type == typeCronJob {
		container = "spec.jobTemplate." + container
	}
	var command []string
	for i := 0; ; i++ {
		path := fmt.Sprintf("%s.command[%d]", container, i)
		if _, ok := evaluationtest.Lookup(job.Inputs, path); !ok {
			break
		}
		command = append(command, evaluationtest.String(job.Inputs, path))
	}
	if len(command) < 3 || command[0] != "sh" || command[1] != "-c" {
		t.Fatalf("job %s runs %q, not a shell script", job.Name, command)
	}
	namespace := evaluationtest.String(job.Inputs, "metadata.namespace")
	var env []string
	for i := 0; ; i++ {
		prefix := fmt.Sprintf("%s.env[%d]", container, i)
		if _, ok := evaluationtest.Lookup(job.Inputs, prefix); !ok {
			break
		}
		name := evaluationtest.String(job.Inputs, prefix+".name")
		value := evaluationtest.String(job.Inputs, prefix+".value")
		if ref := evaluationtest.String(job.Inputs, prefix+".valueFrom.secretKeyRef.name"); ref != "" {
			value = e.secretValue(t, namespace, ref, evaluationtest.String(job.Inputs, prefix+".valueFrom.secretKeyRef.key"))
		}
		env = append(env, name+"="+value)
	}
	// Where the server is, last, so it wins.
	proxied := evaluationtest.String(job.Inputs, strings.TrimSuffix(container, "containers[0]")+"initContainers[0].name") == naming.SQLProxyContainer
	if !proxied {
		t.Fatalf("job %s connects to Cloud SQL with no Cloud SQL Auth Proxy beside it", job.Name)
	}
	env = slices.DeleteFunc(env, func(kv string) bool {
		return strings.HasPrefix(kv, "PGHOST=") || strings.HasPrefix(kv, "PGPORT=") || strings.HasPrefix(kv, "PGSSLMODE=")
	})
	env = append(env, pg.ClientEnv()...)
	env = append(env, "PGSSLMODE=require") // the proxy's leg, which the test's client stands in for
	env = append(env, extra...)            // last: a test's own values win
	cmd := exec.CommandContext(ctx, "/bin/sh", "-c", command[2])
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// runAll runs every job of a component, and fails the test if one fails.
func (e environment) runAll(ctx context.Context, t *testing.T, pg *harness.Postgres, component string) {
	t.Helper()
	for _, job := range e.jobs(t, component) {
		if out, err := e.run(ctx, t, pg, job); err != nil {
			t.Fatalf("%s job %s failed: %v\n%s", e.name, job.Name, err, out)
		}
	}
}

// credentials are what a module's components connect with: its database Secret.
type credentials struct {
	env, module, user, password, database string
}

func (e environment) credentials(t *testing.T, space, module string) credentials {
	t.Helper()
	ns, secret := naming.Namespace(e.name, space), naming.DatabaseSecret(module)
	return credentials{
		env: e.name, module: module,
		user:     e.secretValue(t, ns, secret, "user"),
		password: e.secretValue(t, ns, secret, "password"),
		database: e.secretValue(t, ns, secret, "database"),
	}
}

// label is one of a resource's Kubernetes labels ("" when it has none of that key).
func label(r evaluation.Resource, key string) string {
	labels, ok := evaluationtest.Lookup(r.Inputs, "metadata.labels")
	if !ok || !labels.IsObject() {
		return ""
	}
	v := labels.ObjectValue()[resource.PropertyKey(key)]
	if !v.IsString() {
		return ""
	}
	return v.StringValue()
}

// setUpServer gives the server what a cluster stack makes before any environment runs on one
// of its instances: Cloud SQL's role model with the instance's root, the one API user, whose
// password is in the cluster's own Secret; then the cluster's jobs for that instance, as
// rendered, make the database admins of the scopes that use it, by SQL.
func (e environment) setUpServer(ctx context.Context, t *testing.T, pg *harness.Postgres, instance string) {
	t.Helper()
	rootSecret := naming.DatabaseRootSecret(instance)
	root := e.secretValue(t, naming.ClusterPlatformNamespace, rootSecret, "password")
	if err := pg.CloudSQLRoleModel(ctx, naming.DatabaseAdminUser, root); err != nil {
		t.Fatal(err)
	}
	ran := 0
	for _, scope := range naming.DatabaseAdminScopes(false) {
		for _, job := range e.jobs(t, naming.DatabaseAdminComponent(scope)) {
			if secretRefOf(job, "PGPASSWORD") != rootSecret {
				continue // another instance's
			}
			if out, err := e.run(ctx, t, pg, job); err != nil {
				t.Fatalf("%s job %s failed: %v\n%s", e.name, job.Name, err, out)
			}
			ran++
		}
	}
	if ran == 0 {
		t.Fatalf("%s has no job that makes the admins of instance %s", e.name, instance)
	}
}

// secretRefOf is the Secret a Job's variable is read from ("" when it is not read from one).
func secretRefOf(job *evaluation.Resource, variable string) string {
	for i := 0; ; i++ {
		prefix := fmt.Sprintf("spec.template.spec.containers[0].env[%d]", i)
		if _, ok := evaluationtest.Lookup(job.Inputs, prefix); !ok {
			return ""
		}
		if evaluationtest.String(job.Inputs, prefix+".name") == variable {
			return evaluationtest.String(job.Inputs, prefix+".valueFrom.secretKeyRef.name")
		}
	}
}

// devBesidePR123 is cluster-nonprod's shared instance as the cluster stack, then dev's and
// pr-123's setup jobs, all as rendered, leave it.
func devBesidePR123(ctx context.Context, t *testing.T, pg *harness.Postgres) (dev, pr environment) {
	t.Helper()
	evaluate(t, naming.NonprodCluster, false).setUpServer(ctx, t, pg, naming.SQLInstance("nonprod"))
	dev, pr = evaluate(t, "dev", false), evaluate(t, "pr-123", false)
	for _, e := range []environment{dev, pr} {
		e.runAll(ctx, t, pg, naming.DatabaseSetupComponent)
	}
	return dev, pr
}
