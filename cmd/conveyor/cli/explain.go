package cli

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

func newExplain(d *deps) *cobra.Command {
	var env, module string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "explain --env <stack> --module <module>",
		Short: "Show a module's resolved configuration and where each value was set",
		Long: `Explain shows, for each component of a module in an environment, the image it runs
and every configuration value it gets, with the level (space, module or component) and
the file and line that set it, and the values it overrides; and the secrets it reads, with the
level (module or component) that asked for each; never a secret's value.

The image is the one the next 'conveyor up' runs, resolved by the program's own rule: an
image that deploy, promote or rollback set (read from the environment's backend, with the
update that set it), else the stack file's conveyor:images, else the manifest's.

Exits 0 on success, 3 when the module does not exist, 4 when the stack cannot be read.`,
		Example: `  conveyor explain --env dev --module quotes
  conveyor explain --env prod --module claims --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			stack, root, err := offlineRoot(env)
			if err != nil {
				return err
			}
			explained, err := d.reader(cmd, root).Explain(cmd.Context(), stack, module)
			if err != nil {
				return viewExit(err)
			}
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(explained)
			}
			w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			for i, e := range explained {
				if i > 0 {
					fmt.Fprintln(w)
				}
				fmt.Fprintf(w, "%s/%s (%s) in %s\n", module, e.Component, e.Kind, env)
				fmt.Fprintf(w, "  image\t%s\t%s\n", e.Image.Value, e.Image.From)
				for _, s := range e.Config {
					fmt.Fprintf(w, "  %s\t%s\t%s %s:%d", s.Key, s.Value, s.Level, s.File, s.Line)
					for _, o := range s.Overrides {
						fmt.Fprintf(w, " (overrides %q from %s %s:%d)", o.Value, o.Level, o.File, o.Line)
					}
					fmt.Fprintln(w)
				}
				for _, r := range e.Secrets {
					fmt.Fprintf(w, "  secret %s	(value set per environment)	%s %s:%d\n", r.Name, r.Level, r.File, r.Line)
				}
			}
			return w.Flush()
		},
	}
	requireEnv(cmd, &env)
	cmd.Flags().StringVarP(&module, "module", "m", "", "the module to explain")
	_ = cmd.MarkFlagRequired("module")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the explanation as JSON")
	return cmd
}
