package realengine

import (
	"flag"
	"sync"
	"testing"
)

// The tier's tests run as two streams side by side: the tests on the kwok control plane
// (setup) one after another, and the tests on the real node (setupNode) one after another.
// Within a stream a test has its cluster to itself, as the tests assume (they count what is
// live, time their locks, kill updates); across streams nothing is shared but the machine.
// The node's tests spend most of their time waiting on containers and rollout deadlines, so
// running them beside the kwok stream takes the node's minutes off the tier's wall time
// instead of adding them to it.
type stream struct{ mu sync.Mutex }

var kwokStream, nodeStream stream

// join makes tb's test a parallel one that runs when its stream is free, and frees the stream
// when it ends. Benchmarks run alone, as go test runs them, and do not join.
func (s *stream) join(tb testing.TB) {
	tb.Helper()
	t, ok := tb.(*testing.T)
	if !ok {
		return
	}
	t.Parallel()
	s.mu.Lock()
	t.Cleanup(s.mu.Unlock)
}

// allowBothStreams lifts go test's limit on parallel tests (GOMAXPROCS by default) unless
// -test.parallel was given, so that a test waiting for its stream never holds the slot the
// other stream's next test needs. The streams themselves bound what runs at once to two.
func allowBothStreams() {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set {
		_ = flag.Set("test.parallel", "8")
	}
}
