package stackops

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
)

// RetryPolicy says how an operation waits for the lock of a stack that another operation (a
// second pipeline, a colleague) holds. The Runner never breaks a lock: it waits, with
// exponential backoff and jitter, and gives up with the holder's name after GiveUpAfter.
type RetryPolicy struct {
	// Initial is the first wait; each next one doubles, up to Max.
	Initial, Max time.Duration
	// GiveUpAfter bounds the total time spent waiting.
	GiveUpAfter time.Duration
}

// DefaultRetryPolicy waits up to 15 minutes: an update of a whole environment can take that
// long, and a pipeline that waits is better than one that fails and must be re-run by hand.
var DefaultRetryPolicy = RetryPolicy{Initial: 2 * time.Second, Max: 30 * time.Second, GiveUpAfter: 15 * time.Minute}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.Initial <= 0 {
		p.Initial = DefaultRetryPolicy.Initial
	}
	if p.Max <= 0 {
		p.Max = max(DefaultRetryPolicy.Max, p.Initial)
	}
	if p.GiveUpAfter <= 0 {
		p.GiveUpAfter = DefaultRetryPolicy.GiveUpAfter
	}
	return p
}

// isLockError recognizes a failure to take the stack lock: the Automation API knows the
// Pulumi Cloud's 409 and the DIY backend's message; the message is matched here too for
// errors the Automation API has wrapped in its own.
func isLockError(err error) bool {
	return auto.IsConcurrentUpdateError(err) || strings.Contains(err.Error(), "the stack is currently locked by")
}

var lockHolder = regexp.MustCompile(`created by (\S+ \(pid \d+\) at \S+)`)

// withLockRetry runs op until it does not fail on the stack lock. waiting is told about each
// wait; the count of waits is returned with op's last error.
func withLockRetry(ctx context.Context, p RetryPolicy, env string, waiting func(wait time.Duration, holder string), op func() error) (int, error) {
	start := time.Now()
	delay := p.Initial
	for attempt := 1; ; attempt++ {
		err := op()
		if err == nil || !isLockError(err) {
			return attempt - 1, err
		}
		holder := ""
		if m := lockHolder.FindStringSubmatch(err.Error()); m != nil {
			holder = m[1]
		}
		// Jitter: two pipelines that collided must not retry in lockstep, or the DIY
		// backend's write-then-check lock would make them collide again.
		wait := delay/2 + rand.N(delay/2+1)
		if waited := time.Since(start); waited+wait > p.GiveUpAfter {
			return attempt - 1, &LockError{Env: env, Waited: waited, Attempts: attempt, Holder: holder, Err: err}
		}
		if waiting != nil {
			waiting(wait, holder)
		}
		select {
		case <-ctx.Done():
			return attempt - 1, fmt.Errorf("waiting for the lock of %s: %w", env, ctx.Err())
		case <-time.After(wait):
		}
		delay = min(delay*2, p.Max)
	}
}

// waitForBase waits while env's base stack is locked, before an operation on one of its
// module stacks (a deploy): an `up` of the environment updates the base first, and a module
// must not be deployed against a base being changed (its namespaces, its database admin).
// It only looks at the base's lock folder, writing nothing, so that deploys of different
// modules never contend on the base; a lock whose holder is provably dead (a killed
// operation of this host) is removed, as every waiter removes it. A backend whose locks this
// process cannot see (not file://) is not waited for: there the deploy relies on the base
// changing nothing a module uses while it runs.
func (r *Runner) waitForBase(ctx context.Context, env string, o RunOptions) error {
	dir, err := r.lockDir(env)
	if errors.Is(err, errNotLockable) {
		return nil
	}
	if err != nil {
		return err
	}
	held := func() error {
		entries, err := os.ReadDir(dir)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading the locks of %s: %w", env, err)
		}
		var locks []string
		for _, e := range entries {
			if !e.IsDir() {
				locks = append(locks, filepath.Join(dir, e.Name()))
			}
		}
		if len(locks) == 0 {
			return nil
		}
		return lockedBy(locks)
	}
	waiting := func(wait time.Duration, holder string) {
		o.notify("the base %s is locked by %s (an up of the environment); the deploy waits, retrying in %s", env, cmp.Or(holder, "another operation"), wait.Round(100*time.Millisecond))
	}
	_, err = withLockRetry(ctx, r.opts.LockRetry, env, waiting, func() error {
		err := held()
		if err == nil {
			return nil
		}
		if removed, berr := breakStaleLocks(err, thisHost()); berr != nil {
			return berr
		} else if len(removed) > 0 {
			o.notify("the base %s was locked by a process of this host that no longer runs (a killed operation); removed its stale lock", env)
			return held()
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("waiting for the base %s to be free: %w", env, err)
	}
	return nil
}
