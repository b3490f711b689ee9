package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/opsummary"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
)

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
			if err := stackops.CheckDestroy(env, confirm); err != nil {
				return runnerExit(err)
			}
			s, err := operate(cmd, d, env, func(ctx context.Context, r *stackops.Runner, o stackops.RunOptions) (*opsummary.Summary, error) {
				o.Message = message
				return r.Destroy(ctx, env, confirm, o)
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
