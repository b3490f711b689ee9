package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/opsummary"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
	"github.com/conveyor-paas/conveyor/internal/sleeper"
	"github.com/conveyor-paas/conveyor/naming"
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
	var due, dryRun bool
	var out outputFlags
	cmd := &cobra.Command{
		Use:   "sleep --env <env> | --due",
		Short: "Stop every pod of an environment's modules until it is woken",
		Long: `Sleep puts a non-production environment to sleep: it tags the environment's stack asleep
(conveyor:asleep, in the backend beside its TTL) and runs the update. Every Deployment of
its modules goes to zero replicas and loses its autoscaler; every CronJob is suspended.
Databases, topics, subscriptions, Secrets and Services stay, so a wake finds them as they
were. A later up or deploy leaves the environment asleep (and says so) until 'conveyor wake'.
No file changes: dev and staging sleep as any other environment does.

A sleep by hand ends a 'wake --keep'. Production refuses to sleep.

--due is the schedule, which main's nightly workflow runs as the sleeper (an identity that may
only scale Deployments to zero and suspend CronJobs): every environment of the backend that
is due to sleep gets its sleep tag and is scaled down on its cluster at once, without an
update. An environment is due when it is outside its awake hours, or has had no deploy and no
wake for longer than its idle limit; never production, a local environment, or one kept
awake. Its policy is its tier's unless its stack file says otherwise:

  ad-hoc       awake Mon-Fri 06:00-20:00 UTC, asleep after 24h idle
  long-lived   never by itself
  config:
    conveyor:awakeHours: Mon-Fri 07:00-19:00 Europe/Berlin   # or "always"
    conveyor:sleepWhenIdle: 48h                               # or 3d, or 0 for never

Exits 0 when the environment is asleep (--due: every due one), 1 when the update or a sleep
failed, 3 when the environment may not sleep, 4 when a backend or passphrase is missing.`,
		Example: `  conveyor sleep --env pr-123
  conveyor status --env pr-123      # says it sleeps and how to wake it
  conveyor wake --env pr-123
  conveyor sleep --due --dry-run    # what the schedule would sleep now, and why`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if due {
				return runDue(cmd, d, out, dryRun, sleepDue)
			}
			if _, err := parseStack("", env); err != nil {
				return err
			}
			s, err := operate(cmd, d, env, func(ctx context.Context, r *stackops.Runner, o stackops.RunOptions) (*opsummary.Summary, error) {
				if err := r.MarkAsleep(ctx, env, stackops.SleepManual); err != nil {
					return nil, err
				}
				o.Message = stackops.MessageSleep
				return r.Up(ctx, env, o)
			})
			return printSummary(cmd, out, s, err)
		},
	}
	envOrDue(cmd, &env, &due, &dryRun)
	out.register(cmd, false)
	return cmd
}

func newWake(d *deps) *cobra.Command {
	var env, ttl string
	var keep, due, dryRun bool
	var out outputFlags
	cmd := &cobra.Command{
		Use:   "wake --env <env> | --due",
		Short: "Run an asleep environment's pods again, exactly as the program declares",
		Long: `Wake removes the environment's sleep tag and runs the update: the program renders the
environment as it does for one that never slept, so every Deployment gets back the replicas
or the autoscaler its manifest declares and every CronJob runs again.

An ad-hoc environment's TTL counts from its last wake: wake renews it to now + --ttl (72h
by default) when that is later than it was. --keep holds the environment awake: neither its
schedule nor its idle limit puts it to sleep again until a sleep by hand.

An environment the sleeper put to sleep (sleep --due) is first released from the sleeper's
writes on its cluster and, if no update has rendered it asleep since, updated asleep once, so
that the wake's update sees every count and suspend it must restore.

--due wakes every environment asleep on schedule whose awake hours are back, with the
deployer's rights (main's workflow in the morning); one asleep by hand or for idleness, or
idle for longer than its limit meanwhile, waits for a person. A scheduled wake is no use of
the environment: it renews no TTL and does not reset its idle time.

Exits 0 when the environment is awake (--due: every due one), 1 when an update failed, 3 when
the request is invalid, 4 when a backend or passphrase is missing.`,
		Example: `  conveyor wake --env pr-123
  conveyor wake --env pr-123 --keep --ttl 7d   # a demo next week: hold it awake
  conveyor wake --env local-alice --json > wake.json
  conveyor wake --due                          # the schedule's morning`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if due {
				return runDue(cmd, d, out, dryRun, wakeDue)
			}
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
				return wakeEnv(ctx, d, r, env, o, ro)
			})
			return printSummary(cmd, out, s, err)
		},
	}
	envOrDue(cmd, &env, &due, &dryRun)
	cmd.Flags().StringVar(&ttl, "ttl", "", "an ad-hoc environment's new TTL from now (90m, 72h, 3d); default 72h")
	cmd.Flags().BoolVar(&keep, "keep", false, "hold the environment awake: no schedule or idle limit sleeps it")
	out.register(cmd, false)
	return cmd
}

// wakeEnv wakes env: it releases what the sleeper wrote, when the sleeper may have put it to
// sleep, and brings the state up to the asleep program first if no update has since (the
// engine compares with its state: a count the sleeper zeroed behind its back would otherwise
// stay zero), then removes the tag and runs the update.
func wakeEnv(ctx context.Context, d *deps, r *stackops.Runner, env string, o stackops.WakeOptions, ro stackops.RunOptions) (*opsummary.Summary, error) {
	state, err := r.SleepState(ctx, env)
	if err != nil {
		return nil, err
	}
	if state.Scaled {
		client, err := d.sleepCluster(ctx, r, env)
		if err != nil {
			return nil, err
		}
		if _, err := sleeper.Release(ctx, client, env); err != nil {
			return nil, err
		}
		config, ok, err := r.DeployedConfig(ctx, env)
		if err != nil {
			return nil, err
		}
		if ok && config[naming.ConfigAsleep] != "true" {
			first := ro
			first.Message = stackops.MessageSleepBeforeAWake
			if s, err := r.Up(ctx, env, first); err != nil {
				return s, err
			}
		}
	}
	if err := r.MarkAwake(ctx, env, o); err != nil {
		return nil, err
	}
	ro.Message = stackops.MessageWake
	if o.Scheduled {
		ro.Message = stackops.MessageScheduledWake
	}
	return r.Up(ctx, env, ro)
}

// envOrDue registers --env and --due, of which a command takes exactly one, and --dry-run.
func envOrDue(cmd *cobra.Command, env *string, due, dryRun *bool) {
	cmd.Flags().StringVarP(env, "env", "e", "", "the environment: dev, staging, local or an ad-hoc name such as pr-123")
	cmd.Flags().BoolVar(due, "due", false, "every environment of the backend the schedule says is due, instead of --env")
	cmd.Flags().BoolVar(dryRun, "dry-run", false, "with --due: say what is due and why, change nothing")
	cmd.MarkFlagsOneRequired("env", "due")
	cmd.MarkFlagsMutuallyExclusive("env", "due")
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
