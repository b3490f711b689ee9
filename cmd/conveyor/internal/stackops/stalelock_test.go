package stackops

import (
	"errors"
	"os"
	"os/exec"
	"testing"
)

func TestStaleLock(t *testing.T) {
	lock := func(holders ...string) error {
		msg := "stderr: error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.\n"
		for _, h := range holders {
			msg += "  file:///x/.pulumi/locks/organization/conveyor/local-a/1.json: created by " + h + " at 2026-11-02T09:00:00Z\n"
		}
		return errors.New(msg)
	}
	dead := map[int]bool{42: true, 43: true}
	alive := func(pid int) bool { return !dead[pid] }
	tests := []struct {
		name string
		err  error
		host string
		want bool
	}{
		{"this host, process gone", lock("ci@runner-7 (pid 42)"), "runner-7", true},
		{"this host, process runs", lock("ci@runner-7 (pid 7)"), "runner-7", false},
		{"another host: its pids say nothing here", lock("ci@runner-8 (pid 42)"), "runner-7", false},
		{"two locks, one live", lock("ci@runner-7 (pid 42)", "ci@runner-7 (pid 7)"), "runner-7", false},
		{"two locks, both gone", lock("ci@runner-7 (pid 42)", "ci@runner-7 (pid 43)"), "runner-7", true},
		{"no holder named", errors.New("the stack is currently locked by 1 lock(s)"), "runner-7", false},
		{"host unknown", lock("ci@runner-7 (pid 42)"), "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := staleLock(tt.err, tt.host, alive); got != tt.want {
				t.Errorf("staleLock = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestProcessAlive checks the probe on real processes: this one runs, a reaped child does not.
func TestProcessAlive(t *testing.T) {
	if !processAlive(os.Getpid()) {
		t.Error("this process is reported gone")
	}
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	if processAlive(cmd.Process.Pid) {
		t.Errorf("the reaped child %d is reported alive", cmd.Process.Pid)
	}
}
