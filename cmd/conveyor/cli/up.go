package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/opsummary"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
)

func newUp(d *deps) *cobra.Command {
	var env, plan, message string
	var always, listStacks, baseOnly bool
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

A local environment whose program declares exactly what its last whole update deployed (the
offline evaluation's fingerprint, recorded with each update) is left alone without starting
the engine: the summary says which update it matches. --always-run-engine runs it anyway.

A split environment ('conveyor env split') is updated base first, then its module stacks
(E.<module>) a few at a time; a module that fails fails the command, and the others are still
updated. To spread them over a CI matrix instead, --list-stacks prints the environment's
stacks as JSON (changing nothing), a first job runs 'up --env E --base-only', and one job per
module stack runs 'up --env E.<module>'.

When another operation holds the environment's lock (another pipeline), up waits and retries
with growing pauses for up to 15 minutes, then says who holds it.

Exits 0 on success, 1 when the update failed, 3 when prod is asked without a plan, 4 when a
backend, passphrase or the environment is missing.`,
		Example: `  conveyor up --env dev

  # the second half of a production change, after review
  conveyor up --env prod --plan prod.plan.json

  # for a pipeline that reads the outcome
  conveyor up --env staging --json > up.json

  # a split environment over a CI matrix: the base, then a job per module stack
  conveyor up --env dev --list-stacks | jq -r '.modules[].stack'
  conveyor up --env dev --base-only
  conveyor up --env dev.quotes`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if listStacks {
				return printStacks(cmd, d, env)
			}
			s, err := operate(cmd, d, env, func(ctx context.Context, r *stackops.Runner, o stackops.RunOptions) (*opsummary.Summary, error) {
				o.Plan, o.Message, o.AlwaysRunEngine, o.BaseOnly = plan, message, always, baseOnly
				return r.Up(ctx, env, o)
			})
			noteAsleep(cmd, d, env)
			return printSummary(cmd, out, s, err)
		},
	}
	requireEnv(cmd, &env)
	cmd.Flags().StringVar(&plan, "plan", "", "apply exactly the update plan saved by 'conveyor preview --save-plan' (required for prod)")
	cmd.Flags().StringVarP(&message, "message", "m", "", "a message recorded with the update")
	cmd.Flags().BoolVar(&always, "always-run-engine", false, "run the engine even when the program declares exactly what the last update deployed")
	cmd.Flags().BoolVar(&listStacks, "list-stacks", false, "print the environment's stacks (its base, and a split one's module stacks) as JSON, and update nothing")
	cmd.Flags().BoolVar(&baseOnly, "base-only", false, "of a split environment, update the base alone, not its module stacks")
	out.register(cmd, false)
	return cmd
}

// printStacks prints env's stacks as JSON, for a CI matrix.
func printStacks(cmd *cobra.Command, d *deps, env string) error {
	r, err := d.runner(cmd.Context(), cmd.ErrOrStderr())
	if err != nil {
		return runnerExit(err)
	}
	list, err := r.Stacks(cmd.Context(), env)
	if err != nil {
		return runnerExit(err)
	}
	return opsummary.WriteJSON(cmd.OutOrStdout(), list)
}
