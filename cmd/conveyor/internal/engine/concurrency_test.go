package engine_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/engine"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/enginetest"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/report"
)

// TestConcurrentUpdates runs two updates of one stack at once, from two clones as two
// pipelines would: the program pauses so that they overlap, one finds the stack locked, waits
// and succeeds after the other.
func TestConcurrentUpdates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := enginetest.NewEnv(t)
	first := env.New(t, enginetest.Program)
	mustUp(t, first, "dev")
	second := env.New(t, enginetest.Program)
	for _, e := range []*engine.Engine{first, second} {
		setConfig(t, e, "dev", "conveyor:sleepMs", "10000", false)
	}

	var mu sync.Mutex
	notices := 0
	retries := overlap(t, env, []*engine.Engine{first, second}, func(_ int, e *engine.Engine) (*report.Summary, error) {
		return e.Up(ctx, "dev", engine.RunOptions{Notify: func(msg string) {
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
	env := enginetest.NewEnv(t)
	holder := env.New(t, enginetest.Program)
	mustUp(t, holder, "dev")
	setConfig(t, holder, "dev", "conveyor:sleepMs", "12000", false)

	opts := env.Options(t, enginetest.Program)
	opts.LockRetry = engine.RetryPolicy{Initial: 200 * time.Millisecond, Max: 400 * time.Millisecond, GiveUpAfter: 4 * time.Second}
	impatient, err := engine.New(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}

	done := make(chan error, 1)
	go func() { _, err := holder.Up(ctx, "dev", engine.RunOptions{}); done <- err }()
	env.WaitForLock(t, "dev", time.Minute) // the holder keeps it while its program sleeps
	s, err := impatient.Up(ctx, "dev", engine.RunOptions{})
	var lockErr *engine.LockError
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
func overlap(t *testing.T, env *enginetest.Env, engines []*engine.Engine, op func(i int, e *engine.Engine) (*report.Summary, error)) []int {
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
