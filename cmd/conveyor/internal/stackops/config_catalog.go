package stackops

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/conveyor-paas/conveyor/manifest"
	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/stacks"
	"github.com/conveyor-paas/conveyor/stacks/deployed"
)

// catalog loads the catalog env's stack file names (conveyor:catalog, the default one when
// unset), as the program does; nil when there is none to load (a stand-in program's tests).
func (r *Runner) catalog(env string) (*manifest.Catalog, error) {
	doc, err := r.stackFileDoc(env)
	if err != nil {
		return nil, err
	}
	cfg, _ := doc["config"].(map[string]any)
	configured, _ := cfg[naming.ConfigCatalog].(string)
	cat, err := manifest.Load(stacks.CatalogDir(r.opts.WorkDir, configured))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("the catalog of %s: %w", env, err)
	}
	return cat, nil
}

// running are the images env runs by the one rule (deployed.Layers.Lookup): for every
// component of cat, its layers' image or else its manifest's. Without a catalog, only what
// the layers set.
func running(layers deployed.Layers, cat *manifest.Catalog) deployed.Images {
	if cat == nil {
		return layers.Images()
	}
	out := deployed.Images{}
	for _, m := range cat.Modules {
		out[m.Name] = map[string]string{}
		for name, c := range m.Components {
			img, _ := layers.Lookup(m.Name, name, c.Image)
			out[m.Name][name] = img
		}
	}
	return out
}
