package realengine

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackopstest"
	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/tests/harness"
)

// migrationsCatalog is one module with a migration job and an api, both the test service at
// image: the job runs `testservice migrate`, which works for three seconds and exits 0.
func migrationsCatalog(image string) map[string]string {
	return map[string]string{
		"shop/space.conveyor.yaml": `space: shop
team: shop@example.com
mesh: false
`,
		"shop/orders.conveyor.yaml": `module: orders
space: shop
components:
  migrate:
    kind: job
    image: ` + image + `
    args: [migrate]
  api:
    image: ` + image + `
    port: 8080
    probes: {readiness: /healthz, liveness: /healthz}
`,
	}
}

// TestMigrationsBeforeRolloutOnANode proves on a node that runs them that a module's
// migration job completes before any pod of its api's new version starts: at the first
// `conveyor up`, at an `up` that rolls a new image out to both (the catalog's manifest moves
// them to harness.TestServiceImageV2, as a team's commit does), and at a `deploy` of a new
// image of the api alone, which carries the job that runs the api's image along
// (manifest.Module.ReleaseJobs). The evidence is the
// API server's timestamps: the Job's completion against the creation of every pod of the
// api's current ReplicaSet. They are kept to the second, and the migration works for three
// seconds, so a pod started before or while it ran would show.
func TestMigrationsBeforeRolloutOnANode(t *testing.T) {
	f := setupNode(t)
	c := f.newClone(t, stackopstest.NewEnv(t), nil)
	const env, module = "local-migrate", "orders"
	catalog := filepath.Join(t.TempDir(), "catalog")
	writeFiles(t, catalog, migrationsCatalog(harness.TestServiceImage))
	c.configure(t, env, catalog)
	ns := naming.Namespace(env, "shop")

	c.mustConveyor(t, "up", "--env", env)
	// Deferred rather than a cleanup, which runs when the test's context, that the command
	// runs under, is already canceled.
	defer c.mustConveyor(t, "destroy", "--env", env, "--confirm", env)
	var first *batchv1.Job
	t.Run("up: the migration completes before the api's pods start", func(t *testing.T) {
		first = migratedBeforeRollout(t, f, ns, module, harness.TestServiceImage)
	})

	writeFiles(t, catalog, migrationsCatalog(harness.TestServiceImageV2))
	c.mustConveyor(t, "up", "--env", env)
	var second *batchv1.Job
	t.Run("a new image: its migration completes before the api's new pods start", func(t *testing.T) {
		second = migratedBeforeRollout(t, f, ns, module, harness.TestServiceImageV2)
		if first != nil && second != nil && second.UID == first.UID {
			t.Errorf("job %s was not run again for the new image (uid %s)", second.Name, second.UID)
		}
	})

	// A pipeline's deploy of another image of the api (v1 again: any image the node has),
	// the manifest unchanged: the migration job runs the api's image, so it runs again with
	// it, before the api's pods of that image start. It used to keep its image and not run.
	c.mustConveyor(t, "deploy", "--env", env, "--module", module, "--component", "api", "--image", harness.TestServiceImage)
	t.Run("deploy --component api: its migration runs the new image first", func(t *testing.T) {
		third := migratedBeforeRollout(t, f, ns, module, harness.TestServiceImage)
		if second != nil && third != nil && third.UID == second.UID {
			t.Errorf("job %s was not run again for the deployed image (uid %s)", third.Name, third.UID)
		}
	})
}

// migratedBeforeRollout checks that module's migration Job in ns, at image, completed, and
// that every pod of the api's ReplicaSet at image was created at or after its completion. It
// returns the Job.
func migratedBeforeRollout(t *testing.T, f *fixture, ns, module, image string) *batchv1.Job {
	t.Helper()
	ctx := t.Context()
	client := f.kube.Client
	job, err := client.BatchV1().Jobs(ns).Get(ctx, naming.Workload(module, "migrate"), metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := job.Spec.Template.Spec.Containers[0].Image; got != image {
		t.Fatalf("job %s runs %s, want %s", job.Name, got, image)
	}
	if job.Status.Succeeded < 1 || job.Status.CompletionTime == nil || job.Status.StartTime == nil {
		t.Fatalf("job %s: %d succeeded, %d failed, completed %v; want it complete", job.Name, job.Status.Succeeded, job.Status.Failed, job.Status.CompletionTime)
	}
	completed := job.Status.CompletionTime.Time
	var pods []corev1.Pod
	err = poll(ctx, 3*time.Minute, func(ctx context.Context) bool {
		list, err := client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{
			LabelSelector: labels.SelectorFromSet(naming.SelectorLabels(module, "api")).String(),
		})
		if err != nil {
			return false
		}
		pods = pods[:0]
		for _, p := range list.Items {
			if p.Spec.Containers[0].Image == image {
				pods = append(pods, p)
			}
		}
		return len(pods) > 0
	})
	if err != nil {
		t.Fatalf("no pod of %s's api runs %s", module, image)
	}
	t.Logf("job %s: started %s, completed %s", job.Name, job.Status.StartTime.UTC().Format(time.TimeOnly), completed.UTC().Format(time.TimeOnly))
	for _, p := range pods {
		t.Logf("pod %s (%s): created %s", p.Name, image, p.CreationTimestamp.UTC().Format(time.TimeOnly))
		if p.CreationTimestamp.Before(job.Status.CompletionTime) {
			t.Errorf("pod %s of %s's api at %s was created at %s, before job %s completed at %s",
				p.Name, module, image, p.CreationTimestamp.UTC().Format(time.TimeOnly), job.Name, completed.UTC().Format(time.TimeOnly))
		}
	}
	return job
}
