package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
)

func newRollback(d *deps) *cobra.Command {
	var req stackops.RollbackRequest
	var savePlan, message string
	var out outputFlags
	cmd := &cobra.Command{
		Use:   "rollback --env <env> [--module <module>] [--to <update>]",
		Short: "Put back the images of an earlier update, for one module or the environment",
		Long: `Rollback puts back the images that ran at an earlier update, in one update targeted at
the modules whose images change: every module, or only --module's. --to names the update
(its number in 'conveyor history'); without it, the last successful update before the newest
one that changed images (of --module). A component that ran its stack file's or manifest's
image then runs it again.

The rollback is an update like a deploy, recorded in the history, so it can itself be rolled
back. Config is not rolled back: it is the committed stack file's; revert its commit.

A split environment ('conveyor env split') is rolled back one module at a time: --module is
required, the rollback is an update of the module's stack (E.<module>) alone, and --to is a
number from 'conveyor history --env <env> --module <module>' (the module's history, which
continues the environment's from before the split).

prod changes only through a reviewed plan: --save-plan writes it, a person reviews it, and
'conveyor up --env prod --plan <file>' applies exactly that.

Exits 0 on success (also when the images are already those), 1 when the update failed, 3 for
a bad name, an unknown update or prod without --save-plan, 4 when the backend, the passphrase
or the environment is missing.`,
		Example: `  # quotes' last deploy broke dev: run its previous image again
  conveyor rollback --env dev --module quotes

  # all of staging as it was at update 41
  conveyor history --env staging
  conveyor rollback --env staging --to 41

  # prod, through a plan
  conveyor rollback --env prod --module claims --save-plan prod.plan.json
  conveyor up --env prod --plan prod.plan.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := stackops.CheckRollback(req, savePlan); err != nil {
				return runnerExit(err)
			}
			return runImageChange(cmd, d, out, savePlan, message, func(ctx context.Context, r *stackops.Runner, o stackops.RunOptions) (*imageChange, error) {
				res, err := r.Rollback(ctx, req, o)
				if res == nil {
					return nil, err
				}
				return &imageChange{
					doc: res, changes: res.Changes, summary: res.Summary,
					nothing: fmt.Sprintf("%s already runs the images of update %d: nothing to roll back", res.Env, res.To),
				}, err
			})
		},
	}
	requireEnv(cmd, &req.Env)
	cmd.Flags().StringVar(&req.Module, "module", "", "roll back only this module")
	cmd.Flags().IntVar(&req.To, "to", 0, "the update whose images to put back (see 'conveyor history'); default: the one before the last image change")
	cmd.Flags().StringVar(&savePlan, "save-plan", "", "save the preview's update plan to this file (required for prod)")
	cmd.Flags().StringVarP(&message, "message", "m", "", "a message recorded with the update")
	out.register(cmd, false)
	return cmd
}
