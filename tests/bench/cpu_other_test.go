//go:build !unix

package bench

import (
	"testing"
	"time"
)

// cpuTime is not measured here: the CPU time per operation then reads 0.
func cpuTime(*testing.B) time.Duration { return 0 }
