package stackops

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/conveyor-paas/conveyor/naming"
)

// The messages of the updates that sleep and wake run. An environment's idle time counts
// from its last update that someone asked for: not these, which the schedule runs (a manual
// wake counts, and records TagWoken besides).
const (
	MessageSleep            = "sleep"
	MessageWake             = "wake"
	MessageScheduledWake    = "wake (scheduled)"
	MessageSleepBeforeAWake = "sleep (before a wake)"
)

var notActivity = map[string]bool{MessageSleep: true, MessageScheduledWake: true, MessageSleepBeforeAWake: true}

// SleepCandidate is one environment as `sleep --due` and `wake --due` read it.
type SleepCandidate struct {
	Name  string
	Sleep SleepState
	// LastActive is its last deploy or wake by a person (its last update that the schedule
	// did not run, or its TagWoken); zero when it was never deployed.
	LastActive time.Time
}

// SleepCandidates reads every environment of the backends that could sleep: not the cluster
// stacks, nor the module stacks of a split environment (which sleep with it). Each costs two
// CLI calls (its tags, its history), Options.Parallel at a time.
func (r *Runner) SleepCandidates(ctx context.Context) ([]SleepCandidate, error) {
	var names []string
	for _, ws := range r.workspaces() {
		list, err := ws.ListStacks(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing the environments: %w", err)
		}
		for _, s := range list {
			kind, err := naming.ClassifyStack(s.Name)
			_, _, module := naming.SplitModuleStack(s.Name)
			if err != nil || module || kind == naming.StackCluster || kind == naming.StackFacts || r.wsFor(s.Name) != ws || slices.Contains(names, s.Name) {
				continue
			}
			names = append(names, s.Name)
		}
	}
	slices.Sort(names)
	out := make([]SleepCandidate, len(names))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(r.opts.Parallel)
	for i, name := range names {
		g.Go(func() error {
			state, err := r.SleepState(gctx, name)
			if err != nil {
				return err
			}
			c := SleepCandidate{Name: name, Sleep: state, LastActive: state.Woken}
			history, err := r.History(gctx, name)
			if err != nil {
				return err
			}
			for _, h := range history { // newest first
				if h.Kind == "update" && !notActivity[strings.TrimSpace(h.Message)] {
					if h.Start.After(c.LastActive) {
						c.LastActive = h.Start
					}
					break
				}
			}
			out[i] = c
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return out, nil
}
