package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/spf13/cobra"

	"github.com/conveyor-paas/conveyor/manifest"
	"github.com/conveyor-paas/conveyor/stacks"
)

func newValidate() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "validate [paths...]",
		Short: "Check a catalog of space files and module manifests",
		Long: `Validate loads a catalog (files, or folders searched for conveyor.yaml and
*.conveyor.yaml) and reports every problem of every file, one per line, as
file:line:col: field: message, at the character to change (a YAML syntax error at
the character where the file stops being YAML). Nothing can be deployed from a
catalog with a problem.

It checks what the JSON Schemas in schema/ state of each file, and what they cannot:
references between files (spaces, consumed events), what a component's kind allows,
and resources Kubernetes would refuse (a request above its limit, a limit above the
space's limits.max). YAML anchors, aliases and merge keys (<<: *base) work; an error
in an aliased value is reported where the alias is used.

With --json it prints {valid, spaces, modules, errors}, where spaces and modules
count the files that declare one, valid or not.

Exits 0 when the catalog is valid, 1 when it is not, 3 when a path does not exist, 4 when
the paths cannot be read.`,
		Example: `  # the demo catalog
  conveyor validate

  # a service's manifest beside the rest of the catalog
  conveyor validate services/ platform/spaces/

  # for a machine
  conveyor validate --json stacks/catalog`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				args = []string{stacks.DefaultCatalog} // the catalog a stack reads when its config names none
			}
			for _, path := range args {
				if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
					return withCode(ExitUsage, fmt.Errorf("no catalog at %s", path))
				}
			}
			sources, err := manifest.Read(args...)
			if err != nil {
				return withCode(ExitSetup, err)
			}
			checked := manifest.Check(sources)
			out := cmd.OutOrStdout()
			if asJSON {
				// The counts are what the files declare, valid or not, so that a machine can
				// tell an empty catalog from a broken one.
				report := validateReport{Valid: len(checked.Errors) == 0, Spaces: checked.Spaces, Modules: checked.Modules, Errors: checked.Errors}
				if report.Errors == nil {
					report.Errors = manifest.Errors{}
				}
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				if encErr := enc.Encode(report); encErr != nil {
					return encErr
				}
			} else if len(checked.Errors) > 0 {
				for _, p := range checked.Errors {
					fmt.Fprintln(out, p.Error())
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "%d problem(s) in %d space file(s) and %d module manifest(s); nothing can be deployed from this catalog\n",
					len(checked.Errors), checked.Spaces, checked.Modules)
			} else {
				fmt.Fprintf(out, "catalog is valid: %d spaces, %d modules\n", checked.Spaces, checked.Modules)
			}
			if len(checked.Errors) > 0 {
				return withCode(ExitFailed, errSilent)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON report: {valid, spaces, modules, errors: [{file, line, column, field, message}]}")
	return cmd
}

type validateReport struct {
	Valid   bool            `json:"valid"`
	Spaces  int             `json:"spaces"`
	Modules int             `json:"modules"`
	Errors  manifest.Errors `json:"errors"`
}
