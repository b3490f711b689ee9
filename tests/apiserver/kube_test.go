package apiserver

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"

	"github.com/conveyor-paas/conveyor/evaluation/kube"
	"github.com/conveyor-paas/conveyor/tests/harness"
)

// fieldManager is who owns the fields the tier applies, as the Pulumi provider owns them in
// a real cluster.
const fieldManager = "conveyor"

// warnings records what the API server warns about (Pod Security admission warns about a pod
// template that would violate its namespace's level).
type warnings struct {
	mu   sync.Mutex
	seen []string
}

func (w *warnings) HandleWarningHeader(_ int, _ string, message string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.seen = append(w.seen, message)
}

func (w *warnings) take() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := w.seen
	w.seen = nil
	return out
}

// cluster is a control plane with the clients the tier needs.
type cluster struct {
	kube     *harness.Kube
	dynamic  dynamic.Interface
	typed    kubernetes.Interface
	mapper   meta.RESTMapper
	warnings *warnings
}

func startCluster(t *testing.T) *cluster {
	t.Helper()
	kube := harness.KubeForTest(t)
	// Istio's CRDs, as the local cluster's istio-base chart installs them: meshed spaces have
	// Istio objects. Installed before the clients discover the server's APIs.
	if err := kube.InstallIstioCRDs(t.Context()); err != nil {
		t.Fatal(err)
	}
	w := &warnings{}
	config := rest.CopyConfig(kube.Config)
	config.WarningHandler = w
	dyn, err := dynamic.NewForConfig(config)
	if err != nil {
		t.Fatal(err)
	}
	disco, err := discovery.NewDiscoveryClientForConfig(config)
	if err != nil {
		t.Fatal(err)
	}
	return &cluster{
		kube:     kube,
		dynamic:  dyn,
		typed:    kube.Client,
		mapper:   restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(disco)),
		warnings: w,
	}
}

// apply server-side applies one object, for real, and returns what the server stored.
func (c *cluster) apply(ctx context.Context, o kube.Object) (*unstructured.Unstructured, error) {
	obj := &unstructured.Unstructured{Object: map[string]any(o)}
	gvk := obj.GroupVersionKind()
	mapping, err := c.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return nil, fmt.Errorf("no API for %s: %w", gvk, err)
	}
	var resource dynamic.ResourceInterface = c.dynamic.Resource(mapping.Resource)
	if mapping.Scope.Name() == meta.RESTScopeNameNamespace {
		resource = c.dynamic.Resource(mapping.Resource).Namespace(obj.GetNamespace())
	}
	return resource.Apply(ctx, obj.GetName(), obj, metav1.ApplyOptions{FieldManager: fieldManager, Force: true})
}

// reapply applies an object again and says what that changed, if anything. Controllers keep
// writing status (and bumping the resource version) all along, so what is compared is the
// object without its status and write bookkeeping, right before and right after the apply.
func (c *cluster) reapply(ctx context.Context, o kube.Object) string {
	before, err := c.get(ctx, o)
	if err != nil {
		return err.Error()
	}
	after, err := c.apply(ctx, o)
	if err != nil {
		return "it fails: " + err.Error()
	}
	b, a := settled(before), settled(after)
	if reflect.DeepEqual(b, a) {
		return ""
	}
	return fmt.Sprintf("before %v, after %v", b, a)
}

func (c *cluster) get(ctx context.Context, o kube.Object) (*unstructured.Unstructured, error) {
	obj := &unstructured.Unstructured{Object: map[string]any(o)}
	gvk := obj.GroupVersionKind()
	mapping, err := c.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return nil, err
	}
	if mapping.Scope.Name() == meta.RESTScopeNameNamespace {
		return c.dynamic.Resource(mapping.Resource).Namespace(obj.GetNamespace()).Get(ctx, obj.GetName(), metav1.GetOptions{})
	}
	return c.dynamic.Resource(mapping.Resource).Get(ctx, obj.GetName(), metav1.GetOptions{})
}

// settled is an object without what changes when nothing was asked to change.
func settled(u *unstructured.Unstructured) map[string]any {
	obj := u.DeepCopy().Object
	delete(obj, "status")
	unstructured.RemoveNestedField(obj, "metadata", "resourceVersion")
	unstructured.RemoveNestedField(obj, "metadata", "managedFields")
	return obj
}

