package harness

import (
	"os"
	"testing"
)

// SkipUnlessKube skips tb when CONVEYOR_SKIP_KUBE=1. The Kubernetes tier runs by default,
// in CI too: without that variable a missing prerequisite makes the test fail, never skip, so
// a broken machine cannot pass for a green run.
func SkipUnlessKube(tb testing.TB) {
	tb.Helper()
	if os.Getenv("CONVEYOR_SKIP_KUBE") == "1" {
		tb.Skip("CONVEYOR_SKIP_KUBE=1: skipping the tier that needs a Kubernetes control plane")
	}
}

// SkipUnlessPubSub skips tb when CONVEYOR_SKIP_PUBSUB=1, with the same rule as SkipUnlessKube:
// without that variable, a machine lacking gcloud or java fails the test.
func SkipUnlessPubSub(tb testing.TB) {
	tb.Helper()
	if os.Getenv("CONVEYOR_SKIP_PUBSUB") == "1" {
		tb.Skip("CONVEYOR_SKIP_PUBSUB=1: skipping the tier that needs the Pub/Sub emulator")
	}
}

// SkipUnlessRealEngine skips tb when CONVEYOR_SKIP_REAL_ENGINE=1 or CONVEYOR_SKIP_KUBE=1: the
// real-engine tier runs the real program with the real kubernetes provider on a control
// plane, and building that provider takes a quarter of an hour on a cold machine. The same
// rule as SkipUnlessKube: without either variable, a missing prerequisite fails the test.
func SkipUnlessRealEngine(tb testing.TB) {
	tb.Helper()
	if os.Getenv("CONVEYOR_SKIP_REAL_ENGINE") == "1" {
		tb.Skip("CONVEYOR_SKIP_REAL_ENGINE=1: skipping the tier that runs the real program with the real providers")
	}
	SkipUnlessKube(tb)
}

// SkipUnlessPostgres skips tb when CONVEYOR_SKIP_POSTGRES=1, with the same rule as
// SkipUnlessKube: without that variable, a machine lacking the PostgreSQL binaries fails the
// test.
func SkipUnlessPostgres(tb testing.TB) {
	tb.Helper()
	if os.Getenv("CONVEYOR_SKIP_POSTGRES") == "1" {
		tb.Skip("CONVEYOR_SKIP_POSTGRES=1: skipping the tier that needs a PostgreSQL server")
	}
}

// SkipUnlessNode skips tb when CONVEYOR_SKIP_NODE=1 or CONVEYOR_SKIP_KUBE=1, or when the test
// binary is not root: the real node (KubeOptions.RealNode) makes namespaces, mounts and
// cgroups, which only root may. Otherwise, as for SkipUnlessKube, a missing prerequisite
// (containerd, runc, the CNI plugins, busybox-static: .ci/install-node) fails the test.
func SkipUnlessNode(tb testing.TB) {
	tb.Helper()
	if os.Getenv("CONVEYOR_SKIP_NODE") == "1" {
		tb.Skip("CONVEYOR_SKIP_NODE=1: skipping the tier that runs pods on a real node")
	}
	SkipUnlessKube(tb)
	if os.Geteuid() != 0 {
		tb.Skip("the real node needs root (namespaces, mounts, cgroups): skipping the tier that runs pods on a real node")
	}
}
