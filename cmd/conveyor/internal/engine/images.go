package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
)

// Images are the deployed images of an environment: module -> component -> image reference,
// the value of conveyor:images.
type Images map[string]map[string]string

// Equal reports whether both name the same images.
func (im Images) Equal(other Images) bool {
	return maps.EqualFunc(im, other, func(a, b map[string]string) bool { return maps.Equal(a, b) })
}

// Clone returns a deep copy.
func (im Images) Clone() Images {
	out := Images{}
	for m, comps := range im {
		out[m] = maps.Clone(comps)
	}
	return out
}

// images reads conveyor:images of a stack; none is an empty map.
func (e *Engine) images(ctx context.Context, st *auto.Stack) (Images, error) {
	v, err := st.GetConfig(ctx, ImagesKey)
	if err != nil {
		if strings.Contains(autoErrorText(err), "not found") {
			return Images{}, nil
		}
		return nil, fmt.Errorf("reading %s of %s: %w", ImagesKey, st.Name(), err)
	}
	im := Images{}
	if err := json.Unmarshal([]byte(v.Value), &im); err != nil {
		return nil, fmt.Errorf("%s of %s is not an object of modules and components: %w", ImagesKey, st.Name(), err)
	}
	return im, nil
}

// setImages replaces conveyor:images of a stack.
func (e *Engine) setImages(ctx context.Context, st *auto.Stack, im Images) error {
	data, err := json.Marshal(im)
	if err != nil {
		return fmt.Errorf("encoding images: %w", err)
	}
	text := string(data)
	var obj any
	if err := json.Unmarshal(data, &obj); err != nil {
		return fmt.Errorf("encoding images: %w", err)
	}
	return e.setRawConfig(ctx, st, map[string]configValue{ImagesKey: {Value: &text, ObjectValue: obj}})
}

// setImage records one component's image with a path key (images.<module>.<component>), so
// the rest of the object stays as it is.
func (e *Engine) setImage(ctx context.Context, st *auto.Stack, module, component, image string) error {
	key := fmt.Sprintf("%s.%s.%s", ImagesKey, module, component)
	if err := st.SetConfigWithOptions(ctx, key, auto.ConfigValue{Value: image}, &auto.ConfigOptions{Path: true}); err != nil {
		return fmt.Errorf("recording image %s of %s/%s in %s: %w", image, module, component, st.Name(), err)
	}
	return nil
}

// planImages reads conveyor:images from a saved update plan, which records the config the
// preview ran with. Applying a plan takes the images from it, because the plan is what a
// person approved and it travels between CI jobs where the config file does not.
func planImages(path string) (Images, bool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, false, fmt.Errorf("reading the plan: %w", err)
	}
	var plan struct {
		Config map[string]json.RawMessage `json:"config"`
	}
	if err := json.Unmarshal(data, &plan); err != nil {
		return nil, false, fmt.Errorf("the plan %s is not a Pulumi update plan: %w", path, err)
	}
	raw, ok := plan.Config[ImagesKey]
	if !ok {
		return nil, false, nil
	}
	im := Images{}
	if err := json.Unmarshal(raw, &im); err != nil {
		return nil, false, fmt.Errorf("%s in the plan %s: %w", ImagesKey, path, err)
	}
	return im, true, nil
}
