package pulumicli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/blang/semver"

	"github.com/conveyor-paas/conveyor/internal/toolbuild"
)

// progressEvery is how often a build says it is still going: a cold build of the CLI takes
// about five minutes on two cores, and silence that long looks like a hang.
const progressEvery = 30 * time.Second

// build compiles the pinned CLI into out. It holds an exclusive lock beside out while it
// builds, so a second process waits for the first and then finds the binary instead of
// building it again; the binary is written under a temporary name and renamed into place, so
// nobody ever runs half a binary.
func build(ctx context.Context, opts Options, pin semver.Version, out string) error {
	w := opts.progress()
	goBin, err := exec.LookPath("go")
	if err != nil {
		return fmt.Errorf("no Pulumi CLI found and the go toolchain, needed to build it from %s, is not on PATH (or set PULUMI_CLI): %w", ToolDir, err)
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", filepath.Dir(out), err)
	}
	unlock, err := toolbuild.Lock(ctx, out+".lock", func() {
		fmt.Fprintf(w, "conveyor: waiting for another process that is building the Pulumi CLI into %s\n", out)
	})
	if err != nil {
		return err
	}
	defer unlock()
	if isExecutable(out) { // built by the process we waited for
		return nil
	}

	tmp := fmt.Sprintf("%s.%d.tmp", out, os.Getpid())
	defer os.Remove(tmp) // a no-op once renamed
	toolDir := filepath.Join(opts.RepoRoot, ToolDir)
	args := []string{"build", "-C", toolDir,
		// Without the stamp the binary reports a placeholder version that the Automation
		// API refuses to run.
		"-ldflags", "-X " + versionVar + "=v" + pin.String(),
		"-o", tmp, CLIPackage}
	cmd := exec.CommandContext(ctx, goBin, args...)
	cmd.Env = append(os.Environ(),
		// A go.work above the repository must not pull the tool module into another graph,
		// and the tool module's go.sum is complete: a build never edits it.
		"GOWORK=off", "GOFLAGS=-mod=readonly -buildvcs=false")
	var output bytes.Buffer
	cmd.Stdout, cmd.Stderr = &output, &output

	fmt.Fprintf(w, "conveyor: building the Pulumi CLI v%s from %s into %s (first time only; a cold build takes several minutes)\n", pin, ToolDir, out)
	start := time.Now()
	if err := runWithProgress(cmd, w, start); err != nil {
		return fmt.Errorf("building the Pulumi CLI v%s from %s: %w\n%s", pin, toolDir, err, toolbuild.Tail(output.Bytes(), 4096))
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return fmt.Errorf("making %s executable: %w", tmp, err)
	}
	if err := os.Rename(tmp, out); err != nil {
		return fmt.Errorf("moving the Pulumi CLI into %s: %w", out, err)
	}
	fmt.Fprintf(w, "conveyor: built the Pulumi CLI v%s in %s\n", pin, time.Since(start).Round(time.Second))
	return nil
}

func runWithProgress(cmd *exec.Cmd, w io.Writer, start time.Time) error {
	if err := cmd.Start(); err != nil {
		return err
	}
	return toolbuild.Wait(cmd, start, progressEvery, func(elapsed time.Duration) {
		fmt.Fprintf(w, "conveyor: still building the Pulumi CLI (%s so far)\n", elapsed)
	})
}
