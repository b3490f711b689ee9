package stacks_test

import (
	"testing"

	"github.com/conveyor-paas/conveyor/evaluation/evaluationtest"
)

// TestProductionProtectsItsNamespaces, through the stack wiring that decides what production
// is: every namespace of prod is protected (a destroy or a rename cannot delete it, and the
// workloads and data in it), and no other shipped or ad-hoc environment's is, so those can
// be torn down.
func TestProductionProtectsItsNamespaces(t *testing.T) {
	for _, tt := range []struct {
		stack       string
		wantProtect bool
	}{{"prod", true}, {"staging", false}, {"dev", false}, {"local", false}, {"pr-123", false}} {
		t.Run(tt.stack, func(t *testing.T) {
			rec := evaluate(t, tt.stack, nil)
			namespaces := evaluationtest.OfType(rec, "kubernetes:core/v1:Namespace")
			if len(namespaces) < 2 {
				t.Fatalf("%d namespaces", len(namespaces))
			}
			for _, ns := range namespaces {
				if ns.Name == tt.stack+"-conveyor" {
					continue // a local environment's own services, which hold nothing to keep
				}
				if ns.Protect != tt.wantProtect {
					t.Errorf("namespace %s protected = %v, want %v", ns.Name, ns.Protect, tt.wantProtect)
				}
			}
		})
	}
}
