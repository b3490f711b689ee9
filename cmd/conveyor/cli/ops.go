package cli

import (
	"context"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
	"github.com/spf13/cobra"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/report"
)

// requireEnv marks --env required; every stack command names its environment explicitly,
// since acting on the wrong one is the costliest mistake there is.
func requireEnv(cmd *cobra.Command, env *string) {
	cmd.Flags().StringVarP(env, "env", "e", "", "the environment (stack): dev, staging, prod, local, cluster-<name> or an ad-hoc name such as pr-123")
	_ = cmd.MarkFlagRequired("env")
}

func newPreview(d *deps) *cobra.Command {
	var env, savePlan, message string
	var out outputFlags
	var src commentSources
	cmd := &cobra.Command{
		Use:   "preview --env <env>",
		Short: "Show what an update of an environment would change",
		Long: `Preview runs the program for an environment and shows, without changing anything,
what an update would create, update, replace and delete. Progress streams to standard error
while the engine works; the summary counts the changes by operation and by resource type.

Before the engine starts, the policy pack's rules run offline over the environment, on the
config the engine is about to use ('conveyor policy check' runs the same rules): a mandatory
violation stops the command and prints the report instead of the summary (exit 1).

Production changes only through a saved plan: --save-plan writes the update plan of this
preview to a file, and 'conveyor up --plan <file>' later applies exactly those changes, or
fails if anything else would change.

--markdown prints the pull request's comment on the environment (see 'conveyor comment'): its
endpoints, this summary, the policy report and the dependency graph with what the branch
changes highlighted; --json prints the summary as a document for machines.

Exits 0 when the preview succeeded (with or without changes), 1 when it failed, 3 on a bad
command line, 4 when a backend, passphrase or the environment is missing.`,
		Example: `  # what would change in dev
  conveyor preview --env dev

  # the comment a pipeline posts on a pull request
  conveyor preview --env pr-123 --markdown > preview.md

  # the first half of a production change: save the plan for review
  conveyor preview --env prod --save-plan prod.plan.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := operate(cmd, d, env, func(ctx context.Context, e *stackops.Runner, o stackops.RunOptions) (*report.Summary, error) {
				o.Plan, o.Message = savePlan, message
				return e.Preview(ctx, env, o)
			})
			if out.markdown && s != nil {
				return previewComment(cmd, d, env, src, s, err)
			}
			return printSummary(cmd, out, s, err)
		},
	}
	requireEnv(cmd, &env)
	src.register(cmd)
	cmd.Flags().StringVar(&savePlan, "save-plan", "", "save the update plan to this file, for 'conveyor up --plan'")
	cmd.Flags().StringVarP(&message, "message", "m", "", "a message recorded with the operation")
	out.register(cmd, true)
	return cmd
}

func newUp(d *deps) *cobra.Command {
	var env, plan, message string
	var out outputFlags
	cmd := &cobra.Command{
		Use:   "up --env <env>",
		Short: "Update an environment to what the code declares",
		Long: `Up runs the program for an environment and makes the environment match it: it creates,
updates, replaces and deletes resources. Progress streams to standard error (resources done
out of the expected total, and the step in flight); the summary counts the changes by
operation and by resource type and shows the stack's outputs.

Like preview, up first runs the policy pack's rules offline over the environment and stops,
printing the report, on a mandatory violation: nothing is changed.

prod and cluster-prod are only updated by applying a plan saved by 'conveyor preview
--save-plan': --plan applies exactly the reviewed changes, and the update fails if the code
or the config would now do anything else. Without --plan those environments are refused.

When another operation holds the environment's lock (another pipeline), up waits and retries
with growing pauses for up to 15 minutes, then says who holds it.

Exits 0 on success, 1 when the update failed, 3 when prod is asked without a plan, 4 when a
backend, passphrase or the environment is missing.`,
		Example: `  conveyor up --env dev

  # the second half of a production change, after review
  conveyor up --env prod --plan prod.plan.json

  # for a pipeline that reads the outcome
  conveyor up --env staging --json > up.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := operate(cmd, d, env, func(ctx context.Context, e *stackops.Runner, o stackops.RunOptions) (*report.Summary, error) {
				o.Plan, o.Message = plan, message
				return e.Up(ctx, env, o)
			})
			return printSummary(cmd, out, s, err)
		},
	}
	requireEnv(cmd, &env)
	cmd.Flags().StringVar(&plan, "plan", "", "apply exactly the update plan saved by 'conveyor preview --save-plan' (required for prod)")
	cmd.Flags().StringVarP(&message, "message", "m", "", "a message recorded with the update")
	out.register(cmd, false)
	return cmd
}

