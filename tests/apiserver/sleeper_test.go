package apiserver

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"

	"github.com/conveyor-paas/conveyor/evaluation/kube"
	"github.com/conveyor-paas/conveyor/internal/sleeper"
	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/stacks"
)

// TestTheSleeperIsWalledOnTheSharedCluster applies cluster-nonprod's objects (the sleeper's
// wall among them), then dev's, staging's and, beside them, prod's, to a real kube-apiserver,
// and acts as the sleeper, the identity main's nightly workflow holds to put environments to
// sleep (impersonation, through RBAC and then admission). It puts dev to sleep, every module
// Deployment at zero and every CronJob suspended; and each thing an attacker holding the
// sleeper's credentials would try fails: reading Secrets, creating pods, changing an image,
// scaling anything up, touching prod or the platform.
func TestTheSleeperIsWalledOnTheSharedCluster(t *testing.T) {
	c := startCluster(t)
	ctx := t.Context()
	for _, stack := range []string{"cluster-nonprod", "dev", "staging", "prod"} {
		applyAll(t, c, stack)
	}
	as := c.as(t, naming.Sleeper(nonprodProject))
	k := as.typed
	scale := func(ns, name string, n int, dryRun bool) error {
		o := metav1.PatchOptions{FieldManager: naming.SleeperFieldManager}
		if dryRun {
			o.DryRun = []string{metav1.DryRunAll}
		}
		_, err := k.AppsV1().Deployments(ns).Patch(ctx, name, types.MergePatchType, fmt.Appendf(nil, `{"spec":{"replicas":%d}}`, n), o, "scale")
		return err
	}
	devDeployment, devCron := firstOf(t, "dev", "Deployment"), firstOf(t, "dev", "CronJob")
	prodDeployment, prodCron := firstOf(t, "prod", "Deployment"), firstOf(t, "prod", "CronJob")

	// The grant and the policies are enforced a moment after they are stored: wait until a
	// scale up, which RBAC allows, is refused by the policy.
	waitFor(t, "the sleeper's admission policies", func() error {
		err := scale(devDeployment.Namespace(), devDeployment.Name(), 3, true)
		if err != nil && strings.Contains(err.Error(), "ValidatingAdmissionPolicy") {
			return nil
		}
		return fmt.Errorf("a scale to 3 got %v", err)
	})

	t.Run("it puts dev to sleep", func(t *testing.T) {
		changed, err := sleeper.ScaleDown(ctx, k, "dev")
		if err != nil {
			t.Fatalf("the sleeper cannot put dev to sleep: %v", err)
		}
		if len(changed) == 0 {
			t.Fatal("the sleeper changed nothing of dev: the test proves nothing")
		}
		for _, o := range objectsOf(t, "dev") {
			if o.Namespace() == naming.PlatformNamespace("dev") {
				continue
			}
			live, err := c.get(ctx, o)
			if err != nil {
				t.Fatal(err)
			}
			switch o.Kind() {
			case "Deployment":
				if n, _, _ := unstructured.NestedInt64(live.Object, "spec", "replicas"); n != 0 {
					t.Errorf("after the sleeper, %s runs %d replicas", describe(o), n)
				}
			case "CronJob":
				if s, _, _ := unstructured.NestedBool(live.Object, "spec", "suspend"); !s {
					t.Errorf("after the sleeper, %s is not suspended", describe(o))
				}
			}
		}
		if again, err := sleeper.ScaleDown(ctx, k, "dev"); err != nil || len(again) != 0 {
			t.Errorf("a second sleep of dev changed %v (%v), want nothing", again, err)
		}
	})

	image := `{"spec":{"jobTemplate":{"spec":{"template":{"spec":{"containers":[{"name":%q,"image":"evil:1"}]}}}}}}`
	cronContainer := func(o kube.Object) string {
		u := unstructured.Unstructured{Object: map[string]any(o)}
		containers, _, _ := unstructured.NestedSlice(u.Object, "spec", "jobTemplate", "spec", "template", "spec", "containers")
		if len(containers) == 0 {
			t.Fatalf("%s has no container", describe(o))
		}
		name, _ := containers[0].(map[string]any)["name"].(string)
		return name
	}
	patchCron := func(o kube.Object, patch string) func() error {
		return func() error {
			_, err := k.BatchV1().CronJobs(o.Namespace()).Patch(ctx, o.Name(), types.MergePatchType, []byte(patch),
				metav1.PatchOptions{FieldManager: naming.SleeperFieldManager, DryRun: []string{metav1.DryRunAll}})
			return err
		}
	}
	forbidden := []struct {
		what string
		// byPolicy: RBAC allows the request, so it is the admission policy that refuses it.
		byPolicy bool
		do       func() error
	}{
		{"read a Secret of dev", false, func() error {
			_, err := k.CoreV1().Secrets(devDeployment.Namespace()).List(ctx, metav1.ListOptions{})
			return err
		}},
		{"read dev's database admin", false, func() error {
			_, err := k.CoreV1().Secrets(naming.PlatformNamespace("dev")).Get(ctx, naming.DatabaseAdminSecret(), metav1.GetOptions{})
			return err
		}},
		{"read every Secret of the cluster", false, func() error {
			_, err := k.CoreV1().Secrets("").List(ctx, metav1.ListOptions{})
			return err
		}},
		{"create a pod in dev", false, func() error {
			pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "x"}, Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "x", Image: "evil:1"}}}}
			_, err := k.CoreV1().Pods(devDeployment.Namespace()).Create(ctx, pod, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
			return err
		}},
		{"change a Deployment's image", false, func() error {
			_, err := k.AppsV1().Deployments(devDeployment.Namespace()).Patch(ctx, devDeployment.Name(), types.StrategicMergePatchType,
				[]byte(`{"spec":{"template":{"spec":{"containers":[{"name":"x","image":"evil:1"}]}}}}`), metav1.PatchOptions{DryRun: []string{metav1.DryRunAll}})
			return err
		}},
		{"change a Deployment's count through the Deployment", false, func() error {
			_, err := k.AppsV1().Deployments(devDeployment.Namespace()).Patch(ctx, devDeployment.Name(), types.MergePatchType,
				[]byte(`{"spec":{"replicas":0}}`), metav1.PatchOptions{DryRun: []string{metav1.DryRunAll}})
			return err
		}},
		{"delete a Deployment", false, func() error {
			return k.AppsV1().Deployments(devDeployment.Namespace()).Delete(ctx, devDeployment.Name(), metav1.DeleteOptions{DryRun: []string{metav1.DryRunAll}})
		}},
		{"read a ConfigMap of dev", false, func() error {
			_, err := k.CoreV1().ConfigMaps(devDeployment.Namespace()).List(ctx, metav1.ListOptions{})
			return err
		}},
		{"list dev's pods", false, func() error {
			_, err := k.CoreV1().Pods(devDeployment.Namespace()).List(ctx, metav1.ListOptions{})
			return err
		}},
		{"scale a Deployment of dev up", true, func() error { return scale(devDeployment.Namespace(), devDeployment.Name(), 3, true) }},
		{"scale a Deployment of prod to zero", true, func() error { return scale(prodDeployment.Namespace(), prodDeployment.Name(), 0, true) }},
		{"suspend a CronJob of prod", true, patchCron(prodCron, `{"spec":{"suspend":true}}`)},
		{"resume a CronJob of dev", true, patchCron(devCron, `{"spec":{"suspend":false}}`)},
		{"change a CronJob's image", true, patchCron(devCron, fmt.Sprintf(image, cronContainer(devCron)))},
		{"change a CronJob's schedule while suspending it", true, patchCron(devCron, `{"spec":{"suspend":true,"schedule":"* * * * *"}}`)},
		{"relabel a CronJob", true, patchCron(devCron, `{"metadata":{"labels":{"x":"y"}}}`)},
		{"delete a CronJob", false, func() error {
			return k.BatchV1().CronJobs(devCron.Namespace()).Delete(ctx, devCron.Name(), metav1.DeleteOptions{DryRun: []string{metav1.DryRunAll}})
		}},
	}
	if platform := platformDeployment(t, "dev"); platform != nil {
		forbidden = append(forbidden, struct {
			what     string
			byPolicy bool
			do       func() error
		}{"scale dev's platform to zero", true, func() error { return scale(platform.Namespace(), platform.Name(), 0, true) }})
	}
	for _, f := range forbidden {
		t.Run("it may not "+f.what, func(t *testing.T) {
			err := f.do()
			switch {
			case err == nil:
				t.Fatalf("the sleeper could %s", f.what)
			case !apierrors.IsForbidden(err) && !apierrors.IsInvalid(err):
				t.Fatalf("%s: %v, want a refusal", f.what, err)
			case f.byPolicy && !strings.Contains(err.Error(), "ValidatingAdmissionPolicy"):
				t.Errorf("%s: refused by %v, want the sleeper's admission policy", f.what, err)
			}
		})
	}
}

