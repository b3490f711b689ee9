// Package deployed is the one home of the rule that says which image each component of an
// environment runs. The program (stacks.Program, and the engine tests' stand-in) and
// `conveyor explain` both resolve images with Layers.Lookup, so what explain shows is what the
// next update runs. From the weakest layer to the strongest:
//
//  1. the manifest's image (manifest);
//  2. the stack file's conveyor:images: a committed seed, an input like any other config;
//  3. the images that deploy, promote and rollback set: each update records them as the stack
//     output deployedImages, and the next update reads them back from the stack's last
//     checkpoint, through a StackReference to the stack itself, while it holds the stack's
//     lock;
//  4. this update's request, config conveyor:deploy ({module: {component: image}}), which
//     the conveyor command writes only into a config file outside the repository.
//
// Reading layer 3 inside the update, rather than in the command before the update starts, is
// what makes two concurrent deploys of different modules keep each other's image: the second
// waits for the lock, then its program reads the checkpoint the first one left. A person's
// `pulumi up -s dev` with the Go program runs the same code and gets the same answer.
package deployed

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/naming"
)

const (
	// SeedKey is the stack-file config key of the committed images (layer 2).
	SeedKey = naming.ConfigImages
	// RequestKey is the config key of an update's request (layer 4).
	RequestKey = naming.ConfigDeploy
	// Output is the stack output where each update records the deployed images (layer 3).
	Output = "deployedImages"
)

// Images are images by module and component.
type Images map[string]map[string]string

// Source says which layer an image comes from.
type Source string

const (
	FromManifest  Source = "manifest"
	FromStackFile Source = "stack file"
	FromDeployed  Source = "deployed"
)

// Overlay returns a copy of im with req put over it. An empty image in req removes the
// component's entry, so that it runs its seed or manifest image again (a rollback to before
// the first deploy of a component).
func (im Images) Overlay(req Images) Images {
	out := Images{}
	for m, comps := range im {
		out[m] = maps.Clone(comps)
	}
	for m, comps := range req {
		for c, img := range comps {
			if img == "" {
				delete(out[m], c)
				continue
			}
			if out[m] == nil {
				out[m] = map[string]string{}
			}
			out[m][c] = img
		}
	}
	for m, comps := range out {
		if len(comps) == 0 {
			delete(out, m)
		}
	}
	return out
}

// Equal reports whether both name the same images.
func (im Images) Equal(other Images) bool {
	return maps.EqualFunc(im, other, func(a, b map[string]string) bool { return maps.Equal(a, b) })
}

// Modules are the modules im names, sorted.
func (im Images) Modules() []string { return slices.Sorted(maps.Keys(im)) }

// Decode reads images from their JSON text; empty text is no images.
func Decode(text string) (Images, error) {
	im := Images{}
	if text == "" {
		return im, nil
	}
	if err := json.Unmarshal([]byte(text), &im); err != nil {
		return nil, fmt.Errorf("not an object of modules and components: %w", err)
	}
	return im, nil
}

// FromValue converts a decoded JSON value (a stack output) to images.
func FromValue(v any) (Images, error) {
	if v == nil {
		return Images{}, nil
	}
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return Decode(string(data))
}

// Layers are the configured layers above the manifest.
type Layers struct {
	Seed, Deployed Images
}

// Lookup is the rule: the deployed image if there is one, else the stack file's, else the
// manifest's.
func (l Layers) Lookup(module, component, manifestImage string) (string, Source) {
	if img, ok := l.Deployed[module][component]; ok && img != "" {
		return img, FromDeployed
	}
	if img, ok := l.Seed[module][component]; ok && img != "" {
		return img, FromStackFile
	}
	return manifestImage, FromManifest
}

// Images are the images the layers set, without the manifest's: what the program hands each
// module as its overrides of the manifest's images.
func (l Layers) Images() Images {
	out := Images{}
	for _, im := range []Images{l.Seed, l.Deployed} {
		for m, comps := range im {
			for c := range comps {
				if img, src := l.Lookup(m, c, ""); src != FromManifest {
					if out[m] == nil {
						out[m] = map[string]string{}
					}
					out[m][c] = img
				}
			}
		}
	}
	return out
}

// Record runs inside an update (or a preview): it reads the images the stack's last
// checkpoint recorded, puts this update's request over them, exports the result as Output
// for the next update, and returns it. A stack with no checkpoint yet has none.
func Record(ctx *pulumi.Context) (Images, error) {
	self := fmt.Sprintf("%s/%s/%s", ctx.Organization(), ctx.Project(), ctx.Stack())
	ref, err := pulumi.NewStackReference(ctx, self, nil)
	if err != nil {
		return nil, fmt.Errorf("reading the images %s runs from its last checkpoint: %w", ctx.Stack(), err)
	}
	// GetOutputDetails waits for the read: the program needs plain values to build resources.
	out, err := ref.GetOutputDetails(Output)
	if err != nil {
		return nil, fmt.Errorf("reading output %s of %s: %w", Output, ctx.Stack(), err)
	}
	last, err := FromValue(out.Value)
	if err != nil {
		return nil, fmt.Errorf("output %s of %s: %w", Output, ctx.Stack(), err)
	}
	req := Images{}
	if text, ok := ctx.GetConfig(RequestKey); ok {
		if req, err = Decode(text); err != nil {
			return nil, fmt.Errorf("config %s: %w", RequestKey, err)
		}
	}
	now := last.Overlay(req)
	ctx.Export(Output, pulumi.ToMap(now.Value()))
	return now, nil
}

// Value is im as a plain value, the shape of Output in a checkpoint.
func (im Images) Value() map[string]any {
	out := map[string]any{}
	for m, comps := range im {
		c := map[string]any{}
		for k, v := range comps {
			c[k] = v
		}
		out[m] = c
	}
	return out
}
