package cli

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/conveyor-paas/conveyor/manifest"
	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/stacks"
	"github.com/conveyor-paas/conveyor/stacks/deployed"
)

// explanation is the resolved configuration of one component.
type explanation struct {
	Component string             `json:"component"`
	Kind      string             `json:"kind"`
	Image     setting            `json:"image"`
	Config    []manifest.Setting `json:"config"`
	// Secrets are the names the component reads and the level that asked for each; their
	// values are never read here.
	Secrets []manifest.SecretRequest `json:"secrets,omitempty"`
}

// setting is one value and where it was set.
type setting struct {
	Value string `json:"value"`
	From  string `json:"from"`
}

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
			_, root, err := offlineRoot(env)
			if err != nil {
				return err
			}
			// The module is found first: a typo is one sentence, before the backend is asked
			// for the deployed images (and warns when it cannot be reached).
			target, err := explainTarget(root, env, module)
			if err != nil {
				return err
			}
			layers, setBy := nextImages(cmd, d, env)
			explained, err := explain(target, layers, setBy)
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

// moduleInEnv is the module explain looks at, in the catalog and the stack config of its
// environment.
type moduleInEnv struct {
	root, env string
	config    map[string]string
	cat       *manifest.Catalog
	module    *manifest.Module
}

// explainTarget finds module in the catalog env's stack config points at, as the program does.
func explainTarget(root, env, module string) (*moduleInEnv, error) {
	config, err := stacks.ReadStackConfig(root, env)
	if err != nil {
		return nil, withCode(ExitSetup, err)
	}
	// Where the program finds the catalog (stacks.Config.Catalog).
	catalog := stacks.CatalogDir(root, config[naming.ConfigCatalog])
	cat, err := manifest.Load(catalog)
	if err != nil {
		return nil, withCode(ExitSetup, err)
	}
	m, err := moduleOf(cat, env, module)
	if err != nil {
		return nil, err
	}
	return &moduleInEnv{root: root, env: env, config: config, cat: cat, module: m}, nil
}

// explain resolves a module's configuration the way the program does for the stack: layers
// are the image layers of its next update (stackops.NextImages; the stack file's seed alone
// when Seed is nil), and setBy names the update that deployed an image.
func explain(x *moduleInEnv, layers deployed.Layers, setBy func(module, component, image string) string) ([]explanation, error) {
	root, env, config, cat, m, module := x.root, x.env, x.config, x.cat, x.module, x.module.Name
	var err error
	if layers.Seed == nil {
		if layers.Seed, err = deployed.Decode(config[deployed.SeedKey]); err != nil {
			return nil, withCode(ExitSetup, fmt.Errorf("%s: %s: %w", stacks.StackConfigFile(root, env), deployed.SeedKey, err))
		}
	}
	var out []explanation
	for _, name := range m.ComponentNames() {
		c := m.Components[name]
		// The program's own rule (deployed.Layers.Lookup), so this is what the next up runs.
		img, src := layers.Lookup(module, name, c.Image)
		image := setting{Value: img, From: fmt.Sprintf("manifest %s:%d", m.File(), m.Line("components."+name+".image"))}
		switch src {
		case deployed.FromStackFile:
			image.From = "stack config " + stacks.StackConfigFile(root, env) + " (" + deployed.SeedKey + ")"
		case deployed.FromDeployed:
			image.From = "deployed"
			if setBy != nil {
				image.From = setBy(module, name, img)
			}
		}
		out = append(out, explanation{Component: name, Kind: c.Kind, Image: image, Config: cat.ResolveConfig(m, name), Secrets: m.ResolveSecrets(name)})
	}
	return out, nil
}

// nextImages reads the image layers of env's next update from its backend, and a function
// that names the update which deployed an image. Without a reachable backend, explain says so
// and shows the stack file's and the manifest's images.
func nextImages(cmd *cobra.Command, d *deps, env string) (deployed.Layers, func(module, component, image string) string) {
	warn := func(err error) (deployed.Layers, func(string, string, string) string) {
		fmt.Fprintf(cmd.ErrOrStderr(), "conveyor: the images deployed to %s are unknown (%v): showing the stack file's and the manifest's\n", env, err)
		return deployed.Layers{}, nil
	}
	r, err := d.runner(cmd.Context(), io.Discard)
	if err != nil {
		return warn(err)
	}
	layers, err := r.NextImages(cmd.Context(), env)
	if err != nil {
		return warn(err)
	}
	history, err := r.History(cmd.Context(), env)
	if err != nil {
		history = nil // never deployed: nothing was deployed by any update
	}
	return layers, func(module, component, image string) string {
		for _, h := range history {
			if h.Result == "succeeded" && h.Images[module][component] == image {
				return fmt.Sprintf("deployed by update %d of %s (%s, %s)", h.Version, env, cmp.Or(h.By, "-"), h.Start.UTC().Format(time.RFC3339))
			}
		}
		return "deployed (recorded in " + env + "'s last update)"
	}
}
