package stackops_test

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackopstest"
)

// windows records when each run of a program ran, while recording is on.
type windows struct {
	mu        sync.Mutex
	recording bool
	spans     [][2]time.Time
	// started, when not nil, is closed when a recorded run starts.
	started chan struct{}
	once    sync.Once
}

// program wraps stackopstest.Program, recording its runs.
func (w *windows) program(ctx *pulumi.Context) error {
	w.mu.Lock()
	on := w.recording
	w.mu.Unlock()
	start := time.Now()
	if on && w.started != nil {
		w.once.Do(func() { close(w.started) })
	}
	err := stackopstest.Program(ctx)
	if on {
		w.mu.Lock()
		w.spans = append(w.spans, [2]time.Time{start, time.Now()})
		w.mu.Unlock()
	}
	return err
}

// runs are the recorded runs.
func (w *windows) runs() [][2]time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.spans)
}

func (w *windows) record(on bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.recording = on
	w.spans = nil
}

// overlapping reports two runs that overlapped in time, if any.
func (w *windows) overlapping() (a, b [2]time.Time, found bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for i := range w.spans {
		for j := i + 1; j < len(w.spans); j++ {
			if w.spans[i][0].Before(w.spans[j][1]) && w.spans[j][0].Before(w.spans[i][1]) {
				return w.spans[i], w.spans[j], true
			}
		}
	}
	return a, b, false
}

// killUp starts an up of dev on e and kills its Pulumi CLI with SIGKILL once it holds the
// lock, as a CI runner that died would: the lock stays, its holder gone.
func killUp(t *testing.T, env *stackopstest.Env, e *stackops.Runner) {
	t.Helper()
	done := make(chan error, 1)
	go func() { _, err := e.Up(context.Background(), "dev", stackops.RunOptions{}); done <- err }()
	env.WaitForLock(t, "dev", time.Minute)
	locks, err := filepath.Glob(filepath.Join(lockDir(env, "dev"), "*.json"))
	if err != nil || len(locks) != 1 {
		t.Fatalf("the locks of dev: %v (%v)", locks, err)
	}
	data, err := os.ReadFile(locks[0])
	if err != nil {
		t.Fatal(err)
	}
	var holder struct {
		Pid int `json:"pid"`
	}
	if err := json.Unmarshal(data, &holder); err != nil || holder.Pid <= 0 {
		t.Fatalf("the lock %s: %s (%v)", locks[0], data, err)
	}
	if err := syscall.Kill(holder.Pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err == nil {
		t.Fatal("the killed up succeeded")
	}
}

func lockDir(env *stackopstest.Env, stack string) string {
	return filepath.Join(strings.TrimPrefix(env.Backend, "file://"), ".pulumi", "locks", "organization", "conveyor", stack)
}

// heldCancel is a test double around the real Pulumi CLI: it holds a `pulumi cancel` until
// release is closed, after closing asked. It puts the deadly interleaving of two waiters on a
// dead lock in order: the first decides from its failed attempt that the lock is stale; the
// second removes it and takes the lock; only then does the first act on what it decided.
type heldCancel struct {
	auto.PulumiCommand
	once    sync.Once
	asked   chan struct{}
	release chan struct{}
}

func (h *heldCancel) Run(ctx context.Context, workdir string, stdin io.Reader, out, errOut []io.Writer, env []string, args ...string) (string, string, int, error) {
	if slices.Contains(args, "cancel") {
		h.once.Do(func() { close(h.asked) })
		<-h.release
	}
	return h.PulumiCommand.Run(ctx, workdir, stdin, out, errOut, env, args...)
}

// TestKilledLockIsBrokenOnce: after an update was killed, two updates wait on its dead lock.
// The first finds it, and is held just before it acts (heldCancel) until the second has
// found it too, removed it and taken the lock; neither may remove the other's live lock, so
// their programs never run at the same time.
func TestKilledLockIsBrokenOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := stackopstest.NewEnv(t)
	w := windows{started: make(chan struct{})}
	killed, err := stackops.New(ctx, env.Options(t, w.program))
	if err != nil {
		t.Fatal(err)
	}
	held := &heldCancel{asked: make(chan struct{}), release: make(chan struct{})}
	firstOpts := env.Options(t, w.program)
	held.PulumiCommand = firstOpts.Pulumi
	firstOpts.Pulumi = held
	first, err := stackops.New(ctx, firstOpts)
	if err != nil {
		t.Fatal(err)
	}
	second, err := stackops.New(ctx, env.Options(t, w.program))
	if err != nil {
		t.Fatal(err)
	}
	mustUp(t, killed, "dev")
	setConfig(t, killed, "dev", "conveyor:sleepMs", "60000", false)
	for _, e := range []*stackops.Runner{first, second} {
		setConfig(t, e, "dev", "conveyor:sleepMs", "3000", false)
	}
	killUp(t, env, killed)
	w.record(true)

	done := make(chan error, 2)
	decided := make(chan struct{})
	var once sync.Once
	go func() {
		_, err := first.Up(ctx, "dev", stackops.RunOptions{Notify: func(msg string) {
			t.Logf("first: %s", msg)
			if strings.Contains(msg, "stale lock") {
				once.Do(func() { close(decided) })
			}
		}})
		done <- err
	}()
	// The first has decided the lock is stale (it asks to cancel, or says it removed it).
	select {
	case <-held.asked:
	case <-decided:
	case err := <-done:
		t.Fatalf("the first up ended before it found the dead lock: %v", err)
	}
	go func() {
		_, err := second.Up(ctx, "dev", stackops.RunOptions{Notify: func(msg string) { t.Logf("second: %s", msg) }})
		done <- err
	}()
	// Whoever holds the lock now runs its program; then the first may act.
	<-w.started
	close(held.release)
	for range 2 {
		if err := <-done; err != nil {
			t.Errorf("an up: %v", err)
		}
	}
	if a, b, found := w.overlapping(); found {
		t.Errorf("two updates of dev ran at once: %s-%s and %s-%s",
			a[0].Format("15:04:05.000"), a[1].Format("15:04:05.000"), b[0].Format("15:04:05.000"), b[1].Format("15:04:05.000"))
	}
	if runs := w.runs(); len(runs) != 2 {
		t.Errorf("%d updates ran their program, want 2", len(runs))
	}
	if left, _ := filepath.Glob(filepath.Join(lockDir(env, "dev"), "*.json")); len(left) != 0 {
		t.Errorf("locks left: %v", left)
	}
}

