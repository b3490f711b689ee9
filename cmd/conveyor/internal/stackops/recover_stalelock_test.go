package stackops

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// writeLock writes a lock file as the DIY backend does, into a stack's lock folder under
// backend, and returns its path.
func writeLock(t *testing.T, backend, name string, lock lockContent) string {
	t.Helper()
	dir := filepath.Join(backend, ".pulumi", "locks", "organization", "conveyor", "local-a")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(lock)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name+".json")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// lockError is the DIY backend's error listing the locks at paths.
func lockError(t *testing.T, paths ...string) error {
	t.Helper()
	msg := fmt.Sprintf("stderr: error: the stack is currently locked by %d lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.", len(paths))
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var l lockContent
		if err := json.Unmarshal(data, &l); err != nil {
			t.Fatal(err)
		}
		msg += fmt.Sprintf("\n  file://%s: created by %s@%s (pid %d) at %s", p, l.Username, l.Hostname, l.Pid, l.Timestamp.Format(time.RFC3339))
	}
	return errors.New(msg)
}

// TestBreakStaleLocks: only a lock file whose holder is provably gone is removed, and only
// that file, whatever else the stack's lock folder holds by then.
func TestBreakStaleLocks(t *testing.T) {
	taken := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	// A test double of this host's processes: 42 and 43 ended; 7 runs since before the
	// locks were taken; 8 is a newer process that got a reused pid.
	probe := holderProbe{host: "runner-7", started: func(pid int) (time.Time, bool, error) {
		switch pid {
		case 7:
			return taken.Add(-time.Minute), true, nil
		case 8:
			return taken.Add(time.Hour), true, nil
		case 9:
			return time.Time{}, false, errors.New("permission denied")
		}
		return time.Time{}, false, nil
	}}
	lock := func(host string, pid int) lockContent {
		return lockContent{Pid: pid, Username: "ci", Hostname: host, Timestamp: taken}
	}
	tests := []struct {
		name    string
		named   map[string]lockContent // the locks the failed attempt listed
		later   map[string]lockContent // locks taken after it listed them
		removed []string
	}{
		{"this host, process gone", map[string]lockContent{"a": lock("runner-7", 42)}, nil, []string{"a"}},
		{"this host, process runs", map[string]lockContent{"a": lock("runner-7", 7)}, nil, nil},
		{"this host, pid reused by a newer process", map[string]lockContent{"a": lock("runner-7", 8)}, nil, []string{"a"}},
		{"this host, cannot tell", map[string]lockContent{"a": lock("runner-7", 9)}, nil, nil},
		{"another host: its pids say nothing here", map[string]lockContent{"a": lock("runner-8", 42)}, nil, nil},
		{"two locks, one live: the stale one goes", map[string]lockContent{"a": lock("runner-7", 42), "b": lock("runner-7", 7)}, nil, []string{"a"}},
		{"two locks, both gone", map[string]lockContent{"a": lock("runner-7", 42), "b": lock("runner-7", 43)}, nil, []string{"a", "b"}},
		// Another waiter broke the stale lock and took its own since: only the stale file
		// may go, never the lock taken since.
		{"a lock taken since the attempt", map[string]lockContent{"a": lock("runner-7", 42)}, map[string]lockContent{"b": lock("runner-7", 7)}, []string{"a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			backend := t.TempDir()
			var named []string
			for _, name := range slices.Sorted(maps.Keys(tt.named)) {
				named = append(named, writeLock(t, backend, name, tt.named[name]))
			}
			err := lockError(t, named...)
			for name, l := range tt.later {
				writeLock(t, backend, name, l)
			}
			removed, berr := breakStaleLocks(err, probe)
			if berr != nil {
				t.Fatal(berr)
			}
			var got []string
			for _, p := range removed {
				got = append(got, strings.TrimSuffix(filepath.Base(p), ".json"))
			}
			if diff := cmp.Diff(tt.removed, got); diff != "" {
				t.Errorf("removed (-want +got):\n%s", diff)
			}
			left, _ := filepath.Glob(filepath.Join(filepath.Dir(named[0]), "*.json"))
			if len(left)+len(removed) != len(tt.named)+len(tt.later) {
				t.Errorf("%d lock(s) left and %d removed of %d", len(left), len(removed), len(tt.named)+len(tt.later))
			}
		})
	}
	t.Run("a backend that is not a folder", func(t *testing.T) {
		err := errors.New("the stack is currently locked by 1 lock(s).\n  gs://state/.pulumi/locks/organization/conveyor/dev/1.json: created by ci@runner-7 (pid 42) at 2026-11-02T09:00:00Z")
		if removed, berr := breakStaleLocks(err, probe); len(removed) != 0 || berr != nil {
			t.Errorf("removed %v (%v)", removed, berr)
		}
	})
}

// TestProcessStart checks the probe on real processes: this one runs and started before now;
// a child that exited is gone, reaped or not (a zombie).
func TestProcessStart(t *testing.T) {
	started, running, err := processStart(os.Getpid())
	if err != nil || !running || started.After(time.Now()) || started.Before(time.Now().Add(-24*time.Hour)) {
		t.Errorf("this process: started %s, running %v, %v", started, running, err)
	}
	zombie := exec.Command("true")
	if err := zombie.Start(); err != nil {
		t.Fatal(err)
	}
	pid := zombie.Process.Pid
	for i := 0; i < 200; i++ { // until it has exited, not reaped: its stat says Z
		if _, running, _ := processStart(pid); !running {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, running, err := processStart(pid); running || err != nil {
		t.Errorf("the exited, unreaped child %d: running %v, %v", pid, running, err)
	}
	if err := zombie.Wait(); err != nil {
		t.Fatal(err)
	}
	if _, running, err := processStart(pid); running || err != nil {
		t.Errorf("the reaped child %d: running %v, %v", pid, running, err)
	}
}
