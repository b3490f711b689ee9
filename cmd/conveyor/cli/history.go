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
	"github.com/conveyor-paas/conveyor/naming"
)

func newHistory(d *deps) *cobra.Command {
	var env, module string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "history --env <env>",
		Short: "List an environment's updates: who, when, what changed, the outcome",
		Long: `History lists an environment's operations, newest first, from its backend: the number
to give 'conveyor rollback --to', who ran it and when, the images it asked for (deploy,
promote, rollback) by module and component, the config keys that changed since the operation
before (a secret only as "changed", never its value), and whether it succeeded.

A split environment ('conveyor env split') lists its base's updates and each module stack's
(E.<module>), by time, with a STACK column: a module's updates are numbered after the
environment's from before the split, which its history continues, and --module lists that
module's alone, the numbers 'conveyor rollback --module <module> --to' takes.

Exits 0 on success, 3 for a bad environment name, 4 when the backend, the passphrase or the
environment is missing.`,
		Example: `  conveyor history --env dev
  conveyor history --env prod --json | jq '.[0]'

  # one module of a split environment: the numbers its rollback takes
  conveyor history --env dev --module quotes`,
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
			if module != "" {
				h = ofModule(h, env, module)
			}
			if asJSON {
				return opsummary.WriteJSON(cmd.OutOrStdout(), h)
			}
			return writeHistory(cmd.OutOrStdout(), env, h)
		},
	}
	requireEnv(cmd, &env)
	cmd.Flags().StringVar(&module, "module", "", "only the updates of this module: its stack's in a split environment, else those that asked for its images")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the history as JSON")
	return cmd
}

// ofModule are the entries of h that concern module: in a split environment its stack's and
// the base's from before the split (those older than the base's oldest update that followed
// it, which its history continues); otherwise those whose images name it.
func ofModule(h []stackops.HistoryEntry, env, module string) []stackops.HistoryEntry {
	stack := naming.ModuleStack(env, module)
	split := slices.ContainsFunc(h, func(u stackops.HistoryEntry) bool { return u.Stack != env })
	var out []stackops.HistoryEntry
	for _, u := range h {
		switch {
		case !split && len(u.Images[module]) > 0, u.Stack == stack:
			out = append(out, u)
		case split && u.Stack == env && u.Version <= preSplit(h, env):
			out = append(out, u)
		}
	}
	return out
}

// preSplit is the number of the base's last update before its split: the highest number a
// module stack's update does not take, as a module's updates continue from there.
func preSplit(h []stackops.HistoryEntry, env string) int {
	lowest := 0
	for _, u := range h {
		if u.Stack != env && (lowest == 0 || u.Version < lowest) {
			lowest = u.Version
		}
	}
	return lowest - 1
}

func writeHistory(out io.Writer, env string, h []stackops.HistoryEntry) error {
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	split := slices.ContainsFunc(h, func(u stackops.HistoryEntry) bool { return u.Stack != "" && u.Stack != env })
	if split {
		fmt.Fprint(w, "STACK\t")
	}
	fmt.Fprintln(w, "UPDATE\tWHEN\tWHO\tKIND\tRESULT\tCHANGED")
	for _, u := range h {
		if split {
			fmt.Fprintf(w, "%s\t", u.Stack)
		}
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
