//go:build unix

// Package toolbuild holds what the builders of pinned tools (the Pulumi CLI, the Kubernetes
// control plane) share: a lock that lets parallel test processes build a tool once, and a
// short tail of a failed build's output.
package toolbuild

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// Lock takes an exclusive flock on path, polling so that ctx can cancel the wait; waiting is
// called once if another process holds it. The kernel drops the lock with its holder, so a
// build that is killed never leaves a stale lock behind.
func Lock(ctx context.Context, path string, waiting func()) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("opening lock file %s: %w", path, err)
	}
	told := false
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() {
				_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
				_ = f.Close()
			}, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			_ = f.Close()
			return nil, fmt.Errorf("locking %s: %w", path, err)
		}
		if !told {
			waiting()
			told = true
		}
		select {
		case <-ctx.Done():
			_ = f.Close()
			return nil, fmt.Errorf("waiting for lock %s: %w", path, ctx.Err())
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// Tail returns at most the last n bytes of a build's output, cut at a line start, so that an
// error shows the compiler's last words rather than megabytes.
func Tail(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	b = b[len(b)-n:]
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		b = b[i+1:]
	}
	return "...\n" + string(b)
}

// Wait waits for a started command and calls still with the time since start every interval
// until it ends: a cold build takes minutes, and a person waiting should see that it is going.
func Wait(cmd *exec.Cmd, start time.Time, every time.Duration, still func(elapsed time.Duration)) error {
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	ticker := time.NewTicker(every)
	defer ticker.Stop()
	for {
		select {
		case <-ticker.C:
			still(time.Since(start).Round(time.Second))
		case err := <-done:
			return err
		}
	}
}
