package realengine

import (
	"syscall"
	"testing"
	"time"
)

// cpuTime is the CPU time of this process and of its children that have ended and been
// waited for, with theirs: the Pulumi CLI of each operation and the plugins it ran.
func cpuTime(tb testing.TB) time.Duration {
	tb.Helper()
	var total time.Duration
	for _, who := range []int{syscall.RUSAGE_SELF, syscall.RUSAGE_CHILDREN} {
		var u syscall.Rusage
		if err := syscall.Getrusage(who, &u); err != nil {
			tb.Fatal(err)
		}
		total += time.Duration(u.Utime.Nano() + u.Stime.Nano())
	}
	return total
}
