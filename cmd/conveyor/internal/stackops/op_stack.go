package stackops

import (
	"context"
	"errors"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optrefresh"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/opsummary"
	"github.com/conveyor-paas/conveyor/evaluation"
	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/stacks/deployed"
)

// Operation names, as summaries report them.
const (
	OpPreview = "preview"
	OpUpdate  = "update"
	OpDestroy = "destroy"
	OpRefresh = "refresh"
	OpDrift   = "drift"
)

// RequiresPlan reports whether an update of env must apply a saved plan: production's stacks
// (naming.ProductionTier, prod and cluster-prod) change only through what a person approved.
func RequiresPlan(env string) bool { return naming.ProductionTier(env) }

// Preview shows what an update of env would change, and saves the plan when o.Plan is set;
// of a split environment, its base's and every module stack's changes (overSplit).
func (r *Runner) Preview(ctx context.Context, env string, o RunOptions) (*opsummary.Summary, error) {
	st, err := r.stackFor(ctx, env, true)
	if err != nil {
		return nil, err
	}
	s, err := r.preview(ctx, &st, o, nil)
	if err != nil {
		return s, err
	}
	return r.overSplit(ctx, env, s, o, func(ctx context.Context, st *auto.Stack, o RunOptions) (*opsummary.Summary, error) {
		return r.preview(ctx, st, o, nil)
	})
}

// preview previews st with request, the images this operation asks for (package deployed).
func (r *Runner) preview(ctx context.Context, st *auto.Stack, o RunOptions, request deployed.Images) (*opsummary.Summary, error) {
	return r.gatedRun(ctx, st, OpPreview, o, request, func(path string) (*opsummary.Summary, error) {
		return r.run(ctx, st, OpPreview, true, o, func(ch chan<- events.EngineEvent) error {
			return previewWith(ctx, st, o, ch, path)
		})
	})
}

// gatedRun is how a preview and an update of st with request start alike: the policy gate
// first, then run with the config file composed for the operation (withConfig), unless
// nothing changed since the last update (skipUnchanged).
func (r *Runner) gatedRun(ctx context.Context, st *auto.Stack, op string, o RunOptions, request deployed.Images,
	run func(path string) (*opsummary.Summary, error),
) (*opsummary.Summary, error) {
	gated, err := r.gate(ctx, st, request, o)
	if err != nil {
		return nil, err
	}
	return r.withConfig(ctx, st, opRecord{Request: request, Targets: o.Targets, Change: o.change}, func(path string) (*opsummary.Summary, error) {
		if s, err := r.skipUnchanged(ctx, st, op, o, gated, path); s != nil || err != nil {
			return s, err
		}
		return run(path)
	})
}

func previewWith(ctx context.Context, st *auto.Stack, o RunOptions, ch chan<- events.EngineEvent, path string) error {
	opts := []optpreview.Option{optpreview.EventStreams(ch), optpreview.Color("never"), optpreview.ConfigFile(path)}
	if o.Plan != "" {
		opts = append(opts, optpreview.Plan(o.Plan))
	}
	if len(o.Targets) > 0 {
		opts = append(opts, optpreview.Target(o.Targets))
	}
	if o.Message != "" {
		opts = append(opts, optpreview.Message(o.Message))
	}
	_, err := st.Preview(ctx, opts...)
	return err
}

// withConfig runs op with the config file composed for st and what the operation records
// (see opConfig), and the ad-hoc tier's secret defaults where the environment reads them.
func (r *Runner) withConfig(ctx context.Context, st *auto.Stack, rec opRecord,
	op func(path string) (*opsummary.Summary, error),
) (*opsummary.Summary, error) {
	extra, err := r.adHocDefaults(ctx, st.Name())
	if err != nil {
		return nil, err
	}
	path, done, err := r.opConfigWith(ctx, st, rec, extra)
	if err != nil {
		return nil, err
	}
	s, err := op(path)
	if derr := done(ctx); err == nil && derr != nil {
		return s, derr
	}
	return s, err
}

