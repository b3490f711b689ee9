package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/opsummary"
)

func newEnvSplit(d *deps) *cobra.Command {
	var env string
	var out outputFlags
	cmd := &cobra.Command{
		Use:   "split --env <env>",
		Short: "Move each module of an environment into a stack of its own",
		Long: `Split turns an environment of one stack into a base and a stack per module: the base
(the environment's own stack, <env>) keeps what the modules share (spaces, platform namespace,
providers), and each module <m> moves into the stack <env>.<m>. A deploy of one module then
runs on its module's stack alone, under its own lock, at a cost that does not grow with the
environment; 'conveyor up --env <env>' updates the base, then every module stack.

Each module is moved with 'pulumi state move', which rewrites state only: nothing live is
created, replaced or deleted, and a preview of every stack afterwards changes nothing (the
module stacks declare the same resources under the same URNs, but the stack's name). The
environment is marked split (the stack tag conveyor:split) once every module is moved.

Split is idempotent: modules already moved stay where they are, and a split that stopped
midway finishes when run again. Production is refused (its stacks change only through an
approved plan); run nothing else on the environment while it splits.

With the Pulumi CLI: 'pulumi up -s <env> -c conveyor:split=true' updates the base, and
'pulumi up -s <env>.<m>' one module.

Exits 0 when every module is in its stack, 1 when a move failed (run it again), 3 for prod or
a name that is not an environment, 4 when the environment, a backend or passphrase is missing.`,
		Example: `  conveyor env split --env dev
  conveyor deploy --env dev --module quotes --image ghcr.io/acme/quotes:1.4.2   # runs on dev.quotes`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, err := d.runnerFor(cmd.Context(), cmd.ErrOrStderr(), env)
			if err != nil {
				return runnerExit(err)
			}
			res, err := r.Split(cmd.Context(), env)
			if err != nil {
				return runnerExit(err)
			}
			if out.json {
				return opsummary.WriteJSON(cmd.OutOrStdout(), map[string]any{"environment": env, "moved": res.Moved, "already": res.Already})
			}
			fmt.Fprintf(cmd.OutOrStdout(), "environment %s is split: moved %s; already in their stacks: %s\n",
				env, list(res.Moved), list(res.Already))
			return nil
		},
	}
	requireEnv(cmd, &env)
	out.register(cmd, false)
	return cmd
}

func list(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}
