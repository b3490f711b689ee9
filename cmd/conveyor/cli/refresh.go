package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/opsummary"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
)

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
			s, err := operate(cmd, d, env, func(ctx context.Context, r *stackops.Runner, o stackops.RunOptions) (*opsummary.Summary, error) {
				o.Message = message
				return r.Refresh(ctx, env, o)
			})
			return printSummary(cmd, out, s, err)
		},
	}
	requireEnv(cmd, &env)
	cmd.Flags().StringVarP(&message, "message", "m", "", "a message recorded with the operation")
	out.register(cmd, false)
	return cmd
}
