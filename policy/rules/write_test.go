package rules

import (
	"encoding/json"
	"strings"
	"testing"
)

func sampleReport() Report {
	dep := urnOf(testEnv, "conveyor:index:Component$"+TypeDeployment, "quotes-api")
	sub := urnOf(testEnv, TypeSubscription, "claims-quote-created")
	return Report{Environment: testEnv, Results: []Result{
		{RuleID: "CONV-K8S-008", Severity: SeverityCritical, Level: Mandatory, Kind: Violation, URN: dep,
			Message: `container "api": securityContext.privileged is true`, Remediation: "Remove securityContext.privileged."},
		{RuleID: "CONV-PUBSUB-002", Severity: SeverityLow, Level: Advisory, Kind: Exempted, URN: sub,
			Message: "exempted: idempotent-handler", Remediation: "Set retryPolicy.minimumBackoff."},
		{RuleID: "CONV-K8S-008", Severity: SeverityCritical, Level: Advisory, Kind: Undecided, URN: dep,
			Message: "cannot decide: x is not known until the update runs", Remediation: "Remove securityContext.privileged."},
	}}
}

func TestWriteText(t *testing.T) {
	var b strings.Builder
	if err := sampleReport().WriteText(&b); err != nil {
		t.Fatal(err)
	}
	want := `Conveyor policy, environment dev: 1 mandatory violation, 0 advisory violations, 1 exempted, 1 undecided

MANDATORY CONV-K8S-008 (critical) violation
  urn:pulumi:dev::conveyor::conveyor:index:Component$kubernetes:apps/v1:Deployment::quotes-api
  container "api": securityContext.privileged is true
  fix: Remove securityContext.privileged.

ADVISORY  CONV-PUBSUB-002 (low) exempted
  urn:pulumi:dev::conveyor::gcp:pubsub/subscription:Subscription::claims-quote-created
  exempted: idempotent-handler

ADVISORY  CONV-K8S-008 (critical) undecided
  urn:pulumi:dev::conveyor::conveyor:index:Component$kubernetes:apps/v1:Deployment::quotes-api
  cannot decide: x is not known until the update runs
  fix: Remove securityContext.privileged.
`
	if b.String() != want {
		t.Errorf("text report:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestWriteMarkdown(t *testing.T) {
	var b strings.Builder
	if err := sampleReport().WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	k8s008, _ := Lookup("CONV-K8S-008")
	pubsub002, _ := Lookup("CONV-PUBSUB-002")
	want := "### Conveyor policy: `dev`\n\n" +
		"**The deployment is blocked.** 1 mandatory violation, 0 advisory violations, 1 exempted, 1 undecided.\n\n" +
		"| Rule | Severity | Level | Violations | Exempted | Undecided | Rule description |\n" +
		"| --- | --- | --- | ---: | ---: | ---: | --- |\n" +
		"| CONV-K8S-008 | critical | mandatory | 1 | 0 | 1 | " + k8s008.Description + " |\n" +
		"| CONV-PUBSUB-002 | low | advisory | 0 | 1 | 0 | " + pubsub002.Description + " |\n" +
		"\n#### Details\n\n" +
		"- **CONV-K8S-008** mandatory violation on `quotes-api` (`kubernetes:apps/v1:Deployment`): container \"api\": securityContext.privileged is true\n" +
		"  - Fix: Remove securityContext.privileged.\n" +
		"- **CONV-PUBSUB-002** advisory exempted on `claims-quote-created` (`gcp:pubsub/subscription:Subscription`): exempted: idempotent-handler\n" +
		"- **CONV-K8S-008** advisory undecided on `quotes-api` (`kubernetes:apps/v1:Deployment`): cannot decide: x is not known until the update runs\n" +
		"  - Fix: Remove securityContext.privileged.\n"
	if b.String() != want {
		t.Errorf("markdown report:\n%s\nwant:\n%s", b.String(), want)
	}

	b.Reset()
	if err := (Report{Environment: "pr-1"}).WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	if want := "### Conveyor policy: `pr-1`\n\nNo findings: every resource follows every rule.\n"; b.String() != want {
		t.Errorf("empty markdown report: %q", b.String())
	}
}

func TestWriteJSON(t *testing.T) {
	var b strings.Builder
	if err := sampleReport().WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Environment string
		Summary     Summary
		Results     []Result
	}
	if err := json.Unmarshal([]byte(b.String()), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Environment != testEnv || doc.Summary != (Summary{MandatoryViolations: 1, Exempted: 1, Undecided: 1}) ||
		len(doc.Results) != 3 || doc.Results[0] != sampleReport().Results[0] {
		t.Errorf("JSON report decodes to %+v", doc)
	}
	if !strings.Contains(b.String(), `"ruleId": "CONV-K8S-008"`) {
		t.Errorf("JSON report uses other keys:\n%s", b.String())
	}
}
