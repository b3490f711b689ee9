package stackops

import (
	"maps"
	"strconv"

	"github.com/conveyor-paas/conveyor/naming"
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

// checkpointEnvs are the workspace environments of the local environments' stacks and of every
// other stack, over extra. Local ones skip the checkpoints unless the person running conveyor
// set PULUMI_SKIP_CHECKPOINTS (in extra, or in the environment every CLI call inherits): their
// choice holds there. Every other stack is run with it false, explicitly, so that a person's
// PULUMI_SKIP_CHECKPOINTS=true never reaches an environment holding GCP resources; notice
// says so when it was set.
func checkpointEnvs(getenv func(string) string, extra map[string]string) (local, other map[string]string, notice string) {
	choice, set := extra[envSkipCheckpoints]
	if !set {
		choice, set = getenv(envSkipCheckpoints), getenv(envSkipCheckpoints) != ""
	}
	local, other = maps.Clone(extra), maps.Clone(extra)
	if local == nil {
		local, other = map[string]string{}, map[string]string{}
	}
	local[envSkipCheckpoints], other[envSkipCheckpoints] = "true", "false"
	if set {
		local[envSkipCheckpoints] = choice
		if choice != "false" && choice != "0" {
			notice = envSkipCheckpoints + "=" + choice + " applies to local environments only: every other stack keeps every checkpoint"
		}
	}
	return local, other, notice
}

// checkpointsSkipped reports whether the CLI runs env's operations without intermediate
// checkpoints: by the PULUMI_SKIP_CHECKPOINTS its workspace hands it, else by this process's,
// as the CLI itself reads it. What relies on a killed operation having left no checkpoint
// (the refresh after a stale lock, the sweep) asks this, not the stack's name: an environment
// run with every checkpoint recovers as environments on GKE do.
func (r *Runner) checkpointsSkipped(env string) bool {
	v, ok := r.wsFor(env).GetEnvVars()[envSkipCheckpoints]
	if !ok {
		v = r.opts.Getenv(envSkipCheckpoints)
	}
	skipped, err := strconv.ParseBool(v)
	return err == nil && skipped
}