// TestEngineLockKeepsOperationsOut: the lock the engine takes for its own work on a stack
// (the sweep) is one the CLI honours, and the engine honours the CLI's: an up that starts
// while the engine holds it runs its program only once it is released, and the engine waits
// for an up that holds it.
func TestEngineLockKeepsOperationsOut(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := stackopstest.NewEnv(t)
	var w windows
	e, err := stackops.New(ctx, env.Options(t, w.program))
	if err != nil {
		t.Fatal(err)
	}
	mustUp(t, e, "dev")
	w.record(true)

	unlock, err := e.LockStack(ctx, "dev", stackops.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	waited := make(chan struct{})
	var once sync.Once
	done := make(chan error, 1)
	go func() {
		_, err := e.Up(ctx, "dev", stackops.RunOptions{Notify: func(string) { once.Do(func() { close(waited) }) }})
		done <- err
	}()
	<-waited // the up found the engine's lock
	released := time.Now()
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("the up that waited for the engine's lock: %v", err)
	}
	if runs := w.runs(); len(runs) != 1 || runs[0][0].Before(released) {
		t.Errorf("the up's program ran at %v, before the engine released the lock at %s", runs, released.Format("15:04:05.000"))
	}

	setConfig(t, e, "dev", "conveyor:sleepMs", "3000", false)
	w.record(true)
	go func() { _, err := e.Up(ctx, "dev", stackops.RunOptions{}); done <- err }()
	env.WaitForLock(t, "dev", time.Minute)
	var notices []string
	unlock, err = e.LockStack(ctx, "dev", stackops.RunOptions{Notify: func(msg string) { notices = append(notices, msg) }})
	if err != nil {
		t.Fatal(err)
	}
	locked := time.Now()
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if runs := w.runs(); len(notices) == 0 || len(runs) != 1 || locked.Before(runs[0][1]) {
		t.Errorf("the engine took the lock at %s while the up ran %v (notices %v)", locked.Format("15:04:05.000"), runs, notices)
	}
}
