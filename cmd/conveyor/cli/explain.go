package cli

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/conveyor-paas/conveyor/components/manifest"
	"github.com/conveyor-paas/conveyor/stacks"
)

// explanation is the resolved configuration of one component.
type explanation struct {
	Component string             `json:"component"`
	Kind      string             `json:"kind"`
	Image     setting            `json:"image"`
	Config    []manifest.Setting `json:"config"`
}

// setting is one value and where it was set.
type setting struct {
	Value string `json:"value"`
	From  string `json:"from"`
}

func newExplain() *cobra.Command {
	var env, module string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "explain --env <stack> --module <module>",
		Short: "Show a module's resolved configuration and where each value was set",
		Long: `Explain shows, for each component of a module in an environment, the image it runs
and every configuration value it gets, with the level (space, module or component) and
the file and line that set it, and the values it overrides.

Exits 0 on success, 3 when the module does not exist, 4 when the stack cannot be read.`,
		Example: `  conveyor explain --env dev --module quotes
  conveyor explain --env prod --module claims --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			root, err := offlineRoot(env)
			if err != nil {
				return err
			}
			explained, err := explain(root, env, module)
			if err != nil {
				return err
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

// explain resolves a module's configuration the way the program does for the stack.
func explain(root, env, module string) ([]explanation, error) {
	config, err := stacks.ReadStackConfig(root, env)
	if err != nil {
		return nil, withCode(ExitSetup, err)
	}
	catalog := config[stacks.Namespace+":catalog"]
	if catalog == "" {
		catalog = stacks.DefaultCatalog
	}
	if !filepath.IsAbs(catalog) {
		catalog = filepath.Join(root, catalog)
	}
	cat, err := manifest.Load(catalog)
	if err != nil {
		return nil, withCode(ExitSetup, err)
	}
	m := cat.Module(module)
	if m == nil {
		var names []string
		for _, mod := range cat.Modules {
			names = append(names, mod.Name)
		}
		return nil, withCode(ExitUsage, fmt.Errorf("there is no module %q in %s (modules: %v)", module, catalog, names))
	}
	var images stacks.Images
	if raw := config[stacks.Namespace+":images"]; raw != "" {
		if err := json.Unmarshal([]byte(raw), &images); err != nil {
			return nil, withCode(ExitSetup, fmt.Errorf("%s: conveyor:images: %w", stacks.StackConfigFile(root, env), err))
		}
	}
	var out []explanation
	for _, name := range m.ComponentNames() {
		c := m.Components[name]
		image := setting{Value: c.Image, From: "manifest " + m.File()}
		if pinned, ok := images[module][name]; ok {
			image = setting{Value: pinned, From: "stack config " + stacks.StackConfigFile(root, env) + " (conveyor:images)"}
		}
		out = append(out, explanation{Component: name, Kind: c.Kind, Image: image, Config: cat.ResolveConfig(m, name)})
	}
	return out, nil
}