func describe(o kube.Object) string {
	if o.Namespace() == "" {
		return o.Kind() + " " + o.Name()
	}
	return o.Kind() + " " + o.Namespace() + "/" + o.Name()
}

// TestStacksOnAKubeAPIServer applies every Kubernetes object of every environment stack to
// one real control plane (so the environments also prove they coexist on one cluster), and
// asserts that none is rejected, that Pod Security admission warns about nothing, that a
// second apply changes nothing, and that every Deployment becomes available on the fake nodes.
func TestStacksOnAKubeAPIServer(t *testing.T) {
	c := startCluster(t)
	ctx := t.Context()
	for _, stack := range environments(t) {
		t.Run(stack, func(t *testing.T) {
			objects, err := kube.Objects(evaluate(t, stack))
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range objects {
				if _, err := c.apply(ctx, o); err != nil {
					t.Errorf("the API server rejects %s: %v", describe(o), err)
					continue
				}
				for _, w := range c.warnings.take() {
					t.Errorf("applying %s, the API server warns: %s", describe(o), w)
				}
				if o.Kind() == "Namespace" {
					// Pods need the namespace's default service account to be admitted.
					if err := c.kube.WaitForDefaultServiceAccount(ctx, o.Name()); err != nil {
						t.Fatal(err)
					}
				}
			}
			if t.Failed() {
				return
			}
			for _, o := range objects {
				if diff := c.reapply(ctx, o); diff != "" {
					t.Errorf("a second apply changes %s: the manifests are not stable: %s", describe(o), diff)
				}
			}
			waitForWorkloads(t, c, objects)
		})
	}
}

// waitForWorkloads waits for every Deployment of the stack to become available and every Job
// to complete, as they would on real nodes.
func waitForWorkloads(t *testing.T, c *cluster, objects []kube.Object) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 4*time.Minute)
	defer cancel()
	for _, o := range objects {
		var ready func() (bool, string, error)
		switch o.Kind() {
		case "Deployment":
			ready = func() (bool, string, error) {
				d, err := c.typed.AppsV1().Deployments(o.Namespace()).Get(ctx, o.Name(), metav1.GetOptions{})
				if err != nil {
					return false, "", err
				}
				return deploymentAvailable(d), fmt.Sprintf("%d/%d available", d.Status.AvailableReplicas, d.Status.Replicas), nil
			}
		case "Job":
			ready = func() (bool, string, error) {
				j, err := c.typed.BatchV1().Jobs(o.Namespace()).Get(ctx, o.Name(), metav1.GetOptions{})
				if err != nil {
					return false, "", err
				}
				return jobComplete(j), fmt.Sprintf("%d succeeded, %d failed", j.Status.Succeeded, j.Status.Failed), nil
			}
		default:
			continue
		}
		for {
			ok, state, err := ready()
			if err != nil {
				t.Errorf("%s: %v", describe(o), err)
				break
			}
			if ok {
				break
			}
			if ctx.Err() != nil {
				t.Errorf("%s never became ready: %s%s", describe(o), state, events(c, o))
				break
			}
			time.Sleep(500 * time.Millisecond)
		}
	}
}

func deploymentAvailable(d *appsv1.Deployment) bool {
	for _, cond := range d.Status.Conditions {
		if cond.Type == appsv1.DeploymentAvailable && cond.Status == "True" {
			return d.Status.AvailableReplicas > 0 && d.Status.UpdatedReplicas == d.Status.Replicas
		}
	}
	return false
}

func jobComplete(j *batchv1.Job) bool {
	for _, cond := range j.Status.Conditions {
		if cond.Type == batchv1.JobComplete && cond.Status == "True" {
			return true
		}
	}
	return false
}

// events explains a workload that did not become ready: its namespace's warning events
// (a quota exceeded, a pod rejected) say why.
func events(c *cluster, o kube.Object) string {
	list, err := c.typed.CoreV1().Events(o.Namespace()).List(context.Background(), metav1.ListOptions{})
	if err != nil {
		return ""
	}
	var lines []string
	for _, e := range list.Items {
		if e.Type == "Warning" {
			lines = append(lines, fmt.Sprintf("  %s %s: %s", e.InvolvedObject.Kind, e.InvolvedObject.Name, e.Message))
		}
	}
	if len(lines) == 0 {
		return ""
	}
	return "\nwarning events in " + o.Namespace() + ":\n" + strings.Join(lines, "\n")
}
