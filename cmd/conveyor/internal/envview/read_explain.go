package envview

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"time"

	"github.com/conveyor-paas/conveyor/manifest"
	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/stacks"
	"github.com/conveyor-paas/conveyor/stacks/deployed"
)

// Explanation is the resolved configuration of one component.
type Explanation struct {
	Component string             `json:"component"`
	Kind      string             `json:"kind"`
	Image     Setting            `json:"image"`
	Config    []manifest.Setting `json:"config"`
	// Secrets are the names the component reads and the level that asked for each; their
	// values are never read here.
	Secrets []manifest.SecretRequest `json:"secrets,omitempty"`
}

// Setting is one value and where it was set.
type Setting struct {
	Value string `json:"value"`
	From  string `json:"from"`
}

// Explain resolves each component of module in env the way the program does: its config,
// level by level, from the catalog the stack file names; its image by the program's own rule
// over the image layers of the next update, read from the backend, with the update that
// deployed it. Without a reachable backend it says so on the log and shows the stack file's
// and the manifest's images.
func (r *Reader) Explain(ctx context.Context, env naming.Stack, module string) ([]Explanation, error) {
	v, err := Open(ctx, Source{Root: r.opts.Root, Stack: env})
	if err != nil {
		return nil, err
	}
	// The module is found first: a typo is one sentence, before the backend is asked for the
	// deployed images (and warns when it cannot be reached).
	m, err := v.Module(module)
	if err != nil {
		return nil, err
	}
	layers, setBy := r.nextImages(ctx, env.Name())
	return explain(v, m, layers, setBy)
}

// explain resolves a module's configuration the way the program does for the stack: layers
// are the image layers of its next update (stackops.NextImages; the stack file's seed alone
// when Seed is nil), and setBy names the update that deployed an image.
func explain(v *View, m *manifest.Module, layers deployed.Layers, setBy func(module, component, image string) string) ([]Explanation, error) {
	file := stacks.StackConfigFile(v.Root, v.Env())
	if layers.Seed == nil {
		var err error
		if layers.Seed, err = deployed.Decode(v.Config[deployed.SeedKey]); err != nil {
			return nil, setup(fmt.Errorf("%s: %s: %w", file, deployed.SeedKey, err))
		}
	}
	cat, err := v.Catalog()
	if err != nil {
		return nil, err
	}
	var out []Explanation
	for _, name := range m.ComponentNames() {
		c := m.Components[name]
		// The program's own rule (deployed.Layers.Lookup), so this is what the next up runs.
		img, src := layers.Lookup(m.Name, name, c.Image)
		image := Setting{Value: img, From: fmt.Sprintf("manifest %s:%d", m.File(), m.Line("components."+name+".image"))}
		switch src {
		case deployed.FromStackFile:
			image.From = "stack config " + file + " (" + deployed.SeedKey + ")"
		case deployed.FromDeployed:
			image.From = "deployed"
			if setBy != nil {
				image.From = setBy(m.Name, name, img)
			}
		}
		out = append(out, Explanation{Component: name, Kind: c.Kind, Image: image, Config: cat.ResolveConfig(m, name), Secrets: m.ResolveSecrets(name)})
	}
	return out, nil
}

// nextImages reads the image layers of env's next update from its backend, and a function
// that names the update which deployed an image; without a reachable backend, none, said on
// the log.
func (r *Reader) nextImages(ctx context.Context, env string) (deployed.Layers, func(module, component, image string) string) {
	warn := func(err error) (deployed.Layers, func(string, string, string) string) {
		fmt.Fprintf(r.opts.Log, "conveyor: the images deployed to %s are unknown (%v): showing the stack file's and the manifest's\n", env, err)
		return deployed.Layers{}, nil
	}
	b, err := r.backend(ctx, io.Discard)
	if err != nil {
		return warn(err)
	}
	layers, err := b.NextImages(ctx, env)
	if err != nil {
		return warn(err)
	}
	history, err := b.History(ctx, env)
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
