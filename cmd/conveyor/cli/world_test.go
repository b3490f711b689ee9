package cli

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/envview"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackopstest"
	"github.com/conveyor-paas/conveyor/components"
	"github.com/conveyor-paas/conveyor/evaluation/kube"
	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/stacks"
	"github.com/conveyor-paas/conveyor/tests/harness"
)

// world is a repository of its own (a catalog, stack config files) driving a test backend,
// with a real control plane as the cluster of its environments. The commands that read a
// cluster run in it for real; what deploys runs the real program's objects, applied to the
// API server as the Kubernetes provider would apply them (the provider plugins that `up`
// of the real program needs cannot run here).
type world struct {
	*clone
	kube *harness.Kube
	root string
}

// worldCatalog is a small catalog with one component of every kind, a database and events.
var worldCatalog = map[string]string{
	"shop/space.conveyor.yaml": "space: shop\nteam: shop@acme.io\n",
	"shop/orders.conveyor.yaml": `module: orders
space: shop
database: true
publishes: [order-placed]
components:
  api: {image: "busybox:1.37.0", port: 8080}
  migrate: {kind: job, image: "busybox:1.37.0"}
  nightly: {kind: cron, image: "busybox:1.37.0", schedule: "0 0 1 1 *"}
`,
	"shop/billing.conveyor.yaml": `module: billing
space: shop
consumes: [orders.order-placed]
components:
  handler: {image: "busybox:1.37.0", handles: [orders.order-placed]}
`,
}

// worldProgram stands in for the platform's program in the engine (its providers cannot
// run here): an environment's update records its config in the backend, as the real one
// does; a cluster stack exports what a real cluster stack exports, its kubeconfig from the
// secret config test:kubeconfig.
func worldProgram(ctx *pulumi.Context) error {
	if !strings.HasPrefix(ctx.Stack(), "cluster-") {
		ctx.Export(stacks.OutputEnvironment, pulumi.String(ctx.Stack()))
		return nil
	}
	kubeconfig, _ := ctx.GetConfig("test:kubeconfig")
	ctx.Export(components.OutputKubeconfig, pulumi.ToSecret(pulumi.String(kubeconfig)))
	ctx.Export(components.OutputProject, pulumi.String("conveyor-test"))
	ctx.Export(components.OutputSQLInstance, pulumi.String("conveyor-nonprod"))
	return nil
}

// worldLogContainers get log files of their own in the world's cluster.
var worldLogContainers = []string{"api", "handler"}

// worldKube starts a control plane for a world.
func worldKube(t *testing.T) *harness.Kube {
	t.Helper()
	harness.SkipUnlessKube(t)
	kube, err := harness.StartKube(t.Context(), harness.KubeOptions{TB: t, LogContainers: worldLogContainers})
	if err != nil {
		t.Fatalf("starting the Kubernetes control plane: %v", err)
	}
	return kube
}

