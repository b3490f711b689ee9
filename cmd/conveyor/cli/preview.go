package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/opsummary"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
)

func newPreview(d *deps) *cobra.Command {
	var env, savePlan, message string
	var always bool
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

A local environment whose program declares exactly what its last whole update deployed (the
offline evaluation's fingerprint, recorded with each update) is previewed without starting
the engine: nothing would change, and the summary says which update it matches.
--always-run-engine runs it anyway.

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
			s, err := operate(cmd, d, env, func(ctx context.Context, r *stackops.Runner, o stackops.RunOptions) (*opsummary.Summary, error) {
				o.Plan, o.Message, o.AlwaysRunEngine = savePlan, message, always
				return r.Preview(ctx, env, o)
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
	cmd.Flags().BoolVar(&always, "always-run-engine", false, "run the engine even when the program declares exactly what the last update deployed")
	out.register(cmd, true)
	return cmd
}
