package rules

import (
	"cmp"
	"slices"
	"strings"
)

// Result is one finding of one rule about one resource, at the level it is enforced.
type Result struct {
	RuleID   string   `json:"ruleId"`
	Severity Severity `json:"severity"`
	// Level is the rule's level for a violation; exemptions and undecided checks are always
	// advisory.
	Level       Level   `json:"level"`
	Kind        Outcome `json:"kind"`
	URN         string  `json:"urn"`
	Message     string  `json:"message"`
	Remediation string  `json:"remediation"`
}

// Report is what an evaluation of a stack found.
type Report struct {
	Environment string   `json:"environment"`
	Results     []Result `json:"results"`
}

// HasMandatoryViolations reports whether the deployment must be blocked (a CLI exits 1).
func (r Report) HasMandatoryViolations() bool {
	return slices.ContainsFunc(r.Results, func(res Result) bool {
		return res.Kind == Violation && res.Level == Mandatory
	})
}

// Evaluate runs every rule of the pack, at its level in the environment, on the resources of
// one stack: each resource rule on each resource it applies to, and each stack rule on them
// all. Resources without an Environment get env.
func Evaluate(env string, resources []Resource, cfg Config) Report {
	return evaluate(env, resources, cfg, Rules())
}

// CheckNames runs only the naming rules (CONV-NAME-*), mandatory, on resources: what the
// components' tests call to prove that what they create is named and labelled by convention.
func CheckNames(env string, resources []Resource) []Result {
	var naming []Rule
	for _, r := range Rules() {
		if strings.HasPrefix(r.ID, "CONV-NAME-") {
			naming = append(naming, r)
		}
	}
	levels := map[string]Level{AllRules: Mandatory}
	return evaluate(env, resources, Config{Levels: levels}, naming).Results
}

func evaluate(env string, resources []Resource, cfg Config, rules []Rule) Report {
	s := Stack{Environment: env, Resources: make([]Resource, len(resources))}
	memos := make([]memo, len(resources))
	for i, r := range resources {
		if r.Environment == "" {
			r.Environment = env
		}
		r.memo = &memos[i]
		s.Resources[i] = r
	}
	var results []Result
	type resourceRule struct {
		rule  *Rule
		level Level
	}
	var resourceRules []resourceRule
	for i, rule := range rules {
		level := cfg.levelOf(rule, env)
		if level == Disabled {
			continue
		}
		if rule.IsStackRule() {
			results = append(results, rule.EvaluateStack(s, level)...)
			continue
		}
		resourceRules = append(resourceRules, resourceRule{&rules[i], level})
	}
	// Resource by resource rather than rule by rule, so that all the rules read a resource's
	// inputs while they are in the processor's caches: with thousands of resources, going
	// over all of them once per rule is mostly waiting for memory. The report is the same:
	// each rule's results are still in the order of the resources, and sortResults keeps that
	// order among the results it ranks equal (which are all of one rule).
	for _, r := range s.Resources {
		for _, rr := range resourceRules {
			if rr.rule.AppliesTo(r.Type) {
				results = append(results, rr.rule.EvaluateResource(r, rr.level)...)
			}
		}
	}
	sortResults(results)
	return Report{Environment: env, Results: results}
}

// EvaluateResource runs a resource rule on one resource, honouring the resource's exemption.
func (rule Rule) EvaluateResource(r Resource, level Level) []Result {
	if rule.Check == nil || !rule.AppliesTo(r.Type) {
		return nil
	}
	findings := rule.Check(r)
	return rule.judge(r, level, findings, lazySecrets(findings, r))
}

// lazySecrets lists the secrets of the resources only when there is a message to redact.
func lazySecrets(findings []Finding, rs ...Resource) []string {
	if len(findings) == 0 {
		return nil
	}
	return secretStrings(rs...)
}

// EvaluateStack runs a stack rule, honouring the exemptions of the resources it reports on.
func (rule Rule) EvaluateStack(s Stack, level Level) []Result {
	if rule.CheckStack == nil {
		return nil
	}
	findings := rule.CheckStack(s)
	if len(findings) == 0 {
		return nil
	}
	byURN := make(map[string]Resource, len(s.Resources))
	for _, r := range s.Resources {
		byURN[r.URN] = r
	}
	var order []string
	about := map[string][]Finding{}
	// A stack rule may print values of any resource of the stack.
	secrets := lazySecrets(findings, s.Resources...)
	for _, f := range findings {
		if _, seen := about[f.URN]; !seen {
			order = append(order, f.URN)
		}
		about[f.URN] = append(about[f.URN], f)
	}
	var out []Result
	for _, urn := range order {
		r, ok := byURN[urn]
		if !ok {
			r = Resource{URN: urn}
		}
		out = append(out, rule.judge(r, level, about[urn], secrets)...)
	}
	return out
}

// judge turns a rule's findings about a resource into results. An exemption with a reason
// replaces them with one advisory "exempted" result, so that it stays visible. Messages are
// redacted of the secrets.
func (rule Rule) judge(r Resource, level Level, findings []Finding, secrets []string) []Result {
	if reason, ok := exemptedFrom(r, rule.ID); ok {
		message := "exempted: " + reason
		if len(findings) == 0 {
			message += " (the resource complies anyway: the exemption can be removed)"
		}
		return []Result{rule.result(Exempted, Advisory, r.URN, message)}
	}
	out := make([]Result, 0, len(findings))
	for _, f := range findings {
		res := rule.result(Violation, level, cmp.Or(f.URN, r.URN), redact(f.Message, secrets))
		if f.Undecided {
			res.Kind, res.Level = Undecided, Advisory
		}
		// Several checks of a rule may wait for the same unknown value: say it once.
		if !slices.Contains(out, res) {
			out = append(out, res)
		}
	}
	return out
}

func (rule Rule) result(kind Outcome, level Level, urn, message string) Result {
	return Result{RuleID: rule.ID, Severity: rule.Severity, Level: level, Kind: kind, URN: urn,
		Message: message, Remediation: rule.Remediation}
}

// sortResults puts what blocks the deployment first: mandatory violations, then advisory
// ones, then exemptions and undecided checks; within each, the most severe first.
func sortResults(results []Result) {
	rank := func(r Result) int {
		switch {
		case r.Kind == Violation && r.Level == Mandatory:
			return 0
		case r.Kind == Violation:
			return 1
		case r.Kind == Exempted:
			return 2
		}
		return 3
	}
	slices.SortStableFunc(results, func(a, b Result) int {
		return cmp.Or(
			cmp.Compare(rank(a), rank(b)),
			cmp.Compare(a.Severity.rank(), b.Severity.rank()),
			cmp.Compare(a.RuleID, b.RuleID),
			cmp.Compare(a.URN, b.URN),
		)
	})
}
