package stackops_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/opsummary"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackopstest"
)

// TestConcurrentUpdates runs two updates of one stack at once, from two clones as two
// pipelines would: the program pauses so that they overlap, one finds the stack locked, waits
// and succeeds after the other.
func TestConcurrentUpdates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := stackopstest.NewEnv(t)
	first := env.New(t, stackopstest.Program)
	mustUp(t, first, "dev")
	second := env.New(t, stackopstest.Program)
	for _, e := range []*stackops.Runner{first, second} {
		setConfig(t, e, "dev", "conveyor:sleepMs", "10000", false)
	}

	var mu sync.Mutex
	notices := 0
	retries := overlap(t, env, []*stackops.Runner{first, second}, func(_ int, e *stackops.Runner) (*opsummary.Summary, error) {
		return e.Up(ctx, "dev", stackops.RunOptions{Notify: func(msg string) {
			mu.Lock()
			notices++
			mu.Unlock()
			t.Log(msg)
		}})
	})
	if retries[1] == 0 || notices == 0 {
		t.Errorf("no update waited for the lock (retries %v, notices %d): they did not overlap", retries, notices)
	}
}

// TestLockGiveUp checks that an operation stops waiting after its budget and names the lock.
func TestLockGiveUp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := stackopstest.NewEnv(t)
	holder := env.New(t, stackopstest.Program)
	mustUp(t, holder, "dev")
	setConfig(t, holder, "dev", "conveyor:sleepMs", "12000", false)

	opts := env.Options(t, stackopstest.Program)
	opts.LockRetry = stackops.RetryPolicy{Initial: 200 * time.Millisecond, Max: 400 * time.Millisecond, GiveUpAfter: 4 * time.Second}
	impatient, err := stackops.New(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}

	done := make(chan error, 1)
	go func() { _, err := holder.Up(ctx, "dev", stackops.RunOptions{}); done <- err }()
	env.WaitForLock(t, "dev", time.Minute) // the holder keeps it while its program sleeps
	s, err := impatient.Up(ctx, "dev", stackops.RunOptions{})
	var lockErr *stackops.LockError
	if !errors.As(err, &lockErr) {
		t.Fatalf("impatient update: %v, want a LockError", err)
	}
	if lockErr.Holder == "" || lockErr.Attempts < 2 || s == nil || s.Result != "failed" {
		t.Errorf("lock error %+v, summary %+v", lockErr, s)
	}
	t.Log(err)
	if err := <-done; err != nil {
		t.Errorf("the holder's update: %v", err)
	}
}

// overlap runs op on each engine at once, as two pipelines would: the second starts once the
// first holds dev's lock, so that they surely collide however slowly the machine starts the
// first (the test program's conveyor:sleepMs makes them overlap by seconds). It returns each
// one's lock retries.
func overlap(t *testing.T, env *stackopstest.Env, engines []*stackops.Runner, op func(i int, e *stackops.Runner) (*opsummary.Summary, error)) []int {
	t.Helper()
	var wg sync.WaitGroup
	retries := make([]int, len(engines))
	for i, e := range engines {
		if i > 0 {
			env.WaitForLock(t, "dev", time.Minute)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := op(i, e)
			if err != nil {
				t.Errorf("operation %d: %v", i, err)
				return
			}
			retries[i] = s.LockRetries
		}()
	}
	wg.Wait()
	return retries
}
