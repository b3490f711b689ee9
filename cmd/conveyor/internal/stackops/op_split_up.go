package stackops

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"golang.org/x/sync/errgroup"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/opsummary"
	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/stacks"
)

// upSplit completes an up of a split environment's base (env_split.go): once the base is
// updated, each module stack it lists (stacks.OutputModuleStacks: one per module of the
// catalog, made here if the module is new) is updated, each under its own lock,
// Options.Parallel at a time: the stacks are independent (their only shared dependency, the
// base, is done), so any order is valid. A module that fails fails the command, and the
// others are still updated and reported. The summary is the base's, with the modules'
// changes added and every module's outcome said through o.Notify.
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
	var names []string
	var errs []error
	for _, item := range list {
		stack, _ := item.(string)
		if e, _, ok := naming.SplitModuleStack(stack); !ok || e != env {
			errs = append(errs, fmt.Errorf("%s lists %q among its module stacks, which is not one of its own", env, item))
			continue
		}
		names = append(names, stack)
	}
	err = r.eachModuleStack(ctx, names, s, o, func(ctx context.Context, stack string, o RunOptions) (*opsummary.Summary, error) {
		st, err := r.moduleStackFor(ctx, stack, keys, tags)
		if err != nil {
			return nil, err
		}
		return r.up(ctx, &st, o, nil)
	})
	return failed(s, errors.Join(append(errs, err)...))
}

// eachModuleStack runs op on each of a split environment's module stacks, Options.Parallel at
// a time, adds each one's summary to s, and says each one's outcome through o.Notify. Every
// stack is run whatever the others do; the error joins every failure, each named by its
// stack. Notify and Progress are called one at a time.
func (r *Runner) eachModuleStack(ctx context.Context, names []string, s *opsummary.Summary, o RunOptions,
	op func(ctx context.Context, stack string, o RunOptions) (*opsummary.Summary, error),
) error {
	var mu sync.Mutex
	if notify := o.Notify; notify != nil {
		o.Notify = func(msg string) { mu.Lock(); defer mu.Unlock(); notify(msg) }
	}
	if progress := o.Progress; progress != nil {
		o.Progress = func(p opsummary.Progress) { mu.Lock(); defer mu.Unlock(); progress(p) }
	}
	errs := make([]error, len(names))
	summaries := make([]*opsummary.Summary, len(names))
	// Not errgroup.WithContext: one module failing must not cancel the others.
	var g errgroup.Group
	g.SetLimit(r.opts.Parallel)
	for i, stack := range names {
		g.Go(func() error {
			ms, err := op(ctx, stack, o)
			summaries[i] = ms
			if err != nil {
				o.notify("%s: failed: %v", stack, err)
				errs[i] = fmt.Errorf("%s: %w", stack, err)
				return nil
			}
			o.notify("%s: %s", stack, describeOutcome(ms))
			return nil
		})
	}
	_ = g.Wait() // every failure is in errs
	for _, ms := range summaries {
		mergeSummary(s, ms)
	}
	return errors.Join(errs...)
}

// failed marks s failed when err is not nil, and returns both.
func failed(s *opsummary.Summary, err error) (*opsummary.Summary, error) {
	if err != nil && s != nil {
		s.Result = opsummary.Failed
	}
	return s, err
}

// overSplit completes an operation on env (preview, drift) that reads or changes nothing
// outside the stack: on a split environment, whose base s summarizes already, op runs on
// each of its module stacks too, and s adds up every stack's.
func (r *Runner) overSplit(ctx context.Context, env string, s *opsummary.Summary, o RunOptions,
	op func(ctx context.Context, st *auto.Stack, o RunOptions) (*opsummary.Summary, error),
) (*opsummary.Summary, error) {
	mods, err := r.moduleStacks(ctx, env)
	if err != nil || len(mods) == 0 {
		return s, err
	}
	if o.Plan != "" {
		return failed(s, refusef("%s is split into a stack per module: a plan is one stack's, and saving the plan of every stack of it is not built", env))
	}
	o.Targets = nil
	err = r.eachModuleStack(ctx, sortedStacks(mods), s, o, func(ctx context.Context, stack string, o RunOptions) (*opsummary.Summary, error) {
		st, err := r.stackFor(ctx, stack, false)
		if err != nil {
			return nil, err
		}
		return op(ctx, &st, o)
	})
	return failed(s, err)
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
