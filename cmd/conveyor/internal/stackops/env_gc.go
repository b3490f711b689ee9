package stackops

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/opsummary"
	"github.com/conveyor-paas/conveyor/naming"
)

// GC actions, as a GCEntry reports them.
const (
	GCWouldCollect = "would-collect" // dry run: expired, and would be collected with --yes
	GCCollected    = "collected"     // destroyed and removed
	GCFailed       = "failed"        // expired, but destroying or removing it failed
	GCKept         = "kept"          // not expired, or protected
)

// GCEntry is what `env gc` did with one environment.
type GCEntry struct {
	Env     EnvInfo            `json:"env"`
	Action  string             `json:"action"`
	Reason  string             `json:"reason"`
	Error   string             `json:"error,omitempty"`
	Summary *opsummary.Summary `json:"summary,omitempty"`
}

// GCResult is the outcome of `env gc`.
type GCResult struct {
	Now     time.Time `json:"now"`
	DryRun  bool      `json:"dryRun"`
	Entries []GCEntry `json:"entries"`
}

// Failed counts the environments that could not be collected.
func (r *GCResult) Failed() int {
	n := 0
	for _, e := range r.Entries {
		if e.Action == GCFailed {
			n++
		}
	}
	return n
}

// GCOptions tune `env gc`.
type GCOptions struct {
	// DryRun only says what would be collected.
	DryRun bool
	// Notify receives a line as each environment is collected.
	Notify func(string)
}

// CollectExpired destroys and removes every ad-hoc environment whose TTL has passed by the
// Runner's clock, Options.Parallel at a time. Each one's TTL is read again once its teardown
// holds its lock: one renewed meanwhile (a pipeline's `env create` before its `up`) is kept. Long-lived environments and cluster stacks are
// never collected, whatever their tags say. One environment failing does not stop the
// others; the result says which failed.
func (r *Runner) CollectExpired(ctx context.Context, o GCOptions) (*GCResult, error) {
	envs, err := r.ListEnvs(ctx)
	if err != nil {
		return nil, err
	}
	var expired []int
	// A split environment's module stacks are no environments of their own: they are
	// collected with their base (deleteModuleStacks), and listed with it.
	envs = slices.DeleteFunc(envs, func(e EnvInfo) bool {
		_, _, module := naming.SplitModuleStack(e.Name)
		return module
	})
	res := &GCResult{Now: r.opts.Now().UTC(), DryRun: o.DryRun, Entries: make([]GCEntry, len(envs))}
	for i, env := range envs {
		entry := GCEntry{Env: env, Action: GCKept}
		switch {
		case env.Protected:
			entry.Reason = "long-lived environment or cluster stack: never collected"
		case env.Meta.Expires.IsZero():
			entry.Reason = "no TTL"
		case !env.Expired:
			entry.Reason = fmt.Sprintf("expires %s", env.Meta.Expires.Format(time.RFC3339))
		default:
			entry.Reason = fmt.Sprintf("expired %s", env.Meta.Expires.Format(time.RFC3339))
			entry.Action = GCWouldCollect
			expired = append(expired, i)
		}
		res.Entries[i] = entry
	}
	if o.DryRun {
		return res, nil
	}

	var mu sync.Mutex // serializes Notify
	notify := func(format string, args ...any) {
		if o.Notify != nil {
			mu.Lock()
			defer mu.Unlock()
			o.Notify(fmt.Sprintf(format, args...))
		}
	}
	// Not errgroup.WithContext: one environment failing must not cancel the others.
	var g errgroup.Group
	g.SetLimit(r.opts.Parallel)
	for _, i := range expired {
		entry := &res.Entries[i]
		g.Go(func() error {
			name := entry.Env.Name
			notify("collecting %s (%s)", name, entry.Reason)
			var renewed renewal
			s, err := r.DeleteEnv(ctx, name, RunOptions{
				Message:     "conveyor env gc: " + entry.Reason,
				Notify:      func(msg string) { notify("%s: %s", name, msg) },
				stillWanted: func(ctx context.Context) error { return r.stillExpired(ctx, name, &renewed) },
			})
			if expires, ok := renewed.get(); ok {
				entry.Action, entry.Reason = GCKept, fmt.Sprintf("renewed while gc ran: expires %s", expires.Format(time.RFC3339))
				notify("kept %s: %s", name, entry.Reason)
				return nil
			}
			entry.Summary = s
			if err != nil {
				entry.Action, entry.Error = GCFailed, err.Error()
				notify("could not collect %s: %v", name, err)
				return nil
			}
			entry.Action = GCCollected
			notify("collected %s", name)
			return nil
		})
	}
	_ = g.Wait() // every failure is in its entry
	return res, nil
}

