package status

import (
	"context"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// These cases are the states the harness cannot reach in a test's time (a schedule that
// passes, history the controller pruned): objects as the API server returns them, assessed.

var now = time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)

func ptr[T any](v T) *T { return &v }

func cronWorkload() Workload {
	return Workload{Module: "orders", Component: "nightly", Kind: "cron", Object: "CronJob", Namespace: "dev-shop", Name: "orders-nightly",
		Container: "nightly", Image: "busybox:1", Selector: map[string]string{"conveyor.io/module": "orders", "conveyor.io/component": "nightly"}, Schedule: "0 3 * * *"}
}

func cronJob(created time.Time) batchv1.CronJob {
	return batchv1.CronJob{
		ObjectMeta: metav1.ObjectMeta{Name: "orders-nightly", UID: "cron-uid", CreationTimestamp: metav1.NewTime(created)},
		Spec: batchv1.CronJobSpec{Schedule: "0 3 * * *", StartingDeadlineSeconds: ptr[int64](300),
			JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
				Containers: []corev1.Container{{Name: "nightly", Image: "busybox:1"}}}}}}},
	}
}

func TestAssessCronJob(t *testing.T) {
	failed := batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Name: "orders-nightly-29000", UID: "job-uid", CreationTimestamp: metav1.NewTime(now.Add(-7 * time.Hour)),
			OwnerReferences: []metav1.OwnerReference{{Kind: "CronJob", Name: "orders-nightly", UID: "cron-uid"}}},
		Status: batchv1.JobStatus{StartTime: ptr(metav1.NewTime(now.Add(-7 * time.Hour))),
			Conditions: []batchv1.JobCondition{{Type: batchv1.JobFailed, Status: corev1.ConditionTrue, Reason: "DeadlineExceeded", Message: "Job was active longer than specified deadline"}}},
	}
	tests := []struct {
		name        string
		ns          Namespace
		state, want string
	}{
		{"created yesterday evening, due at 03:00, never ran", Namespace{CronJobs: []batchv1.CronJob{cronJob(now.Add(-16 * time.Hour))}},
			Failed, "it never ran, although a run was due at 2026-12-02T03:00:00Z"},
		{"created this morning, not due before tomorrow", Namespace{CronJobs: []batchv1.CronJob{cronJob(now.Add(-time.Hour))}},
			Scheduled, "it has never run yet"},
		{"its last run failed", Namespace{CronJobs: []batchv1.CronJob{cronJob(now.Add(-48 * time.Hour))}, Jobs: []batchv1.Job{failed}},
			Failed, "its last run failed: DeadlineExceeded: Job was active longer than specified deadline"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := assess(cronWorkload(), &tt.ns, now)
			if c.State != tt.state || c.Reason != tt.want {
				t.Errorf("state %q, reason %q; want %q, %q", c.State, c.Reason, tt.state, tt.want)
			}
			if c.NextRun == nil || !c.NextRun.Equal(time.Date(2026, 12, 3, 3, 0, 0, 0, time.UTC)) {
				t.Errorf("next run %v", c.NextRun)
			}
		})
	}
}

// TestAssessReportsWhatIsWrong: an available Deployment that runs another image than the
// next update deploys, an api that no pod serves, a namespace that is not there.
func TestAssessReportsWhatIsWrong(t *testing.T) {
	api := Workload{Module: "orders", Component: "api", Kind: "api", Object: "Deployment", Namespace: "dev-shop", Name: "orders-api",
		Container: "api", Image: "orders:2", Selector: map[string]string{"conveyor.io/module": "orders", "conveyor.io/component": "api"},
		Service: "orders-api", Port: 80}
	deployment := appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "orders-api", UID: types.UID("d"), Generation: 3},
		Spec: appsv1.DeploymentSpec{Replicas: ptr[int32](2), Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
			Containers: []corev1.Container{{Name: "api", Image: "orders:1"}}}}},
		Status: appsv1.DeploymentStatus{ObservedGeneration: 3, Replicas: 2, UpdatedReplicas: 2, ReadyReplicas: 2, AvailableReplicas: 2},
	}
	d := &Desired{Environment: "dev", Modules: []DesiredModule{
		{Name: "orders", Space: "shop", Namespace: "dev-shop", Workloads: []Workload{api}},
		{Name: "carts", Space: "cart", Namespace: "dev-cart"},
	}}
	snap := &Snapshot{Taken: now, Namespaces: map[string]*Namespace{
		"dev-shop": {Exists: true, Deployments: []appsv1.Deployment{deployment}, Services: []corev1.Service{{ObjectMeta: metav1.ObjectMeta{Name: "orders-api"}}}},
		"dev-cart": {},
	}}
	r := Assess(context.Background(), d, snap, nil, "test")
	want := []string{
		"orders/api: the cluster runs orders:1, not orders:2, which the next update deploys",
		"orders/api: no ready pod serves http://orders-api.dev-shop.svc.cluster.local:80",
		"carts: namespace dev-cart does not exist",
	}
	text := strings.Join(r.Problems, "\n")
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("the problems lack %q:\n%s", w, text)
		}
	}
	if r.Healthy || r.Modules[0].Components[0].State != Available || !r.Settled() {
		t.Errorf("healthy %v, state %s, settled %v", r.Healthy, r.Modules[0].Components[0].State, r.Settled())
	}
}
