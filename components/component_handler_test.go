package components_test

import (
	"testing"

	"github.com/conveyor-paas/conveyor/components"
	"github.com/conveyor-paas/conveyor/evaluation/evaluationtest"
)

// TestHandlerAutoscaling: a handler that asks for autoscaling gets an autoscaler over its
// Deployment, in production as elsewhere, and no fixed replica count that would fight it; an
// ad-hoc environment runs one replica and never autoscales.
func TestHandlerAutoscaling(t *testing.T) {
	tests := []struct {
		name         string
		env          components.Environment
		wantReplicas string // "" when an autoscaler owns the count
		wantHPA      bool
	}{
		{"dev", components.Environment{Name: "dev"}, "", true},
		{"production", components.Environment{Name: "prod", Production: true}, "", true},
		{"ad-hoc", components.Environment{Name: "pr-7", AdHoc: true}, "1", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := deploy(t, tt.env, false)
			const name = "claims-intake"
			d := must(t, rec, typeDeployment, name)
			if replicas, _ := lookupString(d, "spec.replicas"); replicas != tt.wantReplicas {
				t.Errorf("replicas = %q, want %q", replicas, tt.wantReplicas)
			}
			hpa := evaluationtest.Find(rec, typeHPA, name)
			if (hpa != nil) != tt.wantHPA {
				t.Fatalf("autoscaler present = %v, want %v", hpa != nil, tt.wantHPA)
			}
			if hpa == nil {
				return
			}
			for path, want := range map[string]string{
				"metadata.name":                                      name,
				"metadata.namespace":                                 tt.env.Name + "-claims",
				"spec.minReplicas":                                   "2",
				"spec.maxReplicas":                                   "8",
				"spec.scaleTargetRef.kind":                           "Deployment",
				"spec.scaleTargetRef.name":                           name,
				"spec.metrics[0].resource.name":                      "cpu",
				"spec.metrics[0].resource.target.averageUtilization": "60",
			} {
				if got, _ := lookupString(hpa, path); got != want {
					t.Errorf("autoscaler %s = %q, want %q", path, got, want)
				}
			}
			if labels := labelsOf(hpa, "metadata.labels"); labels["conveyor.io/component"] != "intake" || labels["conveyor.io/module"] != "claims" {
				t.Errorf("autoscaler labels = %v", labels)
			}
			if chain := parentChain(rec, hpa); len(chain) == 0 || chain[0] != "conveyor:platform:Component::"+name {
				t.Errorf("autoscaler parents = %v", chain)
			}
		})
	}
}
