package components_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/conveyor-paas/conveyor/components"
	"github.com/conveyor-paas/conveyor/naming"
)

const (
	typeAdmissionPolicy  = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy"
	typeAdmissionBinding = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding"
)

// Every cluster an environment's spaces run on refuses a pod that names another module's
// Secrets: a local environment installs its own policy, scoped to its namespaces by their
// environment label; a GKE cluster one for every Conveyor namespace. The CEL itself is
// proven on the real node (realengine TestModuleSecretsOnANode) and accepted by a real API
// server (tests/apiserver).
func TestClustersWallModulesSecretsOff(t *testing.T) {
	for _, tt := range []struct {
		name, policy, scopedBy string
	}{
		{"a local environment", naming.ModuleSecretsPolicy("local"), `namespaceObject.metadata.labels[r'conveyor.io/environment'] == r'local'`},
		{"a GKE cluster", naming.ModuleSecretsPolicy(""), `namespaceObject.metadata.labels[r'app.kubernetes.io/managed-by'] == r'conveyor'`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := gkeCluster(t, false)
			if tt.policy != naming.ModuleSecretsPolicy("") {
				rec = deployCatalog(t, components.Environment{Name: "local", AdHoc: true}, true, secretsCatalog(t, false), localValues)
			}
			policy := must(t, rec, typeAdmissionPolicy, tt.policy)
			if got := str(policy, "spec.failurePolicy"); got != "Fail" {
				t.Errorf("%s fails %s, want Fail", tt.policy, got)
			}
			var validations []string
			for i := 0; ; i++ {
				expr := str(policy, "spec.validations["+strconv.Itoa(i)+"].expression")
				if expr == "" {
					break
				}
				validations = append(validations, expr)
			}
			if len(validations) != 2 {
				t.Fatalf("%s has %d validations, want the Secrets' and the label's", tt.policy, len(validations))
			}
			for _, v := range validations {
				if !strings.Contains(v, tt.scopedBy) {
					t.Errorf("%s's validation is not scoped by %s:\n%s", tt.policy, tt.scopedBy, v)
				}
			}
			for _, want := range []string{"-secrets", "-database", naming.SecretsStoreDriver, "e.valueFrom.secretKeyRef.name", "f.secretRef.name", "s.secret.name"} {
				if !strings.Contains(validations[0], want) {
					t.Errorf("%s does not look at %s", tt.policy, want)
				}
			}
			binding := must(t, rec, typeAdmissionBinding, tt.policy)
			if got := str(binding, "spec.validationActions[0]"); got != "Deny" {
				t.Errorf("%s's binding %s, want Deny", tt.policy, got)
			}
		})
	}
}
