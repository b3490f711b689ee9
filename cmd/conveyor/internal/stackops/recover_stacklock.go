package stackops

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// What the Runner itself does to an environment between two CLI calls (the sweep of a local
// environment, recover_sweep.go) must not run beside an operation of the same stack: it would delete
// what that operation has just made. So the Runner takes the stack's lock itself, the way a
// DIY backend's CLI takes it (pkg/backend/diy/lock.go): it writes a lock file of its own into
// the stack's lock folder, then lists the folder; if any other lock is there it removes its
// own and waits, as the CLI gives up when it finds another. Any two that write then list see
// each other, so at most one of the CLI and the Runner goes on. The CLI reads the Runner's
// lock as any other: "created by user@host (pid N)", this process.
//
// Only a file:// backend's folder can be written here; on another backend lockStack says so.

// errNotLockable is lockStack's answer for a backend whose locks this process cannot write.
var errNotLockable = errors.New("the backend is not a file:// folder")

// lockStack takes env's lock, waiting under the retry policy while another holds it, and
// returns the function that releases it.
func (r *Runner) lockStack(ctx context.Context, env string, o RunOptions) (func() error, error) {
	l, err := r.newStackLock(env)
	if err != nil {
		return nil, err
	}
	waiting := func(wait time.Duration, holder string) {
		o.notify("environment %s is locked by %s; retrying in %s", env, holder, wait.Round(100*time.Millisecond))
	}
	_, err = withLockRetry(ctx, r.opts.LockRetry, env, waiting, func() error {
		err := l.take()
		if err != nil && isLockError(err) {
			if removed, berr := breakStaleLocks(err, thisHost()); berr != nil {
				return berr
			} else if len(removed) > 0 {
				o.notify("environment %s was locked by a process of this host that no longer runs (a killed operation); removed its stale lock", env)
			}
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return l.release, nil
}

// stackLock is one lock file of this process for env's lock folder, named at random and not
// yet written: take writes it, release removes it.
type stackLock struct {
	env, dir, path string
	content        []byte
}

// newStackLock names a lock file of this process in env's lock folder.
func (r *Runner) newStackLock(env string) (stackLock, error) {
	dir, err := r.lockDir(env)
	if err != nil {
		return stackLock{}, err
	}
	content, err := ownLock()
	if err != nil {
		return stackLock{}, err
	}
	name := make([]byte, 16)
	if _, err := rand.Read(name); err != nil {
		return stackLock{}, fmt.Errorf("naming a lock of %s: %w", env, err)
	}
	return stackLock{env: env, dir: dir, path: filepath.Join(dir, hex.EncodeToString(name)+".json"), content: content}, nil
}

// take writes the lock file, and fails with a lock error when another lock is there (tryLock).
func (l stackLock) take() error { return tryLock(l.dir, l.path, l.content) }

// release removes the lock file; one already gone is released.
func (l stackLock) release() error {
	if err := os.Remove(l.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("releasing the lock of %s: %w", l.env, err)
	}
	return nil
}

// lockDir is the folder of env's locks in its tier's backend.
func (r *Runner) lockDir(env string) (string, error) {
	backend := r.opts.Settings.tierSettings(env).BackendURL
	u, err := url.Parse(backend)
	if err != nil || u.Scheme != "file" {
		return "", errNotLockable
	}
	root := u.Path
	if u.Host == "~" || strings.HasPrefix(u.Opaque, "~") {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("the backend %s: %w", backend, err)
		}
		root = filepath.Join(home, strings.TrimPrefix(u.Opaque, "~"), u.Path)
	}
	return filepath.Join(root, ".pulumi", "locks", "organization", r.opts.Project, env), nil
}

// ownLock is the content of this process's lock, as the CLI writes its own.
func ownLock() ([]byte, error) {
	host, err := os.Hostname()
	if err != nil {
		return nil, fmt.Errorf("writing a lock: %w", err)
	}
	name := "conveyor"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	return json.Marshal(lockContent{Pid: os.Getpid(), Username: name, Hostname: host, Timestamp: time.Now()})
}

// tryLock writes the lock file at path into dir and keeps it only if no other lock is there;
// otherwise it removes it and returns the CLI's own lock error, naming the others.
func tryLock(dir, path string, content []byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("taking the lock: %w", err)
	}
	if err := os.WriteFile(path, content, 0o644); err != nil {
		return fmt.Errorf("taking the lock: %w", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		_ = os.Remove(path)
		return fmt.Errorf("taking the lock: %w", err)
	}
	var others []string
	for _, d := range entries {
		if other := filepath.Join(dir, d.Name()); !d.IsDir() && other != path {
			others = append(others, other)
		}
	}
	if len(others) == 0 {
		return nil
	}
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("giving back the lock: %w", err)
	}
	return lockedBy(others)
}

// lockedBy is the error of a stack held by the lock files others, in the CLI's words, which
// isLockError, lockHolder and breakStaleLocks read.
func lockedBy(others []string) error {
	slices.Sort(others)
	msg := fmt.Sprintf("the stack is currently locked by %d lock(s).", len(others))
	for _, other := range others {
		var l lockContent
		if data, err := os.ReadFile(other); err == nil {
			_ = json.Unmarshal(data, &l)
		}
		msg += fmt.Sprintf("\n  %s: created by %s@%s (pid %d) at %s", (&url.URL{Scheme: "file", Path: other}).String(), l.Username, l.Hostname, l.Pid, l.Timestamp.Format(time.RFC3339))
	}
	return errors.New(msg)
}
