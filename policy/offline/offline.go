// Package offline is the offline policy check of a pull request: it evaluates the program for
// a stack under mocks (no cloud, no credentials, no provider plugin) and runs every rule of
// the pack over the resources the stack would create.
package offline

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/evaluation"
	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/policy/rules"
	"github.com/conveyor-paas/conveyor/stacks"
	"github.com/conveyor-paas/conveyor/stacks/deployed"
)

// Options choose the stack to check.
type Options struct {
	// Root is the project's folder.
	Root  string
	Stack string
	// Catalog, when set, replaces the stack's configured catalog.
	Catalog string
	// Config sets the rules' levels (the pack's --policy-pack-config).
	Config rules.Config
	// Program replaces stacks.Program (tests break it on purpose).
	Program pulumi.RunFunc
	// StackConfig and SecretKeys, when StackConfig is not nil, are the configuration the
	// engine will hand the program, instead of the stack's file (see stacks.EvaluateOptions).
	StackConfig map[string]string
	SecretKeys  []string
	// Deployed are the images of the stack's last checkpoint (see stacks.EvaluateOptions).
	Deployed deployed.Images
	// Shipped, when not nil, restricts the stack files read (see stacks.EvaluateOptions).
	Shipped []string
}

// Run evaluates the stack and checks what it would create.
func Run(opts Options) (rules.Report, error) {
	report, _, err := Check(opts)
	return report, err
}

// Check evaluates the stack and checks what it would create, and returns the evaluation too
// (the gate digests it: evaluation.Fingerprints).
func Check(opts Options) (rules.Report, *evaluation.Recording, error) {
	overrides := map[string]string{}
	if opts.Catalog != "" {
		overrides[naming.ConfigCatalog] = opts.Catalog
	}
	rec, err := stacks.Evaluate(stacks.EvaluateOptions{Root: opts.Root, Stack: opts.Stack, Config: overrides, Program: opts.Program,
		StackConfig: opts.StackConfig, SecretKeys: opts.SecretKeys, Deployed: opts.Deployed, Shipped: opts.Shipped})
	if err != nil {
		return rules.Report{}, nil, fmt.Errorf("policy check of %s: %w", opts.Stack, err)
	}
	return rules.Evaluate(opts.Stack, Resources(rec), opts.Config), rec, nil
}

// Resources hands what a program registered to the rules.
func Resources(rec *evaluation.Recording) []rules.Resource {
	out := make([]rules.Resource, 0, len(rec.Resources))
	for _, r := range rec.Resources {
		out = append(out, rules.Resource{URN: r.URN, Type: r.Type, Name: r.Name, Inputs: r.Inputs})
	}
	return out
}
