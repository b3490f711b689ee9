package cli

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/opsummary"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
)

func newHistory(d *deps) *cobra.Command {
	var env string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "history --env <env>",
		Short: "List an environment's updates: who, when, what changed, the outcome",
		Long: `History lists an environment's operations, newest first, from its backend: the number
to give 'conveyor rollback --to', who ran it and when, the images it asked for (deploy,
promote, rollback) by module and component, the config keys that changed since the operation
before (a secret only as "changed", never its value), and whether it succeeded.

Exits 0 on success, 3 for a bad environment name, 4 when the backend, the passphrase or the
environment is missing.`,
		Example: `  conveyor history --env dev
  conveyor history --env prod --json | jq '.[0]'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, err := d.runner(cmd.Context(), cmd.ErrOrStderr())
			if err != nil {
				return runnerExit(err)
			}
			h, err := r.History(cmd.Context(), env)
			if err != nil {
				return runnerExit(err)
			}
			if asJSON {
				return opsummary.WriteJSON(cmd.OutOrStdout(), h)
			}
			return writeHistory(cmd.OutOrStdout(), h)
		},
	}
	requireEnv(cmd, &env)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the history as JSON")
	return cmd
}

func writeHistory(out io.Writer, h []stackops.HistoryEntry) error {
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "UPDATE\tWHEN\tWHO\tKIND\tRESULT\tCHANGED")
	for _, u := range h {
		var changed []string
		for _, m := range u.Images.Modules() {
			for _, c := range slices.Sorted(maps.Keys(u.Images[m])) {
				changed = append(changed, fmt.Sprintf("%s/%s=%s", m, c, cmp.Or(u.Images[m][c], "(manifest's)")))
			}
		}
		for _, c := range u.Config {
			switch {
			case c.Secret:
				changed = append(changed, c.Key+" (secret) changed")
			case c.To == "":
				changed = append(changed, c.Key+" removed")
			default:
				changed = append(changed, c.Key+"="+c.To)
			}
		}
		if u.Message != "" {
			changed = append(changed, "'"+u.Message+"'")
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\n", u.Version, u.Start.UTC().Format(time.RFC3339), cmp.Or(u.By, "-"), u.Kind, u.Result, strings.Join(changed, ", "))
	}
	return w.Flush()
}
