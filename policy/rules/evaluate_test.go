package rules

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/conveyor-paas/conveyor/naming"
)

// The compliant fixtures are the passing fixture of every rule: nothing at all is reported
// about them, not even an undecided check.
func TestCompliantStacksPassEveryRule(t *testing.T) {
	for _, c := range []struct {
		env       string
		resources []Resource
	}{
		{testEnv, environmentStack()},
		{clusterStack, clusterStackResources()},
	} {
		report := Evaluate(c.env, c.resources, Config{})
		for _, r := range report.Results {
			t.Errorf("%s: %s %s on %s: %s", c.env, r.RuleID, r.Kind, r.URN, r.Message)
		}
	}
}

// Every rule has a passing fixture that it actually inspects, and a failing one.
func TestEveryRuleHasPassingAndFailingFixtures(t *testing.T) {
	compliant := append(environmentStack(), clusterStackResources()...)
	failing, passing := map[string]bool{}, map[string]bool{}
	for _, c := range concat(namingCases(), workloadCases(), namespaceCases(), gcpCases(), exemptionCases(),
		boundaryCases(), adHocWallCases(), databaseCases(), databaseTierCases(), sqlProxyCases(), networkCases(), meshCases(), imageCases(), platformImageCases(), secretCases(), costCases()) {
		passing[c.rule] = passing[c.rule] || len(c.want) == 0
		for _, o := range c.want {
			failing[c.rule] = failing[c.rule] || o.Kind == Violation
		}
	}
	for _, r := range Rules() {
		// The compliant stacks pass every rule; a rule that bans a type (bare Pods, keys)
		// inspects none of them and needs a passing case of its own.
		inspected := r.IsStackRule() || passing[r.ID]
		for _, res := range compliant {
			inspected = inspected || r.AppliesTo(res.Type)
		}
		if !inspected {
			t.Errorf("%s: no passing fixture", r.ID)
		}
		if !failing[r.ID] {
			t.Errorf("%s: no failing fixture", r.ID)
		}
		if r.Description == "" || r.Remediation == "" || r.Severity.rank() > 3 || (r.Check == nil) == (r.CheckStack == nil) {
			t.Errorf("%s: incomplete rule", r.ID)
		}
	}
}

