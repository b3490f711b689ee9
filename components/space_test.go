package components_test

import (
	"testing"

	"github.com/conveyor-paas/conveyor/components"
	"github.com/conveyor-paas/conveyor/evaluation/evaluationtest"
	"github.com/conveyor-paas/conveyor/naming"
)

func TestSpace(t *testing.T) {
	tests := []struct {
		name          string
		env           components.Environment
		wantQuotaCPU  string
		wantQuotaMem  string
		wantQuotaPods string
		wantRole      string
	}{
		{"long-lived environment keeps the space's quota", components.Environment{Name: "dev"}, "6", "12Gi", "40", "conveyor-team-edit"},
		{"ad-hoc environment gets half", components.Environment{Name: "pr-123", AdHoc: true}, "3", "6Gi", "20", "conveyor-team-edit"},
		{"staging is view-only", components.Environment{Name: "staging"}, "6", "12Gi", "40", "conveyor-team-view"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := deploy(t, tt.env, false)
			ns := tt.env.Name + "-sales"
			namespace := must(t, rec, "kubernetes:core/v1:Namespace", ns)
			labels := labelsOf(namespace, "metadata.labels")
			for key, want := range map[string]string{
				"pod-security.kubernetes.io/enforce": "restricted",
				"pod-security.kubernetes.io/audit":   "restricted",
				"pod-security.kubernetes.io/warn":    "restricted",
				"conveyor.io/environment":            tt.env.Name,
				"conveyor.io/space":                  "sales",
				"app.kubernetes.io/managed-by":       "conveyor",
			} {
				if labels[key] != want {
					t.Errorf("namespace label %s = %q, want %q", key, labels[key], want)
				}
			}
			// The space file's budget, where the policy pack finds it (CONV-COST-001); claims
			// sets none.
			if got := labelsOf(namespace, "metadata.annotations")[naming.AnnotationBudget]; got != "300 USD" {
				t.Errorf("namespace annotation %s = %q, want the space's budget \"300 USD\"", naming.AnnotationBudget, got)
			}
			claims := must(t, rec, "kubernetes:core/v1:Namespace", tt.env.Name+"-claims")
			if got, ok := labelsOf(claims, "metadata.annotations")[naming.AnnotationBudget]; ok {
				t.Errorf("claims, without a budget, has annotation %s = %q", naming.AnnotationBudget, got)
			}
			if chain := parentChain(rec, namespace); len(chain) != 1 || chain[0] != "conveyor:platform:Space::sales" {
				t.Errorf("namespace parents = %v", chain)
			}
			quota := must(t, rec, "kubernetes:core/v1:ResourceQuota", ns+"/quota")
			hard := labelsOf(quota, "spec.hard")
			if hard["limits.cpu"] != tt.wantQuotaCPU || hard["requests.memory"] != tt.wantQuotaMem || hard["pods"] != tt.wantQuotaPods {
				t.Errorf("quota = %v, want cpu %s memory %s pods %s", hard, tt.wantQuotaCPU, tt.wantQuotaMem, tt.wantQuotaPods)
			}
			if str(quota, "metadata.namespace") != ns || !dependsOn(quota, namespace) {
				t.Errorf("quota is not in, or not after, namespace %s", ns)
			}
			limits := must(t, rec, "kubernetes:core/v1:LimitRange", ns+"/limits")
			if got := str(limits, "spec.limits[0].default.cpu"); got != "500m" {
				t.Errorf("limit range default cpu = %q", got)
			}
			deny := must(t, rec, "kubernetes:networking.k8s.io/v1:NetworkPolicy", ns+"/default-deny")
			if str(deny, "metadata.name") != "default-deny" || str(deny, "spec.policyTypes[0]") != "Ingress" {
				t.Errorf("default-deny policy = %v", deny.Inputs)
			}
			if _, hasRules := deny.Inputs["spec"].ObjectValue()["ingress"]; hasRules {
				t.Errorf("default-deny policy has ingress rules")
			}
			from := must(t, rec, "kubernetes:networking.k8s.io/v1:NetworkPolicy", ns+"/allow-from-spaces")
			peer := labelsOf(from, "spec.ingress[0].from[0].namespaceSelector.matchLabels")
			if peer["conveyor.io/space"] != "claims" || peer["conveyor.io/environment"] != tt.env.Name {
				t.Errorf("allow-from-spaces admits %v, want claims of %s only", peer, tt.env.Name)
			}
			if evaluationtest.Find(rec, "kubernetes:networking.k8s.io/v1:NetworkPolicy", tt.env.Name+"-claims/allow-from-spaces") != nil {
				t.Errorf("claims declares no allowFrom but got an allow-from-spaces policy")
			}
			binding := must(t, rec, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", ns+"/sales-team")
			if str(binding, "subjects[0].kind") != "Group" || str(binding, "subjects[0].name") != "sales@example.com" ||
				str(binding, "roleRef.kind") != "Role" || str(binding, "roleRef.name") != tt.wantRole {
				t.Errorf("team binding = %v", binding.Inputs)
			}
			role := must(t, rec, "kubernetes:rbac.authorization.k8s.io/v1:Role", ns+"/"+tt.wantRole)
			if !dependsOn(binding, role) || str(role, "metadata.namespace") != ns {
				t.Errorf("the binding does not wait for role %s in %s", tt.wantRole, ns)
			}
		})
	}
}

// Production protects its namespaces: stacks.TestProductionProtectsItsNamespaces checks it
// through the stack wiring that decides what production is.