// stillExpired re-reads env's TTL; when a pipeline renewed it after gc listed env, it records
// the new expiry in renewed and refuses the destroy.
func (r *Runner) stillExpired(ctx context.Context, env string, renewed *renewal) error {
	tags, err := r.wsFor(env).ListTags(ctx, env)
	if err != nil {
		return fmt.Errorf("reading the TTL of %s again: %w", env, err)
	}
	m, err := parseMeta(tags)
	if err != nil {
		return fmt.Errorf("environment %s: %w", env, err)
	}
	if m.Expired(r.opts.Now()) {
		return nil
	}
	renewed.set(m.Expires)
	return fmt.Errorf("%s was renewed while gc ran (it expires %s): kept", env, m.Expires.Format(time.RFC3339))
}

// renewal is the new expiry of an environment gc found renewed; it is set from the teardown's
// program, which runs on another goroutine.
type renewal struct {
	mu      sync.Mutex
	expires time.Time
}

func (r *renewal) set(t time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.expires = t
}

func (r *renewal) get() (time.Time, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.expires, !r.expires.IsZero()
}

// deleteModuleStacks destroys and removes the module stacks of a split environment that is
// being deleted (DeleteEnv, and so `env gc`), before its base: they use the base's namespaces
// and database admin, which the base's teardown and destroy remove, and a module stack left
// behind would outlive its environment with no TTL to collect it by. The base's lock is held
// meanwhile, so that an update of the environment (a pipeline's, after renewing its TTL) does
// not run beside it, and the TTL is asked again under it (o.stillWanted), as the base's
// teardown asks it. Every module stack is destroyed whatever the others do; the first
// failure keeps the base, which still lists its modules.
func (r *Runner) deleteModuleStacks(ctx context.Context, env string, o RunOptions) error {
	mods, err := r.moduleStacks(ctx, env)
	if err != nil || len(mods) == 0 {
		return err
	}
	release, err := r.lockStack(ctx, env, o)
	switch {
	case errors.Is(err, errNotLockable):
		release = func() error { return nil }
	case err != nil:
		return fmt.Errorf("locking %s to delete its module stacks: %w", env, err)
	}
	defer func() { _ = release() }()
	if err := o.checkStillWanted(ctx); err != nil {
		return err
	}
	o.stillWanted = nil
	return r.eachModuleStack(ctx, sortedStacks(mods), nil, o, func(ctx context.Context, stack string, o RunOptions) (*opsummary.Summary, error) {
		st, err := r.stackFor(ctx, stack, false)
		if err != nil {
			return nil, err
		}
		s, err := r.destroy(ctx, &st, o)
		if err != nil {
			return s, err
		}
		if _, err := withLockRetry(ctx, r.opts.LockRetry, stack, nil, func() error {
			return r.wsFor(stack).RemoveStack(ctx, stack)
		}); err != nil {
			return s, fmt.Errorf("%s is destroyed but its stack could not be removed: %w", stack, err)
		}
		if err := os.Remove(r.configFile(stack)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return s, fmt.Errorf("removing the stack file of %s: %w", stack, err)
		}
		return s, nil
	})
}
