package status

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/conveyor-paas/conveyor/evaluation/kube"
	"github.com/conveyor-paas/conveyor/manifest"
)

// rendered is an object as the program renders it, with its pods' labels.
func rendered(kind, name string, spec map[string]any) kube.Object {
	template := map[string]any{
		"metadata": map[string]any{"labels": map[string]any{"conveyor.io/module": "orders", "conveyor.io/component": strings.TrimPrefix(name, "orders-")}},
		"spec":     map[string]any{"containers": []any{map[string]any{"name": strings.TrimPrefix(name, "orders-"), "image": "busybox:1"}}},
	}
	if kind == "CronJob" {
		spec["jobTemplate"] = map[string]any{"spec": map[string]any{"template": template}}
	} else {
		spec["template"] = template
	}
	return kube.Object{"apiVersion": "v1", "kind": kind, "metadata": map[string]any{"name": name, "namespace": "dev-shop"}, "spec": spec}
}

// TestAsleep: status reads from what the program renders that the environment sleeps
// (conveyor:asleep), says so in one line with the command that wakes it and in the --json
// document, and does not count a sleeping environment's missed cron runs as failures.
func TestAsleep(t *testing.T) {
	cat, err := manifest.Parse([]manifest.Source{
		{Name: "shop/space.conveyor.yaml", Data: []byte("space: shop\nteam: shop@acme.io\n")},
		{Name: "shop/orders.conveyor.yaml", Data: []byte("module: orders\nspace: shop\ncomponents:\n  api:\n    image: busybox:1\n    port: 8080\n  nightly:\n    kind: cron\n    image: busybox:1\n    schedule: \"0 3 * * *\"\n")},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name       string
		replicas   int
		suspend    bool
		wantAsleep bool
	}{{"asleep", 0, true, true}, {"awake", 2, false, false}} {
		t.Run(tt.name, func(t *testing.T) {
			objects := []kube.Object{
				rendered("Deployment", "orders-api", map[string]any{"replicas": tt.replicas}),
				rendered("CronJob", "orders-nightly", map[string]any{"schedule": "0 3 * * *", "suspend": tt.suspend}),
			}
			d, err := NewDesired("dev", false, cat, objects)
			if err != nil {
				t.Fatal(err)
			}
			cron := cronJob(now.Add(-16 * time.Hour)) // a run was due at 03:00 and none came
			cron.Spec.Suspend = &tt.suspend
			snap := &Snapshot{Taken: now, Namespaces: map[string]*Namespace{"dev-shop": {Exists: true,
				Deployments: []appsv1.Deployment{{ObjectMeta: metav1.ObjectMeta{Name: "orders-api"}, Spec: appsv1.DeploymentSpec{Replicas: ptr(int32(tt.replicas))}}},
				CronJobs:    []batchv1.CronJob{cron}}}}
			r := Assess(context.Background(), d, snap, nil, "cluster-nonprod")
			if r.Asleep != tt.wantAsleep {
				t.Errorf("Asleep = %v, want %v", r.Asleep, tt.wantAsleep)
			}
			var text, doc bytes.Buffer
			if err := WriteText(&text, r); err != nil {
				t.Fatal(err)
			}
			if err := WriteJSON(&doc, r); err != nil {
				t.Fatal(err)
			}
			var fields map[string]any
			if err := json.Unmarshal(doc.Bytes(), &fields); err != nil {
				t.Fatal(err)
			}
			if !tt.wantAsleep {
				if strings.Contains(text.String(), "asleep") || fields["asleep"] != nil {
					t.Errorf("an awake environment is said asleep:\n%s", text.String())
				}
				return
			}
			if !strings.Contains(text.String(), "dev is asleep") || !strings.Contains(text.String(), "conveyor wake --env dev") {
				t.Errorf("the text does not say dev sleeps and how to wake it:\n%s", text.String())
			}
			if fields["asleep"] != true || fields["wake"] != "conveyor wake --env dev" {
				t.Errorf("--json asleep = %v, wake = %v", fields["asleep"], fields["wake"])
			}
			for _, p := range r.Problems {
				if strings.Contains(p, "nightly") {
					t.Errorf("a suspended cron's missed run is a problem: %s", p)
				}
			}
		})
	}
}
