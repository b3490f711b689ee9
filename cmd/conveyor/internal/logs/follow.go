package logs

import (
	"context"
	"sync"
	"time"

	"k8s.io/client-go/kubernetes"
)

// followed is what following knows about one container's log.
type followed struct {
	active bool
	// restarts is the container's restart count when its stream started: a higher one is
	// a new run, whose log is read again from after the last line seen.
	restarts int32
	last     time.Time
	seen     bool
}

// follow lists the pods every o.Poll and streams every container it has not streamed yet
// (a rollout's new pods, a restarted container), passing lines on as they arrive, until ctx
// ends.
func follow(ctx context.Context, client kubernetes.Interface, o Options, sink func(Line)) error {
	if o.Poll <= 0 {
		o.Poll = 2 * time.Second
	}
	var mu sync.Mutex // guards state and serializes sink
	state := map[string]*followed{}
	var wg sync.WaitGroup
	defer wg.Wait()
	noticed := map[string]bool{}
	quiet := o
	quiet.Notice = func(msg string) {
		mu.Lock()
		defer mu.Unlock()
		// Said once: the same container waits on every poll.
		if !noticed[msg] {
			noticed[msg] = true
			o.notice("%s", msg)
		}
	}
	for first := true; ; first = false {
		pods, err := list(ctx, client, o)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		if first && len(pods) == 0 {
			return ErrNoPods
		}
		for _, t := range targets(pods) {
			key := t.pod + "/" + t.container
			mu.Lock()
			f := state[key]
			if f == nil {
				f = &followed{}
				state[key] = f
			}
			start := t.waiting == "" && !f.active && (!f.seen || t.restarts > f.restarts)
			var since *time.Time
			if start {
				f.active, f.restarts = true, t.restarts
				if !f.last.IsZero() {
					after := f.last.Add(time.Nanosecond)
					since = &after
				}
				f.seen = true
			}
			mu.Unlock()
			if !start && t.waiting != "" {
				quiet.notice("%s has no logs: %s", key, t.waiting)
			}
			if !start {
				continue
			}
			wg.Go(func() {
				err := stream(ctx, client, quiet, t, since, func(l Line) {
					mu.Lock()
					defer mu.Unlock()
					// The API's since has whole seconds: what a new run repeats of the last
					// second already printed is dropped.
					if since != nil && l.Time.Before(*since) {
						return
					}
					f.last = l.Time
					sink(l)
				})
				mu.Lock()
				f.active = false
				mu.Unlock()
				if err != nil {
					quiet.notice("%v", err)
				}
			})
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(o.Poll):
		}
	}
}
