package stackops

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optrefresh"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/opsummary"
)

// recoverInterrupted makes an update that was killed (its CLI gone before it could finish)
// harmless for the next one. Its stale lock is removed by run (recover_stalelock.go); what is left is
// its pending operations. Pulumi's next update clears the pending updates and deletes, but
// keeps every pending create in the state for ever, warning on each update, since an object
// may have been made that the state does not record. A refresh that clears them, after the
// next successful update, settles this: every object Conveyor makes has a name fixed by convention, and the kubernetes
// provider's server-side apply adopts an existing object of that name on the update's create
// (TestKilledUpdateConverges proves that nothing is left orphaned, live or in state).
func (r *Runner) recoverInterrupted(ctx context.Context, st *auto.Stack, o RunOptions) error {
	pending, err := r.pendingOperations(ctx, st.Name())
	if err != nil || pending == 0 {
		return err
	}
	o.notify("environment %s holds %d operation(s) of an interrupted update; refreshing it to clear them", st.Name(), pending)
	_, err = r.run(ctx, st, OpRefresh, false, o, func(ch chan<- events.EngineEvent) error {
		return r.clearPending(ctx, st, optrefresh.EventStreams(ch))
	})
	if err != nil {
		return fmt.Errorf("clearing the operations an interrupted update left in %s: %w", st.Name(), err)
	}
	return nil
}

// refreshAfterKill makes st's state true again before an operation is retried on it after a
// killed one (its stale lock just removed), where the state may record as live what the
// killed operation deleted: the retried operation would take it for unchanged, and never make
// it again.
//   - Without intermediate checkpoints the state is the one from before the killed operation,
//     and records everything it deleted: the whole stack is refreshed.
//   - With every checkpoint (environments on GKE), only the resources whose delete was in
//     flight are in doubt (their pending operations, which the next update drops, keeping the
//     resources as they were): those are refreshed, and the pending creates are left for the
//     update, since a GCP resource's create cannot be adopted.
//
// TestKilledUpdateConverges kills a destroy in both modes.
func (r *Runner) refreshAfterKill(ctx context.Context, st *auto.Stack, o RunOptions) error {
	if r.checkpointsSkipped(st.Name()) {
		o.notify("environment %s skips checkpoints: refreshing its state from the cluster before retrying", st.Name())
		if err := r.clearPending(ctx, st); err != nil {
			return fmt.Errorf("refreshing %s after its killed operation: %w", st.Name(), err)
		}
		return nil
	}
	dep, err := r.deployment(ctx, st.Name())
	if err != nil {
		return err
	}
	var deleting []string
	for _, op := range dep.PendingOperations {
		if op.Type == apitype.OperationTypeDeleting {
			deleting = append(deleting, string(op.Resource.URN))
		}
	}
	if len(deleting) == 0 {
		return nil
	}
	o.notify("environment %s: the killed operation was deleting %d resource(s); refreshing them before retrying", st.Name(), len(deleting))
	if err := r.refresh(ctx, st, optrefresh.Target(deleting)); err != nil {
		return fmt.Errorf("refreshing what the killed operation on %s was deleting: %w", st.Name(), err)
	}
	return nil
}

// clearPending refreshes st from what is live and drops the pending creates an interrupted
// operation left. Like every other CLI call it runs with the composed config (opConfig):
// without it the CLI would find no secrets manager in the stack file (its keys are in the
// stack's tags) and make a new one, re-keying a passphrase stack or falling back to the
// passphrase on a KMS one.
func (r *Runner) clearPending(ctx context.Context, st *auto.Stack, opts ...optrefresh.Option) error {
	return r.refresh(ctx, st, append(opts, optrefresh.ClearPendingCreates())...)
}

// refresh refreshes st with opts, through the composed config as clearPending says why.
func (r *Runner) refresh(ctx context.Context, st *auto.Stack, opts ...optrefresh.Option) error {
	path, done, err := r.opConfig(ctx, st)
	if err != nil {
		return err
	}
	opts = append(opts, optrefresh.Color("never"), optrefresh.ConfigFile(path))
	_, err = st.Refresh(ctx, opts...)
	if derr := done(ctx); err == nil {
		err = derr
	}
	return err
}

// pendingOperationsWarning opens the warning the engine gives when an update begins on a
// state that holds pending operations (pkg/resource/deploy's printPendingOperationsWarning).
const pendingOperationsWarning = "Attempting to deploy or update resources with"

// startedWithPendingOperations reports whether the update s summarizes began on a state with
// pending operations, by the engine's warning. Only then can some be left after it, so every
// other update is spared reading the whole state again (a CLI call and the checkpoint: a
// second or more per update). TestKilledUpdateConverges fails if the warning's text changes.
func startedWithPendingOperations(s *opsummary.Summary) bool {
	if s == nil {
		return false
	}
	for _, d := range s.Diagnostics {
		if d.Severity == "warning" && strings.Contains(d.Message, pendingOperationsWarning) {
			return true
		}
	}
	return false
}

// pendingOperations counts the operations in env's state that an update started and never
// finished.
func (r *Runner) pendingOperations(ctx context.Context, env string) (int, error) {
	dep, err := r.deployment(ctx, env)
	return len(dep.PendingOperations), err
}

// deployment is env's state: its latest checkpoint, empty for a stack never updated.
func (r *Runner) deployment(ctx context.Context, env string) (apitype.DeploymentV3, error) {
	var dep apitype.DeploymentV3
	state, err := r.wsFor(env).ExportStack(ctx, env)
	if err != nil {
		return dep, fmt.Errorf("reading the state of %s: %w", env, err)
	}
	if len(state.Deployment) > 0 {
		if err := json.Unmarshal(state.Deployment, &dep); err != nil {
			return dep, fmt.Errorf("reading the state of %s: %w", env, err)
		}
	}
	return dep, nil
}
