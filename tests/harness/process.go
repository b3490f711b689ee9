package harness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// watchdog kills a component's process group when the test binary goes away. t.Cleanup does
// not run when `go test -timeout` panics or the binary is killed, and a leaked kube-apiserver
// or Pub/Sub emulator would hold ports and memory until the machine is recycled. The test
// binary holds the write end of the watchdog's stdin: the read returns once that closes, for
// whatever reason, and the group is killed. A process group rather than a parent-death signal,
// because gcloud runs the emulator as a java child that no such signal would reach.
const watchdog = `read -r _; kill -9 -"$1" 2>/dev/null`

// process is one component of a control plane, or the emulator, running as the leader of a
// session and process group of its own, so that stopping it also stops whatever it spawned.
// A session rather than just a group: gcloud moves itself into a new process group unless it
// leads its session, which would take its java child out of reach of a group kill.
type process struct {
	name     string
	cmd      *exec.Cmd
	watchdog *exec.Cmd
	pipe     io.WriteCloser // the watchdog's stdin
	logPath  string
	done     chan struct{}
	waitErr  error // set before done is closed
}

// startProcess starts bin with args in dir, appending its output to logs/<name>.log in dir.
// env is added to the test binary's environment.
func startProcess(dir, name string, env []string, bin string, args ...string) (*process, error) {
	return startProcessAs(dir, name, nil, env, bin, args...)
}

// startProcessAs is startProcess with the process running as another user when cred is set
// (PostgreSQL refuses to run as root).
func startProcessAs(dir, name string, cred *syscall.Credential, env []string, bin string, args ...string) (*process, error) {
	logDir := filepath.Join(dir, "logs")
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return nil, fmt.Errorf("creating log directory: %w", err)
	}
	logPath := filepath.Join(logDir, name+".log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("opening log of %s: %w", name, err)
	}
	defer logFile.Close() // the child has its own descriptor once started

	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Credential: cred}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	p := &process{name: name, cmd: cmd, logPath: logPath, done: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		close(p.done)
	}()

	// In a session of its own too, so that a Ctrl-C aimed at `go test` does not take the
	// watchdog down before it has done its job.
	p.watchdog = exec.Command("/bin/sh", "-c", watchdog, "sh", strconv.Itoa(cmd.Process.Pid))
	p.watchdog.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if p.pipe, err = p.watchdog.StdinPipe(); err == nil {
		err = p.watchdog.Start()
	}
	if err != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
		return nil, fmt.Errorf("starting the watchdog of %s: %w", name, err)
	}
	return p, nil
}

// exited reports whether the component has exited.
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// exitError describes an unexpected exit, with the end of the component's log, which is
// where the reason is.
func (p *process) exitError() error {
	return fmt.Errorf("%s exited early (%v); end of %s:\n%s", p.name, p.waitErr, p.logPath, p.logTail(30))
}

// stop asks the process group to terminate, and kills it after grace. It waits for the whole
// group to be gone, not just its leader, so that ports and files are free when it returns.
func (p *process) stop(grace time.Duration) {
	pgid := p.cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	deadline := time.Now().Add(grace)
	for groupAlive(pgid) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if groupAlive(pgid) {
		// Closing the pipe makes the watchdog SIGKILL whatever is left of the group.
		_ = p.pipe.Close()
	} else {
		// Nothing left to kill: retire the watchdog without letting it signal a group id
		// that is free for reuse.
		_ = p.watchdog.Process.Kill()
		_ = p.pipe.Close()
	}
	_ = p.watchdog.Wait()
	for i := 0; i < 100 && groupAlive(pgid); i++ {
		time.Sleep(20 * time.Millisecond)
	}
	<-p.done
}

// groupAlive reports whether any process of the group still exists (zombies count until
// reaped, which init does promptly for orphans and the waiting goroutine does for ours).
func groupAlive(pgid int) bool {
	err := syscall.Kill(-pgid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// logTail returns the last n lines of the component's log.
func (p *process) logTail(n int) string {
	data, err := os.ReadFile(p.logPath)
	if err != nil {
		return fmt.Sprintf("(cannot read log: %v)", err)
	}
	lines := bytes.Split(bytes.TrimRight(data, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return "    " + strings.ReplaceAll(string(bytes.Join(lines, []byte("\n"))), "\n", "\n    ")
}

// waitUntil polls check until it succeeds, ctx ends, or one of procs exits, whichever comes
// first. A component that dies while others wait for it fails fast with its log instead of
// running into the timeout.
func waitUntil(ctx context.Context, what string, procs []*process, check func(ctx context.Context) error) error {
	var last error
	for {
		for _, p := range procs {
			if p.exited() {
				return fmt.Errorf("waiting for %s: %w", what, p.exitError())
			}
		}
		attempt, cancel := context.WithTimeout(ctx, 5*time.Second)
		last = check(attempt)
		cancel()
		if last == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w (last check: %v)", what, ctx.Err(), last)
		case <-time.After(250 * time.Millisecond):
		}
	}
}