// Up updates env to what the program declares. A production environment (RequiresPlan)
// is only updated by applying a plan saved by Preview.
func (r *Runner) Up(ctx context.Context, env string, o RunOptions) (*opsummary.Summary, error) {
	if RequiresPlan(env) && o.Plan == "" {
		return nil, &PlanRequiredError{Env: env}
	}
	st, err := r.stackFor(ctx, env, true)
	if err != nil {
		return nil, err
	}
	var request deployed.Images
	if o.Plan != "" {
		// The plan records the config it was made with; its request and its targets are the
		// approved ones, whatever this clone has or the caller asks.
		plan, err := readPlan(o.Plan)
		if err != nil {
			return nil, err
		}
		request, o.Targets, o.change = plan.Request, plan.Targets, plan.Change
	}
	s, err := r.up(ctx, &st, o, request)
	if err != nil || !splittable(env) || o.BaseOnly {
		return s, err
	}
	return r.upSplit(ctx, &st, s, o)
}

// splittable says whether env may be a split environment's base (env_split.go): an
// environment, not a module stack or a cluster stack, and not production, whose split is
// not built yet.
func splittable(env string) bool {
	_, _, module := naming.SplitModuleStack(env)
	return !module && !naming.IsClusterStack(env) && !RequiresPlan(env)
}

// up updates st with request, the images this update asks for (package deployed).
func (r *Runner) up(ctx context.Context, st *auto.Stack, o RunOptions, request deployed.Images) (*opsummary.Summary, error) {
	s, err := r.gatedRun(ctx, st, OpUpdate, o, request, func(path string) (*opsummary.Summary, error) {
		return r.upWith(ctx, st, o, path)
	})
	if s != nil && s.Skipped != "" {
		return s, err
	}
	if err == nil {
		err = r.recordRelease(ctx, st)
	}
	return s, err
}

func (r *Runner) upWith(ctx context.Context, st *auto.Stack, o RunOptions, path string) (*opsummary.Summary, error) {
	var res auto.UpResult
	// The engine runs under a context of its own, which the crash-loop watch cancels: the
	// Automation API then interrupts the CLI, which cancels the provider's wait and ends the
	// update as failed, with the state saved (op_crashloop.go).
	engineCtx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	watch := newCrashWatch(crashLoopGrace, stop)
	defer watch.close()
	o.observe = watch.see
	s, err := r.run(ctx, st, OpUpdate, false, o, func(ch chan<- events.EngineEvent) error {
		opts := []optup.Option{optup.EventStreams(ch), optup.Color("never"), optup.ConfigFile(path)}
		if o.Plan != "" {
			opts = append(opts, optup.Plan(o.Plan))
		}
		if len(o.Targets) > 0 {
			opts = append(opts, optup.Target(o.Targets))
		}
		if o.Message != "" {
			opts = append(opts, optup.Message(o.Message))
		}
		var err error
		res, err = st.Up(engineCtx, opts...)
		return err
	})
	var crash *CrashLoopError
	if err != nil && errors.As(context.Cause(engineCtx), &crash) {
		s.Error = crash.Error()
		// The provider, cancelled, could not read the Deployment back, so the engine kept
		// its earlier state while the cluster's Deployment asks for the new pods. A refresh
		// of it records what the cluster asks for, so that the next update (a fix, or a
		// rollback to the earlier image) sees the change it has to make.
		if rerr := r.refresh(ctx, st, optrefresh.Target([]string{crash.urn})); rerr != nil {
			s.Error += fmt.Sprintf("; refreshing %s's state from the cluster failed too (run `conveyor refresh --env %s`): %s",
				crash.Deployment, st.Name(), conciseError(rerr))
		}
		return s, &OpError{Op: OpUpdate, Env: st.Name(), Msg: s.Error, Err: crash}
	}
	if err == nil && res.Outputs != nil {
		s.Outputs = maskOutputs(res.Outputs)
	}
	if err == nil {
		if serr := r.sweepAfter(ctx, st, OpUpdate, s, o); serr != nil {
			return s, serr
		}
	}
	if err == nil && startedWithPendingOperations(s) {
		// After the update, not before: it has adopted what an interrupted one made, and a
		// check before would delay every update's taking of the lock.
		if rerr := r.recoverInterrupted(ctx, st, o); rerr != nil {
			return s, rerr
		}
	}
	return s, err
}

