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

// SkipUnlessPostgres skips tb when CONVEYOR_SKIP_POSTGRES=1, with the same rule as
// SkipUnlessKube: without that variable, a machine lacking the PostgreSQL binaries fails the
// test.
func SkipUnlessPostgres(tb testing.TB) {
	tb.Helper()
	if os.Getenv("CONVEYOR_SKIP_POSTGRES") == "1" {
		tb.Skip("CONVEYOR_SKIP_POSTGRES=1: skipping the tier that needs a PostgreSQL server")
	}
}
