package stackops

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/opsummary"
)

// RunOptions tune one stack operation.
type RunOptions struct {
	// Progress receives the operation's state after every resource event, on the goroutine
	// that reads the event stream; it must return quickly.
	Progress func(opsummary.Progress)
	// Notify receives notices about the operation, such as a wait for another's lock.
	Notify func(string)
	// Message is recorded with the update in the stack's history.
	Message string
	// Plan is, for a preview, where to save the update plan, and for an update, the plan to
	// apply exactly.
	Plan string
	// Targets limits the operation to these URNs.
	Targets []string
	// AlwaysRunEngine runs the engine even when the program declares exactly what the last
	// update deployed (op_unchanged.go).
	AlwaysRunEngine bool
	// BaseOnly updates a split environment's base alone, not its module stacks: the first
	// job of a CI matrix that runs each module stack in a job of its own (Stacks).
	BaseOnly bool
	// stillWanted, when set, is asked once a destroy holds the environment's lock, before
	// anything is torn down (see teardown): an error stops the destroy. `env gc` re-reads the
	// TTL there, which a pipeline may have renewed after gc listed the environment.
	stillWanted func(ctx context.Context) error

	// change is recorded with the update (ChangeKey): deploy, promote and rollback set it.
	change *Change
	// known is what the operation already read of the state (op_known.go); nil when nothing.
	known *knownState
	// observe, when set, sees every event of the operation's stream after the summary does,
	// on the goroutine that reads it: an update's crash-loop watch (op_crashloop.go).
	observe func(events.EngineEvent)
}

// checkStillWanted asks o.stillWanted, if any.
func (o RunOptions) checkStillWanted(ctx context.Context) error {
	if o.stillWanted == nil {
		return nil
	}
	return o.stillWanted(ctx)
}

func (o RunOptions) notify(format string, args ...any) {
	if o.Notify != nil {
		o.Notify(fmt.Sprintf(format, args...))
	}
}

// run performs one Pulumi operation on st, streaming its events into a summary. call starts
// the operation with the channel the events must go to; it is called again, with a new
// channel, after each wait for the stack lock.
func (r *Runner) run(ctx context.Context, st *auto.Stack, op string, dryRun bool, o RunOptions,
	call func(ch chan<- events.EngineEvent) error,
) (*opsummary.Summary, error) {
	col := opsummary.NewCollector(op, st.Name(), dryRun)
	if o.known != nil {
		col.Expect(o.known.resources)
	} else if info, err := st.Info(ctx); err == nil && info.ResourceCount != nil {
		col.Expect(*info.ResourceCount)
	}
	if o.Progress != nil {
		col.OnProgress(o.Progress)
	}
	waiting := func(wait time.Duration, holder string) {
		if holder == "" {
			holder = "another operation"
		}
		o.notify("environment %s is locked by %s; retrying in %s", st.Name(), holder, wait.Round(100*time.Millisecond))
	}
	recovered := false
	retries, err := withLockRetry(ctx, r.opts.LockRetry, st.Name(), waiting, func() error {
		err := stream(col, call, o.observe)
		if err == nil || !isLockError(err) {
			return err
		}
		removed, berr := breakStaleLocks(err, thisHost())
		if berr != nil {
			return berr
		}
		if len(removed) == 0 {
			return err
		}
		// Left by a killed operation on this host (see recover_stalelock.go): its lock is gone, and the
		// retry takes the lock unless another operation holds it. The killed operation's
		// pending operations stay in the state, where the next update deals with them.
		o.notify("environment %s was locked by a process of this host that no longer runs (a killed operation); removed its stale lock", st.Name())
		recovered = true
		if op != OpRefresh {
			if rerr := r.refreshAfterKill(ctx, st, o); rerr != nil {
				return rerr
			}
		}
		return err
	})
	s := col.Summary()
	withoutSelfReference(&s, r.opts.Project, st.Name())
	s.LockRetries = retries
	s.Recovered = recovered
	s.Targets = o.Targets
	s.Plan = o.Plan
	if err != nil {
		s.Result = opsummary.Failed
		var lockErr *LockError
		if errors.As(err, &lockErr) {
			s.Error = err.Error()
			return &s, err
		}
		s.Error = conciseError(err)
		return &s, &OpError{Op: op, Env: st.Name(), Msg: s.Error, Err: err}
	}
	return &s, nil
}

// stream runs call with a fresh event channel and feeds what arrives to col until the
// operation ends. The Automation API closes the channel when the CLI ends its event stream,
// before call returns; when the CLI failed before it opened one (a lock error, a bad flag),
// nothing will, so the reader stops once call has returned and the channel stayed open a
// moment longer (the grace covers a stream handler that is still finishing).
const streamGrace = 500 * time.Millisecond

func stream(col *opsummary.Collector, call func(ch chan<- events.EngineEvent) error, observe func(events.EngineEvent)) error {
	ch := make(chan events.EngineEvent)
	quit := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case ev, ok := <-ch:
				if !ok {
					return
				}
				if ev.Error == nil {
					col.Add(ev.EngineEvent)
					if observe != nil {
						observe(ev)
					}
				}
			case <-quit:
				return
			}
		}
	}()
	err := call(ch)
	select {
	case <-done:
	case <-time.After(streamGrace):
		close(quit)
		<-done
	}
	return err
}

// conciseError extracts what the CLI said went wrong from an Automation API error, whose text
// carries the CLI's whole stdout and stderr.
func conciseError(err error) string {
	text := err.Error()
	first, _, _ := strings.Cut(text, "\n")
	var lines []string
	if _, stderr, ok := strings.Cut(text, "\nstderr: "); ok {
		for _, l := range strings.Split(stderr, "\n") {
			if l = strings.TrimSpace(l); l != "" {
				lines = append(lines, strings.TrimPrefix(l, "error: "))
			}
		}
	}
	if _, stdout, ok := strings.Cut(text, "\nstdout: "); ok && len(lines) == 0 {
		stdout, _, _ = strings.Cut(stdout, "\nstderr: ")
		for _, l := range strings.Split(stdout, "\n") {
			if l, isErr := strings.CutPrefix(strings.TrimSpace(l), "error: "); isErr && !slices.Contains(lines, l) {
				lines = append(lines, l)
			}
		}
	}
	if len(lines) == 0 {
		return first
	}
	return strings.Join(lines, "\n")
}
