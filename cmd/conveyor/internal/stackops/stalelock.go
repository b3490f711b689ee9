package stackops

import (
	"errors"
	"os"
	"regexp"
	"strconv"
	"syscall"
)

// A killed update (SIGKILL of the CLI, a CI runner that died) leaves its lock in a DIY
// backend, and every later operation would wait for it until it gives up. The engine still
// never breaks a lock another operation may hold; it removes only a lock it can prove stale:
// taken on this very host by a process that no longer runs.

// lockHolders matches every holder a DIY backend's lock error lists: user@host (pid N).
var lockHolders = regexp.MustCompile(`created by \S+@(\S+) \(pid (\d+)\) at`)

// staleLock reports whether every lock named in err was taken on host by a process for which
// alive says false. A message naming no holder is not stale: nothing proves it.
func staleLock(err error, host string, alive func(pid int) bool) bool {
	holders := lockHolders.FindAllStringSubmatch(err.Error(), -1)
	if len(holders) == 0 || host == "" {
		return false
	}
	for _, h := range holders {
		pid, convErr := strconv.Atoi(h[2])
		if h[1] != host || convErr != nil || alive(pid) {
			return false
		}
	}
	return true
}

// processAlive reports whether a process with pid runs on this host. When in doubt (no
// permission to signal it) it says true, so that a lock is kept.
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || !errors.Is(err, syscall.ESRCH)
}

// hostname is this host's name as the DIY backend records it in a lock, or "" if unknown.
func hostname() string {
	h, err := os.Hostname()
	if err != nil {
		return ""
	}
	return h
}
