package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/opsummary"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
)

// driftDocument is what `drift --json` prints: the summary of the refresh preview, and
// whether it found drift.
type driftDocument struct {
	Drift bool `json:"drift"`
	*opsummary.Summary
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
Pulumi's back, shows up as drift. A split environment ('conveyor env split') is checked
stack by stack, its base and each module stack (E.<module>), and the summary adds them up.

Exits 0 when nothing drifted, 2 when something did (the summary lists what), 1 when the check
itself failed, 4 when a backend, passphrase or the environment is missing.`,
		Example: `  conveyor drift --env prod

  # nightly, for each long-lived environment
  for env in dev staging prod; do conveyor drift --env "$env" --json > "drift-$env.json"; done`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := operate(cmd, d, env, func(ctx context.Context, r *stackops.Runner, o stackops.RunOptions) (*opsummary.Summary, error) {
				return r.Drift(ctx, env, o)
			})
			if err != nil || s == nil {
				return printSummary(cmd, out, s, err)
			}
			drifted := s.HasChanges()
			if out.json {
				if err := opsummary.WriteJSON(cmd.OutOrStdout(), driftDocument{Drift: drifted, Summary: s}); err != nil {
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
