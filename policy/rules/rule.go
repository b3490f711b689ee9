package rules

import (
	"slices"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/conveyor-paas/conveyor/naming"
)

// Severity says how much harm a violation of a rule can do.
type Severity string

// Severities, from the least to the most harmful.
const (
	SeverityLow      Severity = "low"
	SeverityMedium   Severity = "medium"
	SeverityHigh     Severity = "high"
	SeverityCritical Severity = "critical"
)

// rank orders severities for sorting, the most harmful first.
func (s Severity) rank() int {
	switch s {
	case SeverityCritical:
		return 0
	case SeverityHigh:
		return 1
	case SeverityMedium:
		return 2
	}
	return 3
}

// Level is how a rule is enforced.
type Level string

// Levels, named as Pulumi names enforcement levels so one config file serves the pack and
// the evaluator.
const (
	Advisory  Level = "advisory"
	Mandatory Level = "mandatory"
	Disabled  Level = "disabled"
)

// Outcome is what a rule found in a resource: a violation, an exemption or no decision yet.
type Outcome string

// Outcomes of a rule on a resource.
const (
	// Violation: the resource breaks the rule.
	Violation Outcome = "violation"
	// Exempted: the resource carries an exemption from the rule, with its reason.
	Exempted Outcome = "exempted"
	// Undecided: the rule needs a value that is not known until the update runs.
	Undecided Outcome = "undecided"
)

// Resource is one resource as a policy sees it.
type Resource struct {
	// URN identifies the resource in results.
	URN string
	// Type is the Pulumi type token, e.g. "kubernetes:apps/v1:Deployment".
	Type string
	// Name is the logical name the program gave the resource (not its physical name).
	Name string
	// Inputs are the resource's properties as the provider receives them, with secrets and
	// unknown (computed) values kept as such.
	Inputs resource.PropertyMap
	// Environment is the stack the resource belongs to: "dev", "staging", "prod", an ad-hoc
	// environment such as "pr-123", or a cluster stack "cluster-<name>".
	Environment string

	// memo, when an evaluation set it, keeps what several rules read from the resource.
	memo *memo
}

// memo keeps what several rules read from one resource (its scope and its exemptions), so
// that an evaluation reads it once rather than once per rule. Evaluate gives each resource
// its own; a resource without one (a rule called directly) is read every time.
type memo struct {
	scopeRead    bool
	scope        naming.Scope
	labels       map[string]string
	scopePending *value

	exemptionsRead    bool
	exemptions        []exemption
	exemptionsPending *value
}

// Stack is every resource of one stack, for the rules that must see them together.
type Stack struct {
	Environment string
	Resources   []Resource
}

// Finding is what a rule's check reports: a violation, or that it cannot decide.
type Finding struct {
	// URN is the resource the finding is about; a resource rule may leave it empty to mean
	// the resource it checked.
	URN string
	// Undecided is true when the rule could not decide because a value is unknown.
	Undecided bool
	// Message says exactly what is wrong, never with a secret's value.
	Message string
}

// Rule is one of Conveyor's rules.
type Rule struct {
	// ID is the stable identifier, e.g. "CONV-K8S-003".
	ID       string
	Severity Severity
	// Description is one line: what the rule requires.
	Description string
	// Remediation tells the engineer exactly what to change.
	Remediation string
	// Types lists the type tokens the rule applies to.
	Types []string
	// MatchType, when set, also applies the rule to a family of types that no list can name
	// (every IAM member and binding of every GCP service).
	MatchType func(typ string) bool
	// Check inspects one resource. Exactly one of Check and CheckStack is set.
	Check func(Resource) []Finding
	// CheckStack inspects the whole stack, for rules that relate resources to each other.
	CheckStack func(Stack) []Finding
	// Level, when set, is the rule's level in every stack unless the config sets one: for a
	// rule the platform team opts into where it wants it enforced (CONV-COST-001). Unset, the
	// stack's DefaultLevel applies.
	Level Level
}

// DefaultLevelIn is the rule's level in a stack when the config says nothing about it.
func (r Rule) DefaultLevelIn(stack string) Level {
	if r.Level != "" {
		return r.Level
	}
	return DefaultLevel(stack)
}

// AppliesTo reports whether the rule inspects resources of the type.
func (r Rule) AppliesTo(typ string) bool {
	return slices.Contains(r.Types, typ) || (r.MatchType != nil && r.MatchType(typ))
}

// IsStackRule reports whether the rule needs the whole stack.
func (r Rule) IsStackRule() bool { return r.CheckStack != nil }
