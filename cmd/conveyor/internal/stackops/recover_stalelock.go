package stackops

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// A killed update (SIGKILL of the CLI, a CI runner that died) leaves its lock in a DIY
// backend, and every later operation would wait for it until it gives up. The Runner still
// never breaks a lock another operation may hold; it removes only a lock it can prove stale,
// one lock file at a time:
//   - the lock is a file of a file:// backend, so that the file named is the one removed (a
//     lock's file name is unique to the CLI process that took it, and only that process ever
//     writes it);
//   - the file, read again just before it is removed, says it was taken on this host by a
//     process that no longer runs: no process has its pid, or the one that has it started
//     after the lock was taken (the pid was reused), or it is a zombie.
// `pulumi cancel` is never used: it deletes every lock file of the stack, and so a lock that
// another waiter took since this one's failed attempt listed the stale one.

// lockFiles matches each lock a DIY backend's lock error lists: "<url>: created by user@host".
var lockFiles = regexp.MustCompile(`(\S+): created by \S+@\S+ \(pid \d+\) at`)

// lockContent is what the DIY backend writes into a lock file (pkg/backend/diy/lock.go).
type lockContent struct {
	Pid       int       `json:"pid"`
	Username  string    `json:"username"`
	Hostname  string    `json:"hostname"`
	Timestamp time.Time `json:"timestamp"`
}

// holderProbe decides whether a lock's holder may still run.
type holderProbe struct {
	// host is this host's name as the DIY backend records it; "" proves nothing.
	host string
	// started reports when the process with pid started, and false when no live process has
	// it (none, or a zombie); an error when it cannot tell.
	started func(pid int) (time.Time, bool, error)
}

// breakStaleLocks removes each lock that err lists and that p proves stale, and returns the
// files it removed. Locks it cannot prove stale are left for the retry to wait on.
func breakStaleLocks(err error, p holderProbe) ([]string, error) {
	var removed []string
	for _, m := range lockFiles.FindAllStringSubmatch(err.Error(), -1) {
		path, ok := localLockFile(m[1])
		if !ok {
			continue
		}
		gone, rerr := p.removeIfStale(path)
		if rerr != nil {
			return removed, rerr
		}
		if gone {
			removed = append(removed, path)
		}
	}
	return removed, nil
}

// localLockFile is the path of a lock a file:// backend names by URL.
func localLockFile(lockURL string) (string, bool) {
	u, err := url.Parse(lockURL)
	if err != nil || u.Scheme != "file" || !strings.HasSuffix(u.Path, ".json") || !strings.Contains(u.Path, "/.pulumi/locks/") {
		return "", false
	}
	return u.Path, true
}

// removeIfStale reads the lock file at path and removes it if its holder is provably gone.
// A file already gone counts as not removed: its holder ended and removed it itself.
func (p holderProbe) removeIfStale(path string) (bool, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("reading the lock %s: %w", path, err)
	}
	var lock lockContent
	if json.Unmarshal(data, &lock) != nil || !p.gone(lock) {
		return false, nil
	}
	// The file is the holder's alone, and the holder is gone: nobody can have rewritten it
	// since; it is read once more so that this stays true whatever a backend might do.
	if again, err := os.ReadFile(path); err != nil || !bytes.Equal(again, data) {
		return false, nil
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("removing the stale lock %s: %w", path, err)
	}
	return true, nil
}

// pidReuseSlack allows for the coarseness of a process's recorded start (1/100 s) against
// the lock's timestamp, which the holder wrote after it started.
const pidReuseSlack = time.Second

// gone reports whether lock's holder provably no longer runs.
func (p holderProbe) gone(lock lockContent) bool {
	if p.host == "" || lock.Hostname != p.host || lock.Pid <= 0 || lock.Timestamp.IsZero() {
		return false
	}
	started, running, err := p.started(lock.Pid)
	if err != nil {
		return false
	}
	return !running || started.After(lock.Timestamp.Add(pidReuseSlack))
}

// thisHost is the probe of this host's processes.
func thisHost() holderProbe {
	h, err := os.Hostname()
	if err != nil {
		h = ""
	}
	return holderProbe{host: h, started: processStart}
}

// userHz is the unit of the start times /proc reports, fixed at 100 for user space on Linux.
const userHz = 100

// processStart reads when the process with pid started from /proc; running is false when no
// process has that pid or it is a zombie (it ended; its parent has not reaped it yet).
func processStart(pid int) (time.Time, bool, error) {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if errors.Is(err, fs.ErrNotExist) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("reading process %d: %w", pid, err)
	}
	// The command name, field 2, is in parentheses and may hold spaces: fields are counted
	// after its closing one, from field 3 (the state); the start time is field 22.
	end := bytes.LastIndexByte(stat, ')')
	if end < 0 {
		return time.Time{}, false, fmt.Errorf("process %d: unreadable /proc stat", pid)
	}
	fields := strings.Fields(string(stat[end+1:]))
	if len(fields) < 20 {
		return time.Time{}, false, fmt.Errorf("process %d: unreadable /proc stat", pid)
	}
	if fields[0] == "Z" || fields[0] == "X" {
		return time.Time{}, false, nil
	}
	ticks, err := strconv.ParseInt(fields[19], 10, 64)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("process %d: start time: %w", pid, err)
	}
	boot, err := bootTime()
	if err != nil {
		return time.Time{}, false, err
	}
	return boot.Add(time.Duration(ticks) * time.Second / userHz), true, nil
}

// bootTime is when this host booted (btime of /proc/stat).
func bootTime() (time.Time, error) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return time.Time{}, fmt.Errorf("reading the boot time: %w", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "btime "); ok {
			secs, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil {
				return time.Time{}, fmt.Errorf("reading the boot time: %w", err)
			}
			return time.Unix(secs, 0), nil
		}
	}
	return time.Time{}, errors.New("reading the boot time: no btime in /proc/stat")
}
