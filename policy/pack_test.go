package main

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"

	"github.com/conveyor-paas/conveyor/policy/rules"
)

// manager records what policies report, as the engine would.
type manager struct{ reports []report }

type report struct{ message, urn string }

func (m *manager) ReportViolation(message, urn string) {
	m.reports = append(m.reports, report{message, urn})
}

func policiesOf(t *testing.T, stack string) map[string]policyx.Policy {
	t.Helper()
	pack, err := newPack(stack)
	if err != nil {
		t.Fatal(err)
	}
	if pack.Name() != packName || pack.Version().String() != packVersion {
		t.Errorf("pack %s %s", pack.Name(), pack.Version())
	}
	byName := map[string]policyx.Policy{}
	for _, p := range pack.Policies() {
		if _, dup := byName[p.Name()]; dup {
			t.Errorf("two policies named %s", p.Name())
		}
		byName[p.Name()] = p
	}
	return byName
}

func TestPackHasOnePolicyPerRuleAtTheStacksLevel(t *testing.T) {
	for stack, want := range map[string]policyx.EnforcementLevel{
		"prod": policyx.EnforcementLevelMandatory, "cluster-nonprod": policyx.EnforcementLevelMandatory,
		"pr-42": policyx.EnforcementLevelAdvisory,
	} {
		policies := policiesOf(t, stack)
		if len(policies) != len(rules.Rules())+2 {
			t.Errorf("%s: %d policies for %d rules", stack, len(policies), len(rules.Rules()))
		}
		for _, rule := range rules.Rules() {
			p, ok := policies[rule.ID]
			switch {
			case !ok:
				t.Errorf("%s: no policy for %s", stack, rule.ID)
			case rule.Level == "" && p.EnforcementLevel() != want:
				t.Errorf("%s: %s is %v, want %v", stack, rule.ID, p.EnforcementLevel(), want)
			case rule.Level != "" && p.EnforcementLevel() != enforcement(rule.Level):
				// A rule with a level of its own has it in every stack (CONV-COST-001).
				t.Errorf("%s: %s is %v, want its own %v", stack, rule.ID, p.EnforcementLevel(), rule.Level)
			}
			if _, isStack := p.(policyx.StackValidationPolicy); isStack != rule.IsStackRule() {
				t.Errorf("%s: stack rule %v, stack policy %v", rule.ID, rule.IsStackRule(), isStack)
			}
		}
		for _, notes := range []string{rules.NotesPolicy, rules.StackNotesPolicy} {
			if p := policies[notes]; p == nil || p.EnforcementLevel() != policyx.EnforcementLevelAdvisory {
				t.Errorf("%s: notes policy %s missing or not advisory", stack, notes)
			}
		}
	}
}

// A deployment whose first container is privileged and whose image is not known yet.
func deploymentInputs(privileged bool, image resource.PropertyValue) resource.PropertyMap {
	return resource.NewPropertyMapFromMap(map[string]any{
		"metadata": map[string]any{"name": "quotes-api", "namespace": "prod-sales"},
		"spec": map[string]any{"template": map[string]any{"spec": map[string]any{
			"containers": []any{map[string]any{"name": "api", "image": image,
				"securityContext": map[string]any{"privileged": privileged}}},
		}}},
	})
}

const deploymentURN = "urn:pulumi:prod::conveyor::kubernetes:apps/v1:Deployment::quotes-api"

func analyze(t *testing.T, policies map[string]policyx.Policy, name string, props resource.PropertyMap) []report {
	t.Helper()
	m := &manager{}
	args := policyx.ResourceValidationArgs{Manager: m, Resource: policyx.AnalyzerResource{
		Type: rules.TypeDeployment, URN: deploymentURN, Name: "quotes-api",
		Properties: resource.FromResourcePropertyMap(props),
	}}
	if err := policies[name].(policyx.ResourceValidationPolicy).Validate(context.Background(), args); err != nil {
		t.Fatal(err)
	}
	return m.reports
}

func TestResourcePolicies(t *testing.T) {
	policies := policiesOf(t, "prod")
	fix, _ := rules.Lookup("CONV-K8S-008")
	got := analyze(t, policies, "CONV-K8S-008", deploymentInputs(true, resource.NewProperty("ghcr.io/acme/quotes:1.0.0")))
	want := []report{{`container "api": securityContext.privileged is true` + "\nFix: " + fix.Remediation, deploymentURN}}
	if len(got) != 1 || got[0] != want[0] {
		t.Errorf("CONV-K8S-008 reports %q, want %q", got, want)
	}

	// An unknown image is not a violation of the mandatory rule: it is an advisory note,
	// reported by the notes policy that runs after it.
	unknown := deploymentInputs(false, resource.MakeComputed(resource.NewProperty("")))
	if got := analyze(t, policies, "CONV-K8S-012", unknown); len(got) != 0 {
		t.Errorf("CONV-K8S-012 reports %q on an unknown image", got)
	}
	got = analyze(t, policies, rules.NotesPolicy, unknown)
	note := "CONV-K8S-012: cannot decide: spec.template.spec.containers[0].image is not known until the update runs"
	if len(got) != 1 || got[0] != (report{note, deploymentURN}) {
		t.Errorf("notes report %q, want %q", got, note)
	}
	if got := analyze(t, policies, rules.NotesPolicy, unknown); len(got) != 0 {
		t.Errorf("notes are reported once, got %q again", got)
	}
}

func TestStackPolicies(t *testing.T) {
	policies := policiesOf(t, "prod")
	const nsURN = "urn:pulumi:prod::conveyor::kubernetes:core/v1:Namespace::prod-sales"
	ns := policyx.AnalyzerResource{Type: rules.TypeNamespace, URN: nsURN, Name: "prod-sales",
		Properties: resource.FromResourcePropertyMap(resource.NewPropertyMapFromMap(map[string]any{
			"metadata": map[string]any{"name": "prod-sales"},
		}))}
	m := &manager{}
	args := policyx.StackValidationArgs{Manager: m, Resources: []policyx.AnalyzerResource{ns}}
	if err := policies["CONV-NS-003"].(policyx.StackValidationPolicy).Validate(context.Background(), args); err != nil {
		t.Fatal(err)
	}
	fix, _ := rules.Lookup("CONV-NS-003")
	want := report{`namespace "prod-sales" has no ResourceQuota` + "\nFix: " + fix.Remediation, nsURN}
	if len(m.reports) != 1 || m.reports[0] != want {
		t.Errorf("CONV-NS-003 reports %q, want %q", m.reports, want)
	}
}

// PulumiPolicy.yaml and the pack agree on the version the engine shows.
func TestPolicyProjectFile(t *testing.T) {
	data, err := os.ReadFile("PulumiPolicy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"runtime: go", "version: " + packVersion} {
		if !strings.Contains(string(data), "\n"+line+"\n") {
			t.Errorf("PulumiPolicy.yaml lacks %q", line)
		}
	}
}

// The README's rule table lists every rule with its severity.
func TestReadmeListsEveryRule(t *testing.T) {
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rules.Rules() {
		if row := "| " + r.ID + " | " + string(r.Severity) + " |"; !strings.Contains(string(data), row) {
			t.Errorf("README.md lacks the row %q", row)
		}
	}
}
