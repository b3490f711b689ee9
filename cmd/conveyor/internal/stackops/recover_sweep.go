package stackops

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/opsummary"
	"github.com/conveyor-paas/conveyor/internal/kubeobjects"
	"github.com/conveyor-paas/conveyor/naming"
)

// A local environment skips the engine's intermediate checkpoints (state_checkpoints.go), so an
// operation killed midway leaves live objects its state does not record. The next up adopts
// those the program still declares; the others, and everything such an update made before a
// destroy, would stay live for ever. The sweep deletes them, found by the labels every object
// carries (naming.LabelEnvironment, and naming.LabelManagedBy: nothing another tool made):
//   - after a successful destroy of a local environment;
//   - after a successful up that removed a killed operation's lock;
// every object so labelled that the stack's state does not hold and no controller made from
// what it holds. The sweep runs under the stack's lock (recover_stacklock.go), taken after the
// operation's CLI released it, and reads the state under it: an operation of the same stack
// that started in between (a second runner's up right after a destroy) has finished by then,
// and what it made is in the state it left, so nothing it made is deleted.
//
// A run with nothing killed before it does not sweep after an up: it cannot have orphans, and
// reading the state and listing every kind would cost every update a few seconds.

// sweepAfter runs the sweep for a successful operation op on st, and records what it deleted
// in s.
func (r *Runner) sweepAfter(ctx context.Context, st *auto.Stack, op string, s *opsummary.Summary, o RunOptions) error {
	if r.opts.LocalCluster == nil || !skipsCheckpoints(st.Name()) || !r.checkpointsSkipped(st.Name()) || s == nil {
		return nil
	}
	if recoveredUp := op == OpUpdate && s.Recovered && len(s.Targets) == 0; op != OpDestroy && !recoveredUp {
		return nil
	}
	unlock, err := r.lockStack(ctx, st.Name(), o)
	if errors.Is(err, errNotLockable) {
		// Nothing can keep an operation out while the sweep runs: deleting then might delete
		// what it makes, so the orphans stay, and are said.
		o.notify("environment %s: not sweeping what a killed operation left (%v: the sweep cannot lock the stack)", st.Name(), err)
		return nil
	}
	if err != nil {
		return fmt.Errorf("sweeping %s: %w", st.Name(), err)
	}
	swept, err := r.sweepLocked(ctx, st.Name())
	if uerr := unlock(); err == nil {
		err = uerr
	}
	for _, ref := range swept {
		s.Swept = append(s.Swept, string(ref))
	}
	if len(swept) > 0 {
		o.notify("environment %s: deleted %d object(s) a killed operation left and no state holds", st.Name(), len(swept))
	}
	return err
}

// sweepLocked deletes the live objects labelled with env that its state, read now, does not
// account for. The caller holds env's lock.
func (r *Runner) sweepLocked(ctx context.Context, env string) ([]kubeobjects.Ref, error) {
	keep, err := r.stateObjects(ctx, env)
	if err != nil {
		return nil, err
	}
	config, err := r.opts.LocalCluster(ctx, env)
	if err != nil {
		return nil, fmt.Errorf("sweeping %s: %w", env, err)
	}
	c, err := kubeobjects.New(config)
	if err != nil {
		return nil, fmt.Errorf("sweeping %s: %w", env, err)
	}
	live, err := c.List(ctx, sweepSelector(env))
	if err != nil {
		return nil, fmt.Errorf("sweeping %s: %w", env, err)
	}
	orphans := kubeobjects.Orphans(live, keep)
	var swept []kubeobjects.Ref
	for _, o := range orphans {
		if err := c.Delete(ctx, o); err != nil {
			return swept, fmt.Errorf("sweeping %s: %w", env, err)
		}
		swept = append(swept, o.Ref)
	}
	// As Pulumi's engine waits for what it deletes: once the command returns, it is gone.
	wctx, cancel := context.WithTimeout(ctx, sweepTimeout)
	defer cancel()
	if err := c.WaitGone(wctx, orphans); err != nil {
		return swept, fmt.Errorf("sweeping %s: %w", env, err)
	}
	return swept, nil
}

// sweepSelector selects what Conveyor made for env: both labels, so that an object another
// tool labelled with the environment is never taken for an orphan.
func sweepSelector(env string) string {
	return naming.LabelEnvironment + "=" + env + "," + naming.LabelManagedBy + "=" + naming.ManagedBy
}

// sweepTimeout bounds the wait for swept objects to be gone: a namespace takes as long as
// deleting everything in it.
const sweepTimeout = 5 * time.Minute

// stateObjects are the Kubernetes objects env's state records, by the kind and metadata the
// provider recorded as their outputs.
func (r *Runner) stateObjects(ctx context.Context, env string) ([]kubeobjects.Ref, error) {
	dep, err := r.deployment(ctx, env)
	if err != nil {
		return nil, err
	}
	return KubernetesObjects(dep), nil
}

// KubernetesObjects are the Kubernetes objects a deployment's resources are.
func KubernetesObjects(dep apitype.DeploymentV3) []kubeobjects.Ref {
	var out []kubeobjects.Ref
	for _, r := range dep.Resources {
		if !strings.HasPrefix(string(r.Type), "kubernetes:") {
			continue
		}
		kind, _ := r.Outputs["kind"].(string)
		meta, _ := r.Outputs["metadata"].(map[string]any)
		name, _ := meta["name"].(string)
		namespace, _ := meta["namespace"].(string)
		if kind == "" || name == "" {
			continue
		}
		out = append(out, kubeobjects.RefOf(kind, namespace, name))
	}
	return out
}
