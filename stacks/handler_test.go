package stacks_test

import (
	"testing"

	"github.com/conveyor-paas/conveyor/evaluation/evaluationtest"
)

// TestHandlerAutoscalesInEveryLongLivedEnvironment: the demo catalog's claims coverage is a
// handler with autoscaling; through the whole stack wiring it gets an autoscaler and no fixed
// replica count in dev and in prod, and one replica without an autoscaler in an ad-hoc
// environment.
func TestHandlerAutoscalesInEveryLongLivedEnvironment(t *testing.T) {
	for _, tt := range []struct {
		stack   string
		wantHPA bool
	}{{"dev", true}, {"prod", true}, {"pr-123", false}} {
		t.Run(tt.stack, func(t *testing.T) {
			rec := evaluate(t, tt.stack, nil)
			const name = "claims-coverage"
			d := evaluationtest.Find(rec, "kubernetes:apps/v1:Deployment", name)
			if d == nil {
				t.Fatalf("no %s deployment", name)
			}
			hpa := evaluationtest.Find(rec, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler", name)
			if (hpa != nil) != tt.wantHPA {
				t.Fatalf("autoscaler present = %v, want %v", hpa != nil, tt.wantHPA)
			}
			replicas, fixed := evaluationtest.Lookup(d.Inputs, "spec.replicas")
			if tt.wantHPA {
				if fixed {
					t.Errorf("the deployment fixes %v replicas under an autoscaler", replicas)
				}
				if got := evaluationtest.String(hpa.Inputs, "spec.scaleTargetRef.name"); got != name {
					t.Errorf("the autoscaler scales %q", got)
				}
				if v, _ := evaluationtest.Lookup(hpa.Inputs, "spec.maxReplicas"); v.NumberValue() != 4 {
					t.Errorf("maxReplicas = %v, want the manifest's 4", v)
				}
			} else if !fixed || replicas.NumberValue() != 1 {
				t.Errorf("replicas = %v, want 1", replicas)
			}
		})
	}
}
