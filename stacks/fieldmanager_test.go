package stacks_test

import (
	"strings"
	"testing"

	"github.com/conveyor-paas/conveyor/naming"
)

// TestEveryObjectHasOneFieldManager requires every Kubernetes object of every stack to be
// applied under Conveyor's one field manager. Without it the kubernetes provider picks a
// random manager per create, and an update killed after a create reached the cluster but
// before the state recorded it leaves an object that the next update's create, under another
// random manager, conflicts with (realengine's TestKilledUpdateConverges).
func TestEveryObjectHasOneFieldManager(t *testing.T) {
	for _, stack := range everyStack(t) {
		t.Run(stack, func(t *testing.T) {
			objects := 0
			for _, r := range evaluate(t, stack, nil).Resources {
				// Helm releases are not applied by the provider's server-side apply.
				if !r.Custom || !strings.HasPrefix(r.Type, "kubernetes:") || strings.HasPrefix(r.Type, "kubernetes:helm.sh/") {
					continue
				}
				objects++
				manager := "(none)"
				if v, ok := r.Inputs["metadata"]; ok && v.IsObject() {
					if a, ok := v.ObjectValue()["annotations"]; ok && a.IsObject() {
						if m, ok := a.ObjectValue()["pulumi.com/patchFieldManager"]; ok && m.IsString() {
							manager = m.StringValue()
						}
					}
				}
				if manager != naming.Project {
					t.Errorf("%s %s is applied under field manager %s, want %s", r.Type, r.Name, manager, naming.Project)
				}
			}
			if !strings.HasPrefix(stack, "cluster-") && objects == 0 {
				t.Fatalf("stack %s has no Kubernetes object", stack)
			}
		})
	}
}
