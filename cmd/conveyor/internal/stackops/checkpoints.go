package stackops

import (
	"strconv"

	"github.com/conveyor-paas/conveyor/components/naming"
)

// envSkipCheckpoints makes the Pulumi CLI write an update's state once, at its end, instead
// of after every step.
//
// The engine rewrites the whole checkpoint after each step, so an update's cost grows with
// the square of the stack's size (tests/bench/README.md: about 40% of an up of the demo
// catalog, and most of a 50-module one). Skipping the checkpoints is safe only where a killed
// update can be recovered from without them: a local environment (naming.StackLocal) holds
// nothing but Kubernetes objects with names fixed by convention, each applied under one field
// manager (components/fieldmanager.go), so the next up adopts whatever a killed one made that
// the state does not record. Environments on GKE also hold GCP resources (service accounts,
// topics), which a second create refuses: they keep every checkpoint.
const envSkipCheckpoints = "PULUMI_SKIP_CHECKPOINTS"

// skipsCheckpoints reports whether operations on env's stack skip the engine's intermediate
// checkpoints (see envSkipCheckpoints).
func skipsCheckpoints(env string) bool {
	kind, err := naming.ClassifyStack(env)
	return err == nil && kind == naming.StackLocal
}

// skipCheckpointsEnv is the workspace environment of the local environments' stacks, nil when
// the person running conveyor set PULUMI_SKIP_CHECKPOINTS themselves (their choice holds for
// every stack).
func skipCheckpointsEnv(getenv func(string) string, extra map[string]string) map[string]string {
	if _, set := extra[envSkipCheckpoints]; set || getenv(envSkipCheckpoints) != "" {
		return nil
	}
	return map[string]string{envSkipCheckpoints: "true"}
}

// checkpointsSkipped reports whether the CLI runs env's operations without intermediate
// checkpoints: by the PULUMI_SKIP_CHECKPOINTS its workspace hands it, else by this process's,
// as the CLI itself reads it. What relies on a killed operation having left no checkpoint
// (the refresh after a stale lock, the sweep) asks this, not the stack's name: an environment
// run with every checkpoint recovers as environments on GKE do.
func (e *Runner) checkpointsSkipped(env string) bool {
	v, ok := e.wsFor(env).GetEnvVars()[envSkipCheckpoints]
	if !ok {
		v = e.opts.Getenv(envSkipCheckpoints)
	}
	skipped, err := strconv.ParseBool(v)
	return err == nil && skipped
}
