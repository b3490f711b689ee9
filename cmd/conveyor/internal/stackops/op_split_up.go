package stackops

import (
	"context"
	"errors"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/opsummary"
	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/stacks"
)

// upSplit completes an up of a split environment's base (env_split.go): once the base is
// updated, each module stack it lists (stacks.OutputModuleStacks: one per module of the
// catalog, made here if the module is new) is updated in turn, each under its own lock. One
// at a time in this first version; the stacks are independent, so a bounded pool (or a CI
// matrix) can run them together later. A module that fails fails the command, and the
// others are still updated. The summary is the base's, with the modules' changes added and
// every module's outcome said through o.Notify.
func (r *Runner) upSplit(ctx context.Context, base *auto.Stack, s *opsummary.Summary, o RunOptions) (*opsummary.Summary, error) {
	env := base.Name()
	tags, err := base.ListTags(ctx)
	if err != nil {
		return s, fmt.Errorf("reading the tags of %s: %w", env, err)
	}
	if tags[TagSplit] != "true" {
		return s, nil
	}
	outs, err := base.Outputs(ctx)
	if err != nil {
		return s, fmt.Errorf("reading the module stacks of %s: %w", env, err)
	}
	list, _ := outs[stacks.OutputModuleStacks].Value.([]any)
	keys, err := r.secretsKeys(ctx, base)
	if err != nil {
		return s, err
	}
	o.Targets, o.Plan = nil, ""
	var errs []error
	for _, item := range list {
		stack, _ := item.(string)
		if e, _, ok := naming.SplitModuleStack(stack); !ok || e != env {
			errs = append(errs, fmt.Errorf("%s lists %q among its module stacks, which is not one of its own", env, item))
			continue
		}
		st, err := r.moduleStackFor(ctx, stack, keys, tags)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ms, err := r.up(ctx, &st, o, nil)
		mergeSummary(s, ms)
		if err != nil {
			o.notify("%s: failed: %v", stack, err)
			errs = append(errs, fmt.Errorf("%s: %w", stack, err))
			continue
		}
		o.notify("%s: %s", stack, describeOutcome(ms))
	}
	if err := errors.Join(errs...); err != nil {
		if s != nil {
			s.Result = "failed"
		}
		return s, err
	}
	return s, nil
}

// mergeSummary adds a module stack's changes to the environment's summary.
func mergeSummary(s, ms *opsummary.Summary) {
	if s == nil || ms == nil {
		return
	}
	if s.Changes == nil {
		s.Changes = map[string]int{}
	}
	for op, n := range ms.Changes {
		s.Changes[op] += n
	}
	s.Resources = append(s.Resources, ms.Resources...)
	s.Diagnostics = append(s.Diagnostics, ms.Diagnostics...)
}

// describeOutcome says in a few words what an operation on a module stack did.
func describeOutcome(s *opsummary.Summary) string {
	switch {
	case s == nil:
		return "done"
	case s.Skipped != "":
		return "unchanged (" + s.Skipped + ")"
	}
	return fmt.Sprintf("done: %v", s.Changes)
}

// destroyModules destroys, before a split environment's base, each of its module stacks that
// holds anything: every stack named <env>.<module> in the backend, whether or not the
// catalog still has the module. One at a time; the first failure stops the destroy before
// the base is touched. An environment that is not split has none, at the cost of one
// `stack tag ls`.
func (r *Runner) destroyModules(ctx context.Context, base *auto.Stack, o RunOptions) error {
	env := base.Name()
	tags, err := base.ListTags(ctx)
	if err != nil {
		return fmt.Errorf("reading the tags of %s: %w", env, err)
	}
	if tags[TagSplit] != "true" {
		return nil
	}
	list, err := r.wsFor(env).ListStacks(ctx)
	if err != nil {
		return fmt.Errorf("listing the module stacks of %s: %w", env, err)
	}
	for _, s := range list {
		if e, _, ok := naming.SplitModuleStack(s.Name); !ok || e != env {
			continue
		}
		st, err := r.stackFor(ctx, s.Name, false)
		if err != nil {
			return err
		}
		ms, err := r.destroy(ctx, &st, o)
		if err != nil {
			return fmt.Errorf("destroying %s before its base: %w", s.Name, err)
		}
		o.notify("%s: %s", s.Name, describeOutcome(ms))
	}
	return nil
}
