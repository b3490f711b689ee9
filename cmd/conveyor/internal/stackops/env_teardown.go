package stackops

import (
	"context"
	"fmt"
	"slices"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/opsummary"

	"github.com/conveyor-paas/conveyor/naming"
)

// OpTeardown names the update that runs Options.Teardown before a destroy.
const OpTeardown = "teardown"

// teardown runs Options.Teardown as an update of st targeted at its own resources
// (Options.TeardownTargets), when st is an ad-hoc environment that has resources: an
// environment never deployed has nothing to tear down, and long-lived environments keep their
// databases when destroyed (prod's must survive any mistake; dev's and staging's are adopted
// again by their next setup). The nightly `env gc` runs main's code against every expired
// environment, whatever commit deployed it: untargeted, the teardown would first apply that
// code's every change there, and any failure among them would block the destroy for good. It
// returns a summary only when the teardown failed, and then nothing is destroyed.
func (r *Runner) teardown(ctx context.Context, st *auto.Stack, o RunOptions) (*opsummary.Summary, error) {
	env := st.Name()
	if _, _, module := naming.SplitModuleStack(env); r.opts.Teardown == nil || IsProtected(env) || module {
		// A module stack has no teardown of its own: its environment's base drops every
		// database of the environment, when it is destroyed after its modules.
		return nil, o.checkStillWanted(ctx)
	}
	deployed, err := r.hasResources(ctx, env)
	if err != nil {
		return nil, err
	}
	if !deployed {
		return nil, o.checkStillWanted(ctx) // nothing to tear down or destroy: no lock to hold
	}
	// The program runs once the update holds env's lock: whatever renewed env while this
	// waited for it is seen there, and a refusal fails the update before it declares anything.
	program := r.opts.Teardown
	if o.stillWanted != nil {
		program = func(pctx *pulumi.Context) error {
			if err := o.stillWanted(pctx.Context()); err != nil {
				return err
			}
			return r.opts.Teardown(pctx)
		}
	}
	// Ad-hoc environments are never production's: the teardown runs with the tier of env all
	// the same, so that no code path can hand it the other tier's credentials.
	wsOpts := append(slices.Clone(r.teardownOpts), auto.Program(program))
	ws, err := newWorkspace(ctx, wsOpts, r.opts.Settings.tierSettings(env), r.opts.ExtraEnv)
	if err != nil {
		return nil, fmt.Errorf("preparing the teardown of %s: %w", env, err)
	}
	tst, err := auto.SelectStack(ctx, env, ws)
	if err != nil {
		return nil, fmt.Errorf("selecting %s for its teardown: %w", env, err)
	}
	o.notify("tearing down what deleting %s's resources cannot (its databases), before destroying it", env)
	targets := r.opts.TeardownTargets(r.opts.Project, env)
	o.Targets = targets
	s, err := r.withConfig(ctx, &tst, opRecord{}, func(path string) (*opsummary.Summary, error) {
		return r.run(ctx, &tst, OpTeardown, false, o, func(ch chan<- events.EngineEvent) error {
			opts := []optup.Option{optup.EventStreams(ch), optup.Color("never"), optup.ConfigFile(path), optup.Target(targets)}
			if o.Message != "" {
				opts = append(opts, optup.Message(o.Message))
			}
			_, err := tst.Up(ctx, opts...)
			return err
		})
	})
	if err != nil {
		return s, fmt.Errorf("the teardown of %s failed, so nothing was destroyed: %w", env, err)
	}
	return nil, nil
}

// hasResources reports whether env's state holds any resource besides the stack itself.
func (r *Runner) hasResources(ctx context.Context, env string) (bool, error) {
	dep, err := r.deployment(ctx, env)
	if err != nil {
		return false, err
	}
	for _, res := range dep.Resources {
		if res.Type != "pulumi:pulumi:Stack" {
			return true, nil
		}
	}
	return false, nil
}