// Destroy deletes every resource of env, keeping its stack (see DeleteEnv to remove it).
// Long-lived environments and cluster stacks are refused unless confirmed names env.
func (r *Runner) Destroy(ctx context.Context, env, confirmed string, o RunOptions) (*opsummary.Summary, error) {
	if err := CheckDestroy(env, confirmed); err != nil {
		return nil, err
	}
	st, err := r.stackFor(ctx, env, false)
	if err != nil {
		return nil, err
	}
	if splittable(env) {
		// A split environment's module stacks first: they use the base's namespaces and
		// database server, which the base's teardown and destroy remove (op_split_up.go).
		if err := r.destroyModules(ctx, &st, o); err != nil {
			return nil, err
		}
	}
	return r.destroy(ctx, &st, o)
}

func (r *Runner) destroy(ctx context.Context, st *auto.Stack, o RunOptions) (*opsummary.Summary, error) {
	if s, err := r.teardown(ctx, st, o); err != nil {
		return s, err
	}
	s, err := r.withConfig(ctx, st, opRecord{}, func(path string) (*opsummary.Summary, error) {
		return r.run(ctx, st, OpDestroy, false, o, func(ch chan<- events.EngineEvent) error {
			opts := []optdestroy.Option{optdestroy.EventStreams(ch), optdestroy.Color("never"), optdestroy.ConfigFile(path)}
			if o.Message != "" {
				opts = append(opts, optdestroy.Message(o.Message))
			}
			_, err := st.Destroy(ctx, opts...)
			return err
		})
	})
	if err == nil {
		err = r.sweepAfter(ctx, st, OpDestroy, s, o)
	}
	return s, err
}

// Refresh updates env's state to what is live, without changing anything live.
func (r *Runner) Refresh(ctx context.Context, env string, o RunOptions) (*opsummary.Summary, error) {
	st, err := r.stackFor(ctx, env, false)
	if err != nil {
		return nil, err
	}
	return r.withConfig(ctx, &st, opRecord{}, func(path string) (*opsummary.Summary, error) {
		return r.run(ctx, &st, OpRefresh, false, o, func(ch chan<- events.EngineEvent) error {
			opts := []optrefresh.Option{optrefresh.EventStreams(ch), optrefresh.Color("never"), optrefresh.ConfigFile(path)}
			if o.Message != "" {
				opts = append(opts, optrefresh.Message(o.Message))
			}
			_, err := st.Refresh(ctx, opts...)
			return err
		})
	})
}

// Drift refreshes env in preview mode: it compares what is live with the state the code
// last deployed and changes nothing, neither live nor in the state. The summary's changes
// are the drift; Summary.HasChanges says whether there is any.
//
// The Automation API of sdk v3.274.1 offers this as Stack.PreviewRefresh (`pulumi refresh
// --preview-only`, CLI >= 3.105, with an inline program CLI >= 3.181); optrefresh's
// ExpectNoChanges would turn drift into an error, which would lose the summary of what
// drifted, so the changes are read from the event stream instead.
//
// Of a split environment, every stack of it is compared, and the summary adds them up.
func (r *Runner) Drift(ctx context.Context, env string, o RunOptions) (*opsummary.Summary, error) {
	st, err := r.stackFor(ctx, env, false)
	if err != nil {
		return nil, err
	}
	s, err := r.drift(ctx, &st, o)
	if err != nil {
		return s, err
	}
	return r.overSplit(ctx, env, s, o, r.drift)
}

func (r *Runner) drift(ctx context.Context, st *auto.Stack, o RunOptions) (*opsummary.Summary, error) {
	return r.withConfig(ctx, st, opRecord{}, func(path string) (*opsummary.Summary, error) {
		return r.run(ctx, st, OpDrift, true, o, func(ch chan<- events.EngineEvent) error {
			_, err := st.PreviewRefresh(ctx, optrefresh.EventStreams(ch), optrefresh.Color("never"), optrefresh.ConfigFile(path))
			return err
		})
	})
}

// maskOutputs turns stack outputs into plain values, secrets masked as the CLI masks them.
func maskOutputs(outs auto.OutputMap) map[string]any {
	m := make(map[string]any, len(outs))
	for k, v := range outs {
		if v.Secret {
			m[k] = evaluation.Redacted
		} else {
			m[k] = v.Value
		}
	}
	return m
}
