package apiserver

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/conveyor-paas/conveyor/evaluation/kube"
	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/stacks"
)

// TestSleepAndWakeOnAKubeAPIServer: dev's objects applied as the kubernetes provider applies
// them (server-side apply under Conveyor's field manager), then dev asleep (the autoscalers
// deleted, as the engine deletes what the program no longer declares), then awake again. On
// the real API server, asleep holds every module Deployment at zero and every CronJob
// suspended; the wake gives back each fixed count as declared and hands an autoscaled
// Deployment's count back to its autoscaler: the zero of the sleep does not stay behind.
func TestSleepAndWakeOnAKubeAPIServer(t *testing.T) {
	c := startCluster(t)
	ctx := t.Context()
	shipped, err := stacks.ShippedStacks(root)
	if err != nil {
		t.Fatal(err)
	}
	render := func(asleep bool) []kube.Object {
		config := map[string]string{}
		if asleep {
			config[naming.ConfigAsleep] = "true"
		}
		rec, err := stacks.Evaluate(stacks.EvaluateOptions{Root: root, Stack: "dev", Config: config, Shipped: shipped})
		if err != nil {
			t.Fatal(err)
		}
		objects, err := kube.Objects(rec)
		if err != nil {
			t.Fatal(err)
		}
		return objects
	}
	applyAll := func(objects []kube.Object) {
		t.Helper()
		for _, o := range objects {
			if _, err := c.apply(ctx, o); err != nil {
				t.Fatalf("the API server rejects %s: %v", describe(o), err)
			}
			if o.Kind() == "Namespace" {
				if err := c.kube.WaitForDefaultServiceAccount(ctx, o.Name()); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	live := func(o kube.Object) *unstructured.Unstructured {
		t.Helper()
		u, err := c.get(ctx, o)
		if err != nil {
			t.Fatalf("%s: %v", describe(o), err)
		}
		return u
	}
	awake, asleep := render(false), render(true)
	applyAll(awake)

	applyAll(asleep)
	hpas := 0
	for _, o := range awake {
		if o.Kind() == "HorizontalPodAutoscaler" {
			hpas++
			if err := c.typed.AutoscalingV2().HorizontalPodAutoscalers(o.Namespace()).Delete(ctx, o.Name(), metav1.DeleteOptions{}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if hpas == 0 {
		t.Fatal("dev declares no autoscaler: the wake's hand-over is not tested")
	}
	for _, o := range asleep {
		if o.Namespace() == naming.PlatformNamespace("dev") {
			continue // the platform's own, such as the seeding job the ad-hoc tier's previews need
		}
		switch o.Kind() {
		case "Deployment":
			if n, _, _ := unstructured.NestedInt64(live(o).Object, "spec", "replicas"); n != 0 {
				t.Errorf("asleep, %s runs %d replicas", describe(o), n)
			}
		case "CronJob":
			if s, _, _ := unstructured.NestedBool(live(o).Object, "spec", "suspend"); !s {
				t.Errorf("asleep, %s is not suspended", describe(o))
			}
		}
	}

	applyAll(awake)
	for _, o := range awake {
		u := unstructured.Unstructured{Object: map[string]any(o)}
		switch o.Kind() {
		case "Deployment":
			got, _, _ := unstructured.NestedInt64(live(o).Object, "spec", "replicas")
			want, declared, _ := unstructured.NestedFieldNoCopy(u.Object, "spec", "replicas")
			switch {
			case declared && got != toInt64(want):
				t.Errorf("awake, %s runs %d replicas, declared %v", describe(o), got, want)
			case !declared && got == 0:
				t.Errorf("awake, %s (autoscaled) stays at the sleep's zero", describe(o))
			}
		case "CronJob":
			if s, _, _ := unstructured.NestedBool(live(o).Object, "spec", "suspend"); s {
				t.Errorf("awake, %s is still suspended", describe(o))
			}
		}
	}
}

func toInt64(v any) int64 {
	switch n := v.(type) {
	case int:
		return int64(n)
	case int64:
		return n
	case float64:
		return int64(n)
	}
	return -1
}