// TestAWakeReleasesWhatTheSleeperSet: the sleeper's writes make it an owner of the fields it
// set (server-side apply). On the real API server, the wake's update, which applies as the
// kubernetes provider does (no force), would then conflict on a fixed count the sleeper
// zeroed (an ad-hoc environment's) and leave a CronJob suspended; after sleeper.Release the
// asleep update and then the awake one apply cleanly, and the wake restores every declared
// count, hands an autoscaled count back to its autoscaler (dev's), and resumes every CronJob.
func TestAWakeReleasesWhatTheSleeperSet(t *testing.T) {
	c := startCluster(t)
	shipped, err := stacks.ShippedStacks(root)
	if err != nil {
		t.Fatal(err)
	}
	applyAll(t, c, "cluster-nonprod") // the ad-hoc tier's handover namespace, which pr-123 reads
	needed := false
	for _, env := range []string{"dev", "pr-123"} {
		t.Run(env, func(t *testing.T) {
			if wakeAfterTheSleeper(t, c, shipped, env) {
				needed = true
			}
		})
	}
	if !needed {
		t.Error("without a release, every awake update applies as declared over the sleeper's writes: the release is not needed, or the test proves nothing")
	}
}

// wakeAfterTheSleeper sleeps env with the sleeper and wakes it as `conveyor wake` does, and
// reports whether the wake's update would have failed or left a workload asleep without the
// release.
func wakeAfterTheSleeper(t *testing.T, c *cluster, shipped []string, env string) (needed bool) {
	t.Helper()
	ctx := t.Context()
	render := func(asleep bool) []kube.Object {
		config := map[string]string{}
		if asleep {
			config[naming.ConfigAsleep] = "true"
		}
		rec, err := stacks.Evaluate(stacks.EvaluateOptions{Root: root, Stack: env, Config: config, Shipped: shipped})
		if err != nil {
			t.Fatal(err)
		}
		objects, err := kube.Objects(rec)
		if err != nil {
			t.Fatal(err)
		}
		return objects
	}
	// applyAll applies as the provider does: Conveyor's field manager, no force.
	applyAll := func(objects []kube.Object, dryRun bool) (conflicts []string, stored map[string]*unstructured.Unstructured) {
		t.Helper()
		stored = map[string]*unstructured.Unstructured{}
		for _, o := range objects {
			obj := &unstructured.Unstructured{Object: map[string]any(o)}
			gvk := obj.GroupVersionKind()
			mapping, err := c.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
			if err != nil {
				t.Fatal(err)
			}
			var resource dynamic.ResourceInterface = c.dynamic.Resource(mapping.Resource)
			if mapping.Scope.Name() == meta.RESTScopeNameNamespace {
				resource = c.dynamic.Resource(mapping.Resource).Namespace(obj.GetNamespace())
			}
			opts := metav1.ApplyOptions{FieldManager: fieldManager}
			if dryRun {
				opts.DryRun = []string{metav1.DryRunAll}
			}
			u, err := resource.Apply(ctx, obj.GetName(), obj, opts)
			switch {
			case apierrors.IsConflict(err):
				conflicts = append(conflicts, describe(o))
			case err != nil:
				t.Fatalf("the API server rejects %s: %v", describe(o), err)
			default:
				stored[describe(o)] = u
			}
			if o.Kind() == "Namespace" && !dryRun {
				if err := c.kube.WaitForDefaultServiceAccount(ctx, o.Name()); err != nil {
					t.Fatal(err)
				}
			}
		}
		return conflicts, stored
	}
	// asleepAfter lists what an awake update left asleep: a count at zero, a CronJob suspended.
	asleepAfter := func(awake []kube.Object, live func(kube.Object) *unstructured.Unstructured) []string {
		var left []string
		for _, o := range awake {
			u := live(o)
			if u == nil {
				continue
			}
			switch o.Kind() {
			case "Deployment":
				if n, _, _ := unstructured.NestedInt64(u.Object, "spec", "replicas"); n == 0 {
					left = append(left, describe(o))
				}
			case "CronJob":
				if s, _, _ := unstructured.NestedBool(u.Object, "spec", "suspend"); s {
					left = append(left, describe(o))
				}
			}
		}
		return left
	}
	awake, asleep := render(false), render(true)
	applyAll(awake, false)
	slept, err := sleeper.ScaleDown(ctx, c.typed, env)
	if err != nil || len(slept) == 0 {
		t.Fatalf("the sleep of %s changed %v: %v", env, slept, err)
	}

	conflicts, stored := applyAll(awake, true)
	left := asleepAfter(awake, func(o kube.Object) *unstructured.Unstructured { return stored[describe(o)] })
	if len(conflicts)+len(left) > 0 {
		t.Logf("without a release, the awake update conflicts on [%s] and leaves asleep [%s]", strings.Join(conflicts, ", "), strings.Join(left, ", "))
		needed = true
	}

	released, err := sleeper.Release(ctx, c.typed, env)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("released %v", released)
	if conflicts, _ := applyAll(asleep, false); len(conflicts) != 0 {
		t.Fatalf("after the release, the asleep update conflicts on %s", strings.Join(conflicts, ", "))
	}
	for _, o := range awake {
		if o.Kind() == "HorizontalPodAutoscaler" {
			if err := c.typed.AutoscalingV2().HorizontalPodAutoscalers(o.Namespace()).Delete(ctx, o.Name(), metav1.DeleteOptions{}); err != nil {
				t.Fatal(err)
			}
		}
	}
	start := time.Now()
	if conflicts, _ := applyAll(awake, false); len(conflicts) != 0 {
		t.Fatalf("after the release, the awake update conflicts on %s", strings.Join(conflicts, ", "))
	}
	t.Logf("the wake's applies of %s's %d objects took %s (API times only: no node runs the pods)", env, len(awake), time.Since(start).Round(time.Millisecond))
	for _, o := range awake {
		live, err := c.get(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range live.GetManagedFields() {
			if e.Manager == naming.SleeperFieldManager {
				t.Errorf("awake, the sleeper still owns fields of %s", describe(o))
			}
		}
		u := unstructured.Unstructured{Object: map[string]any(o)}
		switch o.Kind() {
		case "Deployment":
			got, _, _ := unstructured.NestedInt64(live.Object, "spec", "replicas")
			want, declared, _ := unstructured.NestedFieldNoCopy(u.Object, "spec", "replicas")
			switch {
			case declared && got != toInt64(want):
				t.Errorf("awake, %s runs %d replicas, declared %v", describe(o), got, want)
			case !declared && got == 0:
				t.Errorf("awake, %s (autoscaled) stays at the sleeper's zero", describe(o))
			}
		case "CronJob":
			if s, _, _ := unstructured.NestedBool(live.Object, "spec", "suspend"); s {
				t.Errorf("awake, %s is still suspended", describe(o))
			}
		}
	}
	return needed
}

// objectsOf renders stack's objects.
func objectsOf(t *testing.T, stack string) []kube.Object {
	t.Helper()
	objects, err := kube.Objects(evaluate(t, stack))
	if err != nil {
		t.Fatal(err)
	}
	return objects
}

// firstOf is stack's first module object of kind, outside its platform namespace.
func firstOf(t *testing.T, stack, kind string) kube.Object {
	t.Helper()
	for _, o := range objectsOf(t, stack) {
		if o.Kind() == kind && o.Namespace() != naming.PlatformNamespace(stack) {
			return o
		}
	}
	t.Fatalf("%s has no %s of a module: the test proves nothing", stack, kind)
	return nil
}

// platformDeployment is a Deployment in stack's platform namespace, if it has one.
func platformDeployment(t *testing.T, stack string) kube.Object {
	t.Helper()
	for _, o := range objectsOf(t, stack) {
		if o.Kind() == "Deployment" && o.Namespace() == naming.PlatformNamespace(stack) {
			return o
		}
	}
	return nil
}

// waitFor retries check until it holds, for at most a minute.
func waitFor(t *testing.T, what string, check func() error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	for {
		err := check()
		if err == nil {
			return
		}
		if ctx.Err() != nil {
			t.Fatalf("%s: not after a minute: %v", what, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