func concat(lists ...[]ruleCase) []ruleCase {
	var out []ruleCase
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

func TestDefaultLevel(t *testing.T) {
	for stack, want := range map[string]Level{
		"dev": Mandatory, "staging": Mandatory, "prod": Mandatory, "cluster-prod": Mandatory, "cluster-nonprod": Mandatory,
		"pr-123": Advisory, "local": Advisory, "alice-experiment": Advisory,
	} {
		if got := DefaultLevel(stack); got != want {
			t.Errorf("DefaultLevel(%q) = %s, want %s", stack, got, want)
		}
	}
}

// Enforcement depends on the environment and on the config; exemptions and undecided checks
// are advisory whatever the level.
func TestEnforcementPerEnvironment(t *testing.T) {
	privileged := func(env string) Resource {
		s := apiScope()
		s.Environment = env
		return deployment(s, set("spec.template.spec.containers.0.securityContext.privileged", true))
	}
	const message = `container "api": securityContext.privileged is true`
	cases := []ruleCase{
		{rule: "CONV-K8S-008", name: "ad-hoc environment is advisory", env: "pr-123",
			resources: stack(privileged("pr-123")), want: []outcome{advisory(privileged("pr-123").URN, message)}},
		{rule: "CONV-K8S-008", name: "prod is mandatory", env: "prod",
			resources: stack(privileged("prod")), want: []outcome{mandatory(privileged("prod").URN, message)}},
		{rule: "CONV-K8S-008", name: "config makes a rule advisory in prod", env: "prod",
			cfg:       Config{Levels: map[string]Level{"CONV-K8S-008": Advisory}},
			resources: stack(privileged("prod")), want: []outcome{advisory(privileged("prod").URN, message)}},
		{rule: "CONV-K8S-008", name: "config makes every rule mandatory in an ad-hoc environment", env: "pr-123",
			cfg:       Config{Levels: map[string]Level{AllRules: Mandatory}},
			resources: stack(privileged("pr-123")), want: []outcome{mandatory(privileged("pr-123").URN, message)}},
		{rule: "CONV-K8S-008", name: "a rule's own level wins over all", env: "prod",
			cfg:       Config{Levels: map[string]Level{AllRules: Mandatory, "CONV-K8S-008": Advisory}},
			resources: stack(privileged("prod")), want: []outcome{advisory(privileged("prod").URN, message)}},
		{rule: "CONV-K8S-008", name: "disabled rule reports nothing", env: "prod",
			cfg:       Config{Levels: map[string]Level{"CONV-K8S-008": Disabled}},
			resources: stack(privileged("prod"))},
		{rule: "CONV-K8S-012", name: "undecided is advisory in prod", env: "prod",
			resources: stack(deployment(naming.Scope{Environment: "prod", Space: "sales", Module: "quotes", Component: "api"},
				set("spec.template.spec.containers.0.image", computed))),
			want: []outcome{cannotDecide(urnOf("prod", TypeDeployment, "quotes-api"), "spec.template.spec.containers[0].image")}},
	}
	runCases(t, cases)
}

func TestHasMandatoryViolations(t *testing.T) {
	bad := set("spec.template.spec.containers.0.securityContext.privileged", true)
	unknown := set("spec.template.spec.containers.0.image", computed)
	adhoc := apiScope()
	adhoc.Environment = "pr-123"
	for _, c := range []struct {
		name string
		env  string
		r    Resource
		want bool
	}{
		{"mandatory violation", testEnv, deployment(apiScope(), bad), true},
		{"advisory violation", "pr-123", deployment(adhoc, bad), false},
		{"undecided only", testEnv, deployment(apiScope(), withProxy(podSpecPath), unknown), false},
	} {
		report := Evaluate(c.env, append(environmentStack()[:3], c.r, service(apiScope()), disruptionBudget(apiScope())), Config{})
		if got := report.HasMandatoryViolations(); got != c.want {
			t.Errorf("%s: HasMandatoryViolations = %v, want %v (%v)", c.name, got, c.want, report.Results)
		}
	}
}

func TestEvaluateFillsInTheEnvironment(t *testing.T) {
	r := sqlDatabase(moduleScope())
	r.Environment = ""
	if got := CheckNames(testEnv, []Resource{r}); len(got) != 0 {
		t.Errorf("a dev database in dev: %v", got)
	}
	if got := CheckNames("staging", []Resource{r}); len(got) != 1 || got[0].RuleID != "CONV-NAME-001" || got[0].Level != Mandatory {
		t.Errorf("a dev database in staging: %v", got)
	}
}

func TestParseConfig(t *testing.T) {
	cfg, err := ParseConfig([]byte(`{"all": "mandatory", "CONV-K8S-009": "advisory",
		"CONV-GKE-004": {"enforcementLevel": "disabled"}, "conveyor-notes": "advisory", "environments": ["acme/policy"]}`))
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]Level{"CONV-K8S-009": Advisory, "CONV-GKE-004": Disabled, "CONV-K8S-001": Mandatory} {
		if got := cfg.LevelOf(id, "pr-1"); got != want {
			t.Errorf("LevelOf(%s) = %s, want %s", id, got, want)
		}
	}
	for input, want := range map[string]string{
		`{"CONV-K8S-999": "advisory"}`:  `policy config: "CONV-K8S-999" is not a rule of the pack`,
		`{"CONV-K8S-001": "remediate"}`: `policy config for CONV-K8S-001: "remediate" is not a level (want advisory, mandatory, disabled)`,
		`[]`:                            "reading the policy config: json: cannot unmarshal array into Go value of type map[string]json.RawMessage",
	} {
		if _, err := ParseConfig([]byte(input)); err == nil || err.Error() != want {
			t.Errorf("ParseConfig(%s) = %v, want %q", input, err, want)
		}
	}
}