func newWorld(t *testing.T, kube *harness.Kube) *world {
	t.Helper()
	root := t.TempDir()
	for name, text := range worldCatalog {
		path := filepath.Join(root, "catalog", name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env := stackopstest.NewEnv(t)
	opts := env.Options(t, worldProgram)
	opts.WorkDir = root
	if err := os.MkdirAll(filepath.Join(root, "stacks"), 0o755); err != nil {
		t.Fatal(err)
	}
	c := &clone{t: t, env: env, opts: opts}
	// The real clock: what is read from the cluster is stamped with it.
	c.deps = &deps{
		options:  func() (stackops.Options, error) { return c.opts, nil },
		now:      time.Now,
		terminal: func(io.Writer) bool { return false },
	}
	return &world{clone: c, kube: kube, root: root}
}

// in is the world seen from a subtest, so that its failures end the subtest.
func (w *world) in(t *testing.T) *world {
	t.Helper()
	c := *w.clone
	c.t = t
	return &world{clone: &c, kube: w.kube, root: w.root}
}

// configure sets an environment's config, as the repository's stack file or a deploy would.
func (w *world) configure(env string, values map[string]string) {
	w.t.Helper()
	for k, v := range values {
		w.setConfig(env, k, v)
	}
}

// setSecret sets a secret config value.
func (w *world) setSecret(env, key, value string) {
	w.t.Helper()
	e, err := stackops.New(context.Background(), w.opts)
	if err != nil {
		w.t.Fatal(err)
	}
	if err := e.Workspace().SetConfigWithOptions(context.Background(), env, key, auto.ConfigValue{Value: value, Secret: true}, nil); err != nil {
		w.t.Fatal(err)
	}
}

// deploy applies the objects the real program renders for env, with the images its
// last deployment recorded, as `conveyor up` would; replaced are Jobs whose template
// changed, which Kubernetes does not allow to update.
func (w *world) deploy(env string) {
	w.t.Helper()
	ctx := w.t.Context()
	e, err := stackops.New(ctx, w.opts)
	if err != nil {
		w.t.Fatal(err)
	}
	stack, err := naming.ParseStack(env)
	if err != nil {
		w.t.Fatal(err)
	}
	v, err := envview.Open(ctx, envview.Source{Root: w.root, Stack: stack, Backend: e})
	if err != nil {
		w.t.Fatal(err)
	}
	objects, err := v.Objects(ctx)
	if err != nil {
		w.t.Fatal(err)
	}
	for _, o := range objects {
		if o.Kind() == "Job" {
			w.replaceJob(o)
		}
		if _, err := w.kube.Apply(ctx, map[string]any(o), "conveyor"); err != nil {
			w.t.Fatalf("applying %s %s/%s: %v", o.Kind(), o.Namespace(), o.Name(), err)
		}
		if o.Kind() == "Namespace" {
			wait, cancel := context.WithTimeout(ctx, time.Minute)
			err := w.kube.WaitForDefaultServiceAccount(wait, o.Name())
			cancel()
			if err != nil {
				w.t.Fatal(err)
			}
		}
	}
}

// replaceJob deletes a Job whose image differs from the one about to be applied.
func (w *world) replaceJob(o kube.Object) {
	w.t.Helper()
	ctx := w.t.Context()
	live, err := w.kube.Client.BatchV1().Jobs(o.Namespace()).Get(ctx, o.Name(), metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return
	}
	if err != nil {
		w.t.Fatal(err)
	}
	spec, _ := o["spec"].(map[string]any)
	template, _ := spec["template"].(map[string]any)
	podSpec, _ := template["spec"].(map[string]any)
	containers, _ := podSpec["containers"].([]any)
	first, _ := containers[0].(map[string]any)
	if live.Spec.Template.Spec.Containers[0].Image == first["image"] {
		return
	}
	foreground := metav1.DeletePropagationForeground
	if err := w.kube.Client.BatchV1().Jobs(o.Namespace()).Delete(ctx, o.Name(), metav1.DeleteOptions{PropagationPolicy: &foreground}); err != nil {
		w.t.Fatal(err)
	}
	for {
		if _, err := w.kube.Client.BatchV1().Jobs(o.Namespace()).Get(ctx, o.Name(), metav1.GetOptions{}); apierrors.IsNotFound(err) {
			return
		}
		select {
		case <-ctx.Done():
			w.t.Fatal(ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// storage gives the cluster a volume for the local PostgreSQL's claim, as a local cluster's
// default storage class would.
func (w *world) storage(name string) {
	w.t.Helper()
	pv := &corev1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: corev1.PersistentVolumeSpec{
			Capacity:               corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")},
			AccessModes:            []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			PersistentVolumeSource: corev1.PersistentVolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/tmp/" + name}},
		},
	}
	if _, err := w.kube.Client.CoreV1().PersistentVolumes().Create(w.t.Context(), pv, metav1.CreateOptions{}); err != nil {
		w.t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
