package realengine

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/opsummary"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/pulumicli"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackopstest"
	"github.com/conveyor-paas/conveyor/internal/toolbuild"
)

// The conveyor command as a user runs it, built once per test process from this checkout.
var command struct {
	once   sync.Once
	path   string // the conveyor binary
	pulumi string // the pinned Pulumi CLI it is pointed at (PULUMI_CLI)
	err    error
}

// conveyorBinary builds the conveyor command into the fixture's directory on first use, and
// finds the pinned Pulumi CLI for it. Go's build cache makes a rebuild a link.
func (f *fixture) conveyorBinary(tb testing.TB) (conveyor, pulumi string) {
	tb.Helper()
	command.once.Do(func() {
		b, err := pulumicli.Find(context.Background(), pulumicli.Options{RepoRoot: f.root, Progress: os.Stderr})
		if err != nil {
			command.err = err
			return
		}
		command.pulumi = b.Path
		// Beside the fixture's plugins, in a directory TestMain removes.
		out := filepath.Join(filepath.Dir(f.plugins), "conveyor")
		cmd := exec.Command("go", "build", "-o", out, "./cmd/conveyor")
		cmd.Dir = f.root
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=readonly -buildvcs=false")
		var output bytes.Buffer
		cmd.Stdout, cmd.Stderr = &output, &output
		if err := cmd.Run(); err != nil {
			command.err = fmt.Errorf("%w\n%s", err, toolbuild.Tail(output.Bytes(), 4096))
			return
		}
		command.path = out
	})
	if command.err != nil {
		tb.Fatalf("building the conveyor command: %v", command.err)
	}
	return command.path, command.pulumi
}

// start starts the real conveyor command in the clone as conveyor does, without waiting
// for it; its output goes to the test log when it ends.
func (c *clone) start(tb testing.TB, args ...string) (*exec.Cmd, *logBuffer) {
	tb.Helper()
	cmd := c.command(tb, args...)
	out := &logBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		tb.Fatalf("conveyor %s: %v", strings.Join(args, " "), err)
	}
	tb.Cleanup(func() { tb.Logf("conveyor %s:\n%s", strings.Join(args, " "), out.String()) })
	return cmd, out
}

// logBuffer is a bytes.Buffer safe for the two goroutines that copy a command's streams.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// conveyor runs the real conveyor command in the clone, as a person in that checkout would:
// its work directory is the clone (CONVEYOR_REPO), with the clone's backend, passphrase and
// PULUMI_HOME, the plugins first on PATH and the harness's kubeconfig. It returns the
// command's standard output and exit code; both streams go to the test log.
func (c *clone) conveyor(tb testing.TB, args ...string) (stdout string, code int) {
	tb.Helper()
	cmd := c.command(tb, args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code = 0
	if err != nil {
		exit, ok := err.(*exec.ExitError)
		if !ok {
			tb.Fatalf("conveyor %s: %v", strings.Join(args, " "), err)
		}
		code = exit.ExitCode()
	}
	tb.Logf("conveyor %s: exit %d\n%s%s", strings.Join(args, " "), code, errOut.String(), out.String())
	return out.String(), code
}

// command is the conveyor command line args, set up to run in the clone.
func (c *clone) command(tb testing.TB, args ...string) *exec.Cmd {
	tb.Helper()
	bin, pulumi := c.f.conveyorBinary(tb)
	cmd := exec.CommandContext(tb.Context(), bin, args...)
	cmd.Dir = c.opts.WorkDir
	cmd.Env = os.Environ()
	for k, v := range c.opts.ExtraEnv {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	// Last, so that they win over anything inherited (exec keeps the last of duplicates).
	cmd.Env = append(cmd.Env,
		"CONVEYOR_REPO="+c.opts.WorkDir,
		"PULUMI_CLI="+pulumi,
		"PULUMI_BACKEND_URL="+c.backend.Backend,
		"PULUMI_CONFIG_PASSPHRASE="+stackopstest.Passphrase,
		"PULUMI_CONFIG_PASSPHRASE_FILE=",
	)
	return cmd
}

// mustConveyor runs a command line with --json that must succeed, and returns the summary it
// printed.
func (c *clone) mustConveyor(tb testing.TB, args ...string) *opsummary.Summary {
	tb.Helper()
	out, code := c.conveyor(tb, append(args, "--json")...)
	if code != 0 {
		tb.Fatalf("conveyor %s: exit %d, want 0", strings.Join(args, " "), code)
	}
	var s opsummary.Summary
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		tb.Fatalf("conveyor %s --json: %v\n%s", strings.Join(args, " "), err, out)
	}
	return &s
}