// No message ever prints a secret: every value below is a secret that breaks a rule.
func TestSecretsAreNeverPrinted(t *testing.T) {
	const marker = "s3cr3t"
	s := func(v string) resource.PropertyValue { return secret(v + marker) }
	resources := stack(
		deployment(apiScope(), set("metadata.name", s("quotes-")), set("metadata.namespace", s("staging-")),
			set("metadata.labels.[app.kubernetes.io/name]", s("x")),
			set("spec.template.spec.containers.0.image", s("ghcr.io/acme/")),
			set("spec.template.spec.containers.0.securityContext.capabilities.add", []any{s("SYS_")}),
			set("spec.template.spec.serviceAccountName", s("claims"))),
		topic(topicScope(), set("name", s("t")), set("labels.conveyor-environment", s("staging"))),
		subscription(consumerScope(), set("topic", s("staging.sales."))),
		sqlDatabase(moduleScope(), set("name", s("staging_"))), sqlDatabase(moduleScope(), set("name", s("dev_X"))),
		gcpServiceAccount(moduleScope(), set("accountId", s("sa-")), set("displayName", s("Conveyor "))),
		iamMember("gcp:projects/iAMMember:IAMMember", set("role", s("roles/")), set("member", "allUsers")),
		build(testEnv, "gcp:projects/iAMPolicy:IAMPolicy", "policy", fixture{"policyData": s("{not json")}, nil),
	)
	report := Evaluate(testEnv, resources, Config{})
	if len(report.Results) < 10 {
		t.Fatalf("expected the secrets to break rules, got %d results", len(report.Results))
	}
	for _, r := range report.Results {
		if strings.Contains(r.Message, marker) {
			t.Errorf("%s prints a secret: %s", r.RuleID, r.Message)
		}
	}
}

// The engine hands policies unknown values as computed values, or as outputs that are not
// known; both make a rule undecided. A known secret output is read, and never shown.
func TestValues(t *testing.T) {
	out := func(known, secret bool) resource.PropertyValue {
		return resource.NewProperty(resource.Output{Element: resource.NewProperty("ghcr.io/acme/quotes"), Known: known, Secret: secret})
	}
	root := value{v: resource.NewProperty(resource.PropertyMap{
		"unknown": out(false, false), "secret": out(true, true), "computed": computed,
		"nested": resource.MakeSecret(resource.NewProperty(resource.PropertyMap{"a": resource.NewProperty(true)})),
	}), state: present}
	if v := root.key("unknown"); !v.unknown() || v.path != "unknown" {
		t.Errorf("unknown output: %+v", v)
	}
	if v := root.at("computed.deeper.still"); !v.unknown() || v.path != "computed" {
		t.Errorf("computed: %+v", v)
	}
	if v := root.key("secret"); v.str() != "ghcr.io/acme/quotes" || v.show() != "[secret]" {
		t.Errorf("secret output: %q shown as %s", v.str(), v.show())
	}
	if v := root.at("nested.a"); !v.isTrue() || !v.secret {
		t.Errorf("a value inside a secret is secret: %+v", v)
	}
	if v := root.at("absent.deeper"); v.set() || v.unknown() || v.path != "absent.deeper" {
		t.Errorf("absent: %+v", v)
	}
}

func TestImageTag(t *testing.T) {
	digest := "sha256:" + strings.Repeat("ab", 32)
	for _, tt := range []struct{ ref, want, wantErr string }{
		{ref: "ghcr.io/acme/quotes:1.4.2", want: "1.4.2"},
		{ref: "quotes", want: ""},
		{ref: "localhost:5000/quotes", want: ""},
		{ref: "localhost:5000/quotes:latest", want: "latest"},
		{ref: "quotes@" + digest, want: "@" + digest},
		{ref: "ghcr.io/acme/quotes:1.4.2@" + digest, want: "@" + digest},
		{ref: "quotes@sha256:abc", wantErr: "invalid"},
		{ref: "Quotes:1.0", wantErr: "must be lowercase"},
	} {
		got, err := imageTag(tt.ref)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("imageTag(%q) error = %v, want one containing %q", tt.ref, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("imageTag(%q) = %q, %v, want %q", tt.ref, got, err, tt.want)
		}
	}
}
