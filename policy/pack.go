package main

import (
	"context"
	"fmt"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"

	"github.com/conveyor-paas/conveyor/policy/rules"
)

// The pack's name and version; PulumiPolicy.yaml states the same version.
const (
	packName    = "conveyor"
	packVersion = "0.1.0"
)

// newPack builds the pack for a stack: one policy per rule, at the rule's default level in
// that stack (a --policy-pack-config file overrides it per rule, or for "all"), and the two
// advisory policies that report the rules' notes.
func newPack(stack string) (policyx.PolicyPack, error) {
	notes := newNotebook()
	level := enforcement(rules.DefaultLevel(stack))
	var policies []policyx.Policy
	for _, rule := range rules.Rules() {
		description := fmt.Sprintf("[%s] %s", rule.Severity, rule.Description)
		if rule.IsStackRule() {
			policies = append(policies, policyx.NewStackValidationPolicy(rule.ID, policyx.StackValidationPolicyArgs{
				Description:      description,
				EnforcementLevel: enforcement(rule.DefaultLevelIn(stack)),
				ValidateStack:    validateStack(rule, stack, notes),
			}))
			continue
		}
		policies = append(policies, policyx.NewResourceValidationPolicy(rule.ID, policyx.ResourceValidationPolicyArgs{
			Description:      description,
			EnforcementLevel: enforcement(rule.DefaultLevelIn(stack)),
			ValidateResource: validateResource(rule, stack, notes),
		}))
	}
	// The notes policies come last: the engine runs a pack's policies in order, so they
	// report what the rules before them noted about the same resource (or stack).
	policies = append(policies,
		policyx.NewResourceValidationPolicy(rules.NotesPolicy, policyx.ResourceValidationPolicyArgs{
			Description:      notesDescription,
			EnforcementLevel: policyx.EnforcementLevelAdvisory,
			ValidateResource: func(_ context.Context, args policyx.ResourceValidationArgs) error {
				notes.report(args.Resource.URN, args.Manager)
				return nil
			},
		}),
		policyx.NewStackValidationPolicy(rules.StackNotesPolicy, policyx.StackValidationPolicyArgs{
			Description:      notesDescription,
			EnforcementLevel: policyx.EnforcementLevelAdvisory,
			ValidateStack: func(_ context.Context, args policyx.StackValidationArgs) error {
				notes.report(stackNotes, args.Manager)
				return nil
			},
		}),
	)
	pack, err := policyx.NewPolicyPack(packName, semver.MustParse(packVersion), level, policies)
	if err != nil {
		return nil, fmt.Errorf("building the %s policy pack for stack %q: %w", packName, stack, err)
	}
	return pack, nil
}

const notesDescription = "Notes of Conveyor's rules, always advisory: exemptions in force, and checks that cannot " +
	"decide until the update runs."

// enforcement maps a rules level to Pulumi's.
func enforcement(l rules.Level) policyx.EnforcementLevel {
	switch l {
	case rules.Mandatory:
		return policyx.EnforcementLevelMandatory
	case rules.Disabled:
		return policyx.EnforcementLevelDisabled
	}
	return policyx.EnforcementLevelAdvisory
}

// toResource is the rules' view of a resource the engine sent.
func toResource(r policyx.AnalyzerResource, stack string) rules.Resource {
	return rules.Resource{URN: r.URN, Type: r.Type, Name: r.Name,
		Inputs: resource.ToResourcePropertyMap(r.Properties), Environment: stack}
}

// validateResource runs a resource rule. The engine only calls it when the rule is not
// disabled, and stamps the level it resolved on each violation; the rule's notes go to the
// notebook, to be reported as advisory by the notes policy.
func validateResource(rule rules.Rule, stack string, notes *notebook) func(context.Context, policyx.ResourceValidationArgs) error {
	return func(_ context.Context, args policyx.ResourceValidationArgs) error {
		if !rule.AppliesTo(args.Resource.Type) {
			return nil
		}
		r := toResource(args.Resource, stack)
		for _, res := range rule.EvaluateResource(r, rules.Mandatory) {
			if res.Kind == rules.Violation {
				args.Manager.ReportViolation(violationMessage(res), res.URN)
				continue
			}
			notes.add(r.URN, res)
		}
		return nil
	}
}

// validateStack runs a stack rule on every resource of the stack (their outputs, as the
// engine sends them at the end of an update or preview).
func validateStack(rule rules.Rule, stack string, notes *notebook) func(context.Context, policyx.StackValidationArgs) error {
	return func(_ context.Context, args policyx.StackValidationArgs) error {
		s := rules.Stack{Environment: stack, Resources: make([]rules.Resource, len(args.Resources))}
		for i, r := range args.Resources {
			s.Resources[i] = toResource(r, stack)
		}
		for _, res := range rule.EvaluateStack(s, rules.Mandatory) {
			if res.Kind == rules.Violation {
				args.Manager.ReportViolation(violationMessage(res), res.URN)
				continue
			}
			notes.add(stackNotes, res)
		}
		return nil
	}
}

// violationMessage follows the rule's description in the engine's output.
func violationMessage(res rules.Result) string {
	return res.Message + "\nFix: " + res.Remediation
}

// noteMessage names the rule, since the note is reported under the notes policy.
func noteMessage(res rules.Result) string {
	return res.RuleID + ": " + res.Message
}
