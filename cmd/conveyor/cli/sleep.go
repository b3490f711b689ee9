package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/opsummary"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
)

// Sleep is desired state, not an action on the cluster: `sleep` tags the environment's stack
// asleep (stackops.TagAsleep, in the backend) and runs the update, and every update composes
// the tag into the program's config, which renders the environment asleep
// (components.Environment.Asleep) for as long as the tag is there: an up or a deploy keeps it
// asleep instead of fighting it. `wake` removes the tag and runs the update: the program
// again, with exactly the replicas and autoscalers it declares. No stack file changes, so dev
// and staging, whose files git tracks, sleep as an ad-hoc environment does.

func newSleep(d *deps) *cobra.Command {
	var env string
	var out outputFlags
	cmd := &cobra.Command{
		Use:   "sleep --env <env>",
		Short: "Stop every pod of an environment's modules until it is woken",
		Long: `Sleep puts a non-production environment to sleep: it tags the environment's stack asleep
(conveyor:asleep, in the backend beside its TTL) and runs the update. Every Deployment of
its modules goes to zero replicas and loses its autoscaler; every CronJob is suspended.
Databases, topics, subscriptions, Secrets and Services stay, so a wake finds them as they
were. A later up or deploy leaves the environment asleep (and says so) until 'conveyor wake'.
No file changes: dev and staging sleep as any other environment does.

A sleep by hand ends a 'wake --keep'. Production refuses to sleep.

Exits 0 when the environment is asleep, 1 when the update failed, 3 when the environment may
not sleep, 4 when a backend or passphrase is missing.`,
		Example: `  conveyor sleep --env pr-123
  conveyor status --env pr-123      # says it sleeps and how to wake it
  conveyor wake --env pr-123`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, err := parseStack("", env); err != nil {
				return err
			}
			s, err := operate(cmd, d, env, func(ctx context.Context, r *stackops.Runner, o stackops.RunOptions) (*opsummary.Summary, error) {
				if err := r.MarkAsleep(ctx, env, stackops.SleepManual); err != nil {
					return nil, err
				}
				o.Message = "sleep"
				return r.Up(ctx, env, o)
			})
			return printSummary(cmd, out, s, err)
		},
	}
	requireEnv(cmd, &env)
	out.register(cmd, false)
	return cmd
}

func newWake(d *deps) *cobra.Command {
	var env, ttl string
	var keep bool
	var out outputFlags
	cmd := &cobra.Command{
		Use:   "wake --env <env>",
		Short: "Run an asleep environment's pods again, exactly as the program declares",
		Long: `Wake removes the environment's sleep tag and runs the update: the program renders the
environment as it does for one that never slept, so every Deployment gets back the replicas
or the autoscaler its manifest declares and every CronJob runs again.

An ad-hoc environment's TTL counts from its last wake: wake renews it to now + --ttl (72h
by default) when that is later than it was. --keep holds the environment awake: neither its
schedule nor its idle limit puts it to sleep again until a sleep by hand.

Exits 0 when the environment is awake, 1 when the update failed, 3 when the request is
invalid, 4 when a backend or passphrase is missing.`,
		Example: `  conveyor wake --env pr-123
  conveyor wake --env pr-123 --keep --ttl 7d   # a demo next week: hold it awake
  conveyor wake --env local-alice --json > wake.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, err := parseStack("", env); err != nil {
				return err
			}
			o := stackops.WakeOptions{TTL: DefaultTTL, Keep: keep}
			if ttl != "" {
				d, err := parseTTL(ttl)
				if err != nil {
					return withCode(ExitUsage, err)
				}
				o.TTL = d
			}
			s, err := operate(cmd, d, env, func(ctx context.Context, r *stackops.Runner, ro stackops.RunOptions) (*opsummary.Summary, error) {
				if err := r.MarkAwake(ctx, env, o); err != nil {
					return nil, err
				}
				ro.Message = "wake"
				return r.Up(ctx, env, ro)
			})
			return printSummary(cmd, out, s, err)
		},
	}
	requireEnv(cmd, &env)
	cmd.Flags().StringVar(&ttl, "ttl", "", "an ad-hoc environment's new TTL from now (90m, 72h, 3d); default 72h")
	cmd.Flags().BoolVar(&keep, "keep", false, "hold the environment awake: no schedule or idle limit sleeps it")
	out.register(cmd, false)
	return cmd
}

// noteAsleep tells whoever ran an up or a deploy that the environment stays asleep: the
// update changed what it declares, and no pod runs until a wake.
func noteAsleep(cmd *cobra.Command, d *deps, env string) {
	r, err := d.runner(cmd.Context(), io.Discard)
	if err != nil {
		return
	}
	if asleep, err := r.Asleep(cmd.Context(), env); err == nil && asleep {
		fmt.Fprintf(cmd.ErrOrStderr(), "conveyor: %s is asleep (%s): its modules run no pods; conveyor wake --env %s runs them\n", env, stackops.TagAsleep, env)
	}
}
