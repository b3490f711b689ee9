package stackops

import (
	"context"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/opsummary"
)

// OpTeardown names the update that runs Options.Teardown before a destroy.
const OpTeardown = "teardown"

// teardown runs Options.Teardown as an update of st, when st is an ad-hoc environment that
// has resources: an environment never deployed has nothing to tear down, and long-lived
// environments keep their databases when destroyed (prod's must survive any mistake; dev's
// and staging's are adopted again by their next setup). It returns a summary only when the
// teardown failed, and then nothing is destroyed.
func (e *Runner) teardown(ctx context.Context, st *auto.Stack, o RunOptions) (*opsummary.Summary, error) {
	env := st.Name()
	if e.opts.Teardown == nil || IsProtected(env) {
		return nil, nil
	}
	deployed, err := e.hasResources(ctx, env)
	if err != nil || !deployed {
		return nil, err
	}
	// Ad-hoc environments are never production's: the teardown runs with the tier of env all
	// the same, so that no code path can hand it the other tier's credentials.
	ws, err := newWorkspace(ctx, e.teardownOpts, e.opts.Settings.tierSettings(env), e.opts.ExtraEnv)
	if err != nil {
		return nil, fmt.Errorf("preparing the teardown of %s: %w", env, err)
	}
	tst, err := auto.SelectStack(ctx, env, ws)
	if err != nil {
		return nil, fmt.Errorf("selecting %s for its teardown: %w", env, err)
	}
	o.notify("tearing down what deleting %s's resources cannot (its databases), before destroying it", env)
	s, err := e.withConfig(ctx, &tst, nil, nil, func(path string) (*opsummary.Summary, error) {
		return e.run(ctx, &tst, OpTeardown, false, o, func(ch chan<- events.EngineEvent) error {
			opts := []optup.Option{optup.EventStreams(ch), optup.Color("never"), optup.ConfigFile(path)}
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
func (e *Runner) hasResources(ctx context.Context, env string) (bool, error) {
	dep, err := e.deployment(ctx, env)
	if err != nil {
		return false, err
	}
	for _, r := range dep.Resources {
		if r.Type != "pulumi:pulumi:Stack" {
			return true, nil
		}
	}
	return false, nil
}
