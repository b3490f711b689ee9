// Package stackopstest sets up stackops Runners for tests that drive the real Pulumi CLI: the CLI
// pinned in tools/pulumi (built on first use into the user cache, once for every test
// process), a file backend and a work directory of the test's own, a passphrase, and a fake
// clock.
//
// Tests that use it run by default; CONVEYOR_SKIP_PULUMI=1 skips them (CONVEYOR_SKIP_ENGINE=1,
// its former name, still does). Without either variable a missing prerequisite (no go
// toolchain to build the CLI) fails the test, so that CI never passes by silently skipping
// the tier that runs Pulumi's engine.
package stackopstest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/pulumicli"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/stacks/stackfile"
)

// Passphrase encrypts the secrets of every test stack.
const Passphrase = "conveyor-test-passphrase"

// SkipVar names the variable that skips the tier driving the real Pulumi CLI.
// SkipVarFormer is its name from before the Runner was called the Runner (it said
// "engine"), kept so that a pipeline setting it still skips the same tier.
const (
	SkipVar       = "CONVEYOR_SKIP_PULUMI"
	SkipVarFormer = "CONVEYOR_SKIP_ENGINE"
)

// Skip skips tb when CONVEYOR_SKIP_PULUMI=1 (or CONVEYOR_SKIP_ENGINE=1).
func Skip(tb testing.TB) {
	tb.Helper()
	for _, name := range []string{SkipVar, SkipVarFormer} {
		if os.Getenv(name) == "1" {
			tb.Skip(name + "=1: skipping the tier that drives the real Pulumi CLI")
		}
	}
}

// RepoRoot finds the repository from the package under test, which `go test` makes the
// working directory.
func RepoRoot(tb testing.TB) string {
	tb.Helper()
	wd, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	root, err := pulumicli.RepoRootAbove(wd)
	if err != nil {
		tb.Fatal(err)
	}
	return root
}

var (
	cliOnce sync.Once
	cli     auto.PulumiCommand
	cliErr  error
)

// CLI returns the pinned Pulumi CLI, building it on first use. The build's progress goes to
// standard error as it happens, since a cold build takes minutes and a test log shows only at
// the end.
func CLI(tb testing.TB) auto.PulumiCommand {
	tb.Helper()
	Skip(tb)
	cliOnce.Do(func() {
		start := time.Now()
		var b *pulumicli.Binary
		b, cliErr = pulumicli.Find(context.Background(), pulumicli.Options{RepoRoot: RepoRoot(tb), Progress: os.Stderr})
		if cliErr == nil {
			cli = b.Command
			tb.Logf("Pulumi CLI %s from the %s (%s), ready in %s", b.Version, b.Source, b.Path, time.Since(start).Round(time.Millisecond))
		}
	})
	if cliErr != nil {
		tb.Fatalf("the pinned Pulumi CLI: %v", cliErr)
	}
	return cli
}

// Clock is a settable clock for TTLs.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock starts a clock at a fixed instant.
func NewClock() *Clock {
	return &Clock{now: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
}

// Now reads the clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Env is what a test Runner runs against; a second Runner on the same Env with another
// WorkDir plays a fresh clone of the repository.
type Env struct {
	Backend string // file:// URL
	Home    string // PULUMI_HOME
	Clock   *Clock
}

// NewEnv makes a backend in a temporary directory.
func NewEnv(tb testing.TB) *Env {
	tb.Helper()
	return &Env{Backend: "file://" + tb.TempDir(), Home: tb.TempDir(), Clock: NewClock()}
}

// Options returns Runner options for program in a new work directory (a new clone) against
// env's backend. The project file is written there; stack config lives in stacks/.
func (env *Env) Options(tb testing.TB, program pulumi.RunFunc) stackops.Options {
	tb.Helper()
	work := tb.TempDir()
	if err := os.MkdirAll(filepath.Join(work, stackfile.Dir), 0o755); err != nil {
		tb.Fatal(err)
	}
	return stackops.Options{
		Program: program,
		WorkDir: work,
		ProjectSettings: &workspace.Project{
			Name:           naming.Project,
			Runtime:        workspace.NewProjectRuntimeInfo("go", nil),
			StackConfigDir: stackfile.Dir,
		},
		Settings: stackops.Settings{BackendURL: env.Backend, Passphrase: Passphrase},
		ExtraEnv: map[string]string{"PULUMI_HOME": env.Home},
		Pulumi:   CLI(tb),
		Now:      env.Clock.Now,
		User:     "tester",
		Log:      logWriter{tb},
		// Short waits: tests make locks collide on purpose.
		LockRetry: stackops.RetryPolicy{Initial: 300 * time.Millisecond, Max: 2 * time.Second, GiveUpAfter: 2 * time.Minute},
	}
}

// New makes a Runner for program in a new clone.
func (env *Env) New(tb testing.TB, program pulumi.RunFunc) *stackops.Runner {
	tb.Helper()
	r, err := stackops.New(context.Background(), env.Options(tb, program))
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

// logWriter sends the Runner's notices to the test log.
type logWriter struct{ tb testing.TB }

func (w logWriter) Write(p []byte) (int, error) {
	w.tb.Helper()
	w.tb.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// WaitForLock waits until an operation holds the lock of stack in env's file backend, so that
// a test can start a second operation that surely collides with it, however slowly the
// machine starts the first.
func (env *Env) WaitForLock(tb testing.TB, stack string, timeout time.Duration) {
	tb.Helper()
	dir := filepath.Join(strings.TrimPrefix(env.Backend, "file://"), ".pulumi", "locks", "organization", "conveyor", stack)
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if locks, _ := filepath.Glob(filepath.Join(dir, "*.json")); len(locks) > 0 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	tb.Fatalf("no operation took the lock of %s within %s", stack, timeout)
}