func newDestroy(d *deps) *cobra.Command {
	var env, confirm, message string
	var out outputFlags
	cmd := &cobra.Command{
		Use:   "destroy --env <env>",
		Short: "Delete every resource of an environment, keeping its stack",
		Long: `Destroy deletes every resource of an environment. The stack, its history and its
metadata stay, so 'conveyor up' can bring the environment back; 'conveyor env delete' also
removes the stack of an ad-hoc environment.

An ad-hoc environment's databases and roles are dropped first, by an update that runs its
teardown job (its data is gone for good); if that fails, nothing is destroyed. Long-lived
environments keep their databases: a later 'conveyor up' finds them again.

Long-lived environments (prod, staging, dev, local) and cluster stacks are destroyed only
when --confirm repeats their name.

Exits 0 on success, 1 when it failed, 3 when a protected environment is not confirmed, 4 when
a backend, passphrase or the environment is missing.`,
		Example: `  conveyor destroy --env pr-123

  # a long-lived environment must be named twice
  conveyor destroy --env staging --confirm staging`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := operate(cmd, d, env, func(ctx context.Context, e *stackops.Runner, o stackops.RunOptions) (*report.Summary, error) {
				o.Message = message
				return e.Destroy(ctx, env, confirm, o)
			})
			return printSummary(cmd, out, s, err)
		},
	}
	requireEnv(cmd, &env)
	cmd.Flags().StringVar(&confirm, "confirm", "", "the environment's name again, to destroy a long-lived environment or a cluster stack")
	cmd.Flags().StringVarP(&message, "message", "m", "", "a message recorded with the operation")
	out.register(cmd, false)
	return cmd
}

func newRefresh(d *deps) *cobra.Command {
	var env, message string
	var out outputFlags
	cmd := &cobra.Command{
		Use:   "refresh --env <env>",
		Short: "Record in the state what is live, changing nothing live",
		Long: `Refresh reads every resource of an environment from the cloud and records what it
finds in the state, so that the next preview compares the code with what is really there. It
changes nothing live. To only look, use 'conveyor drift'.

Exits 0 on success, 1 when it failed, 4 when a backend, passphrase or the environment is
missing.`,
		Example: `  conveyor refresh --env dev
  conveyor refresh --env staging --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := operate(cmd, d, env, func(ctx context.Context, e *stackops.Runner, o stackops.RunOptions) (*report.Summary, error) {
				o.Message = message
				return e.Refresh(ctx, env, o)
			})
			return printSummary(cmd, out, s, err)
		},
	}
	requireEnv(cmd, &env)
	cmd.Flags().StringVarP(&message, "message", "m", "", "a message recorded with the operation")
	out.register(cmd, false)
	return cmd
}

// driftDocument is what `drift --json` prints: the summary of the refresh preview, and
// whether it found drift.
type driftDocument struct {
	Drift bool `json:"drift"`
	*report.Summary
}

func newDrift(d *deps) *cobra.Command {
	var env string
	var out outputFlags
	cmd := &cobra.Command{
		Use:   "drift --env <env>",
		Short: "Check whether what is live still matches what the code deployed",
		Long: `Drift refreshes an environment in preview mode: it reads every resource from the
cloud and compares it with the state the code last deployed, changing nothing, neither live
nor in the state. Someone who edited a resource by hand, or a resource deleted behind
Pulumi's back, shows up as drift.

Exits 0 when nothing drifted, 2 when something did (the summary lists what), 1 when the check
itself failed, 4 when a backend, passphrase or the environment is missing.`,
		Example: `  conveyor drift --env prod

  # nightly, for each long-lived environment
  for env in dev staging prod; do conveyor drift --env "$env" --json > "drift-$env.json"; done`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := operate(cmd, d, env, func(ctx context.Context, e *stackops.Runner, o stackops.RunOptions) (*report.Summary, error) {
				return e.Drift(ctx, env, o)
			})
			if err != nil || s == nil {
				return printSummary(cmd, out, s, err)
			}
			drifted := s.HasChanges()
			if out.json {
				if err := report.WriteJSON(cmd.OutOrStdout(), driftDocument{Drift: drifted, Summary: s}); err != nil {
					return err
				}
			} else if err := writeSummary(cmd, out, s); err != nil {
				return err
			}
			if drifted {
				if !out.json {
					cmd.PrintErrf("conveyor: %s has drifted from its deployed state\n", env)
				}
				return withCode(ExitDrift, errSilent)
			}
			return nil
		},
	}
	requireEnv(cmd, &env)
	out.register(cmd, true)
	return cmd
}
