package stacks_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/conveyor-paas/conveyor/evaluation"
	"github.com/conveyor-paas/conveyor/evaluation/evaluationtest"
	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/stacks"
)

// TestAsleepStackSetting: conveyor:asleep reaches the components through the stack's
// configuration, on every kind of non-production environment; production refuses it, naming
// the stack file and the key, whatever makes the stack production.
func TestAsleepStackSetting(t *testing.T) {
	asleep := map[string]string{naming.ConfigAsleep: "true"}
	for _, stack := range []string{"dev", "staging", "local", "pr-9"} {
		t.Run(stack, func(t *testing.T) {
			rec := evaluate(t, stack, asleep)
			if hpas := evaluationtest.OfType(rec, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"); len(hpas) != 0 {
				t.Errorf("%d autoscalers asleep", len(hpas))
			}
			for typ, path := range map[string]string{"kubernetes:apps/v1:Deployment": "spec.replicas", "kubernetes:batch/v1:CronJob": "spec.suspend"} {
				want := map[string]string{"spec.replicas": "0", "spec.suspend": "true"}[path]
				n := 0
				for _, r := range evaluationtest.OfType(rec, typ) {
					if !ofModule(r) {
						continue
					}
					n++
					if got := valueAt(r, path); got != want {
						t.Errorf("%s %s: %s = %q, want %s", typ, r.Name, path, got, want)
					}
				}
				if n == 0 {
					t.Errorf("no module's %s: the test proves nothing", typ)
				}
			}
		})
	}
	t.Run("false is awake", func(t *testing.T) {
		rec := evaluate(t, "dev", map[string]string{naming.ConfigAsleep: "false"})
		if hpas := evaluationtest.OfType(rec, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"); len(hpas) == 0 {
			t.Error("dev with conveyor:asleep false has no autoscaler")
		}
	})
	for _, tt := range []struct {
		name, stack string
		config      map[string]string
	}{
		{"prod", "prod", asleep},
		{"a stack made production", "pr-9", map[string]string{naming.ConfigAsleep: "true", naming.ConfigProduction: "true"}},
	} {
		t.Run("refused on "+tt.name, func(t *testing.T) {
			_, err := stacks.Evaluate(stacks.EvaluateOptions{Root: root, Stack: tt.stack, Config: tt.config, Shipped: shipped(t)})
			wantError(t, err, filepath.Join("stacks", "Pulumi."+tt.stack+".yaml"), naming.ConfigAsleep, "production")
		})
	}
	t.Run("not a boolean", func(t *testing.T) {
		_, err := stacks.Evaluate(stacks.EvaluateOptions{Root: root, Stack: "dev", Config: map[string]string{naming.ConfigAsleep: "yes"}, Shipped: shipped(t)})
		wantError(t, err, naming.ConfigAsleep, `"yes"`)
	})
}

// ofModule: r belongs to a module of the catalog, not to the platform.
func ofModule(r evaluation.Resource) bool {
	labels, ok := evaluationtest.Lookup(r.Inputs, "metadata.labels")
	if !ok || !labels.IsObject() {
		return false
	}
	l := labels.ObjectValue()
	module, space := l[resource.PropertyKey(naming.LabelModule)], l[resource.PropertyKey(naming.LabelSpace)]
	return module.IsString() && module.StringValue() != "" && (!space.IsString() || space.StringValue() != naming.ReservedSpace)
}

// valueAt is the value at path as text ("0", "true"), "" when absent.
func valueAt(r evaluation.Resource, path string) string {
	v, ok := evaluationtest.Lookup(r.Inputs, path)
	if !ok || v.IsNull() {
		return ""
	}
	return fmt.Sprint(v.V)
}
