package stackops

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"golang.org/x/sync/errgroup"

	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/stacks"
	"github.com/conveyor-paas/conveyor/stacks/deployed"
)

// Where a split environment's facts live (env_split.go): each module's deployed images and
// history are its stack's, E.M; the base E keeps what it recorded before the split, which
// each module stack's history continues. A module lives in its stack exactly when that stack
// exists, the rule deploy follows (moduleStackExists): so a split interrupted midway reads
// right too, the moved modules from their stacks and the others from the base.

// moduleStacks are env's module stacks that exist, by module: none for a stack that cannot
// be a split environment's base (splittable). In a file:// backend they are read from the
// folder of checkpoints, at no CLI call, so that an environment never split costs what it
// did; elsewhere with one `pulumi stack ls`.
func (r *Runner) moduleStacks(ctx context.Context, env string) (map[string]string, error) {
	if !splittable(env) {
		return nil, nil
	}
	out := map[string]string{}
	add := func(stack string) {
		if e, m, ok := naming.SplitModuleStack(stack); ok && e == env {
			out[m] = stack
		}
	}
	if file, err := r.checkpointFile(env); err == nil {
		entries, err := os.ReadDir(filepath.Dir(file))
		if err != nil && !os.IsNotExist(err) {
			return nil, fmt.Errorf("listing the module stacks of %s: %w", env, err)
		}
		for _, e := range entries {
			if name, ok := strings.CutSuffix(strings.TrimSuffix(e.Name(), ".gz"), ".json"); ok {
				add(name)
			}
		}
		return out, nil
	}
	list, err := r.wsFor(env).ListStacks(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing the module stacks of %s: %w", env, err)
	}
	for _, s := range list {
		add(s.Name)
	}
	return out, nil
}

// sortedStacks are the stacks of mods in the order of their modules' names.
func sortedStacks(mods map[string]string) []string {
	out := make([]string, 0, len(mods))
	for _, m := range slices.Sorted(maps.Keys(mods)) {
		out = append(out, mods[m])
	}
	return out
}

// withModuleRecords is rec, the deployed images env's own stack recorded, with each module
// that has a stack of its own taking that stack's record instead: what env runs as a
// whole. The module stacks are read Options.Parallel at a time.
func (r *Runner) withModuleRecords(ctx context.Context, env string, rec deployed.Images) (deployed.Images, error) {
	mods, err := r.moduleStacks(ctx, env)
	if err != nil || len(mods) == 0 {
		return rec, err
	}
	out := maps.Clone(rec)
	if out == nil {
		out = deployed.Images{}
	}
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(r.opts.Parallel)
	for m, stack := range mods {
		g.Go(func() error {
			outs, err := r.wsFor(stack).StackOutputs(gctx, stack)
			if err != nil {
				return fmt.Errorf("reading the deployed images of %s: %w", stack, err)
			}
			own, err := deployed.FromValue(outs[deployed.Output].Value)
			if err != nil {
				return fmt.Errorf("output %s of %s: %w", deployed.Output, stack, err)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(own[m]) > 0 {
				out[m] = own[m]
			} else {
				delete(out, m)
			}
			return nil
		})
	}
	return out, g.Wait()
}

// splitSince is how many of a split environment's base's updates (newest first) ran before
// its split: the oldest ones, up to the first that the Runner handed naming.ConfigSplit
// (config_file.go). Every module stack's history continues them.
func splitSince(updates []auto.UpdateSummary) int {
	n := 0
	for i := len(updates) - 1; i >= 0; i-- {
		if updates[i].Config[naming.ConfigSplit].Value == "true" {
			break
		}
		n++
	}
	return n
}

// moduleHistory is the history of a module of a split environment, newest first: its stack's
// own updates over the base's from before the split, when the base held the module. Each is
// numbered by its place, counted from the oldest (1 first), so that an update of the base
// keeps the number `conveyor history` gave it before the split and a module's own continue
// from there.
func (r *Runner) moduleHistory(ctx context.Context, env, stack string) ([]auto.UpdateSummary, error) {
	base, err := r.updates(ctx, env)
	if err != nil {
		return nil, err
	}
	mine, err := r.updates(ctx, stack)
	if err != nil {
		return nil, err
	}
	return continued(base, mine), nil
}

// continued is a module stack's own updates, mine, over its base's from before the split,
// newest first, numbered as moduleHistory says.
func continued(base, mine []auto.UpdateSummary) []auto.UpdateSummary {
	updates := slices.Concat(mine, base[len(base)-splitSince(base):])
	for i := range updates {
		updates[i].Version = len(updates) - i
	}
	return updates
}

// splitUpdates are the updates of every stack of a split environment, newest first by start:
// where a promotion looks for the source commits of the images it carries (sourcesOf).
func (r *Runner) splitUpdates(ctx context.Context, env string, mods map[string]string) ([]auto.UpdateSummary, error) {
	stacks := append([]string{env}, sortedStacks(mods)...)
	lists := make([][]auto.UpdateSummary, len(stacks))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(r.opts.Parallel)
	for i, stack := range stacks {
		g.Go(func() (err error) {
			lists[i], err = r.updates(gctx, stack)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	all := slices.Concat(lists...)
	slices.SortStableFunc(all, func(a, b auto.UpdateSummary) int { return cmp.Compare(startOf(b), startOf(a)) })
	return all, nil
}

// startOf is when an update started; the zero time when the backend did not say.
func startOf(u auto.UpdateSummary) int64 {
	t, err := time.Parse(time.RFC3339, u.StartTime)
	if err != nil {
		return 0
	}
	return t.UnixNano()
}

// EnvStacks are the stacks an environment's operations run on.
type EnvStacks struct {
	// Base is the environment's own stack: all of it, or a split environment's base.
	Base string `json:"base"`
	// Modules are a split environment's module stacks, by module name: those that exist and
	// those its base lists (stacks.OutputModuleStacks), which its next `up` makes.
	Modules []ModuleStack `json:"modules"`
}

// ModuleStack is one module's stack in a split environment.
type ModuleStack struct {
	Module string `json:"module"`
	Stack  string `json:"stack"`
}

// Stacks lists env's stacks: its base, then each module stack when it is split, in module
// order. The stacks being independent once the base is updated, a CI matrix runs `up --env
// <base> --base-only` first, then one job per module stack (`up --env <stack>`).
func (r *Runner) Stacks(ctx context.Context, env string) (*EnvStacks, error) {
	st, err := r.selectStack(ctx, env)
	if err != nil {
		return nil, err
	}
	mods, err := r.moduleStacks(ctx, env)
	if err != nil {
		return nil, err
	}
	if splittable(env) {
		outs, err := st.Outputs(ctx)
		if err != nil {
			return nil, fmt.Errorf("reading the module stacks of %s: %w", env, err)
		}
		list, _ := outs[stacks.OutputModuleStacks].Value.([]any)
		for _, item := range list {
			name, _ := item.(string)
			if e, m, ok := naming.SplitModuleStack(name); ok && e == env {
				mods[m] = name
			}
		}
	}
	out := &EnvStacks{Base: env, Modules: []ModuleStack{}}
	for _, m := range slices.Sorted(maps.Keys(mods)) {
		out.Modules = append(out.Modules, ModuleStack{Module: m, Stack: mods[m]})
	}
	return out, nil
}
