package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/envview"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/graph"
	"github.com/conveyor-paas/conveyor/manifest"
	"github.com/conveyor-paas/conveyor/stacks"
)

// graphFormats are what `graph --format` draws.
var graphFormats = []string{"mermaid", "dot", graph.SVG, graph.PNG}

func newGraph() *cobra.Command {
	var env, catalog, format, output, base string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "graph [--env <env>]",
		Short: "Draw how the modules depend on each other, from the catalog alone",
		Long: `Graph draws the catalog: modules as nodes grouped by space (a meshed space in blue),
an arrow from the module that publishes an event to each module that consumes it, labelled
with the event, and dotted arrows for the network paths the spaces' allowFrom opens. Cycles
of events are drawn in red; a topic nobody consumes is a flag; a module nothing reaches (it
consumes nothing, and no module may connect to it) is dashed.

It needs no cluster and no backend: only the catalog, the default one (stacks/catalog), the
one an environment is configured with (--env), or any (--catalog). --changed-since colours
the modules a branch adds (green) or changes (yellow) against a git revision.

Formats: mermaid (text GitHub renders in Markdown: comments, READMEs), dot (graphviz's
language), svg and png (laid out by graphviz, built in: nothing to install). An image goes to
--output, or to standard output when it is not a terminal.

Exits 0 on success, 3 on a bad command line, 4 when the catalog cannot be read.`,
		Example: `  # the demo catalog, as Mermaid
  conveyor graph

  # an image of what staging runs
  conveyor graph --env staging --format svg --output staging.svg

  # what a branch changes, for a pull request
  conveyor graph --changed-since origin/main

  # the model, for a tool
  conveyor graph --json | jq '.unconsumed'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !slices.Contains(graphFormats, format) {
				return withCode(ExitUsage, fmt.Errorf("--format is one of %v, not %q", graphFormats, format))
			}
			root, err := repoRoot(os.Getenv)
			if err != nil {
				return withCode(ExitSetup, err)
			}
			title := catalog
			switch {
			case catalog != "":
			case env != "":
				stack, _, err := offlineRoot(env)
				if err != nil {
					return err
				}
				v, err := envview.Open(cmd.Context(), envview.Source{Root: root, Stack: stack})
				if err != nil {
					return viewExit(err)
				}
				catalog, title = v.CatalogDir(), env
			default:
				catalog, title = stacks.CatalogDir(root, ""), stacks.DefaultCatalog
			}
			g, err := catalogGraph(cmd, catalog, title, base)
			if err != nil {
				return err
			}
			return writeGraph(cmd, g, format, output, asJSON)
		},
	}
	cmd.Flags().StringVarP(&env, "env", "e", "", "draw the catalog this environment is configured with")
	cmd.Flags().StringVar(&catalog, "catalog", "", "draw this catalog (a folder or a file)")
	cmd.Flags().StringVar(&format, "format", "mermaid", "mermaid, dot, svg or png")
	cmd.Flags().StringVarP(&output, "output", "o", "", "write to this file instead of standard output")
	cmd.Flags().StringVar(&base, "changed-since", "", "colour the modules changed since this git revision (e.g. origin/main)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the graph's model as JSON: spaces, modules, edges, marks")
	cmd.MarkFlagsMutuallyExclusive("env", "catalog")
	return cmd
}

// catalogGraph builds the graph of a catalog, with the changes since base when given.
func catalogGraph(cmd *cobra.Command, catalog, title, base string) (*graph.Graph, error) {
	cat, err := manifest.Load(catalog)
	if err != nil {
		return nil, withCode(ExitSetup, err)
	}
	opts := graph.Options{Title: title, Meshed: graph.Meshed}
	if base != "" {
		if opts.Changes, err = graph.ChangesSince(cmd.Context(), catalog, base, cat); err != nil {
			return nil, withCode(ExitSetup, err)
		}
	}
	return graph.Build(cat, opts), nil
}

func writeGraph(cmd *cobra.Command, g *graph.Graph, format, output string, asJSON bool) error {
	out := cmd.OutOrStdout()
	var file *os.File
	if output != "" {
		f, err := os.Create(output)
		if err != nil {
			return withCode(ExitSetup, err)
		}
		defer f.Close() // a no-op after the Close below; closes it on an early return
		out, file = f, f
	} else if f, ok := out.(*os.File); ok && format == graph.PNG && term.IsTerminal(int(f.Fd())) {
		return withCode(ExitUsage, fmt.Errorf("a PNG is not for a terminal: add --output graph.png"))
	}
	var err error
	switch {
	case asJSON:
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		err = enc.Encode(g)
	case format == "mermaid":
		err = g.WriteMermaid(out)
	case format == "dot":
		err = g.WriteDOT(out)
	default:
		err = g.WriteImage(cmd.Context(), out, format)
	}
	if err != nil {
		return withCode(ExitFailed, err)
	}
	if file != nil {
		return file.Close()
	}
	return nil
}
