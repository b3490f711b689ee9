package stackops

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"

	"github.com/conveyor-paas/conveyor/stacks/deployed"
)

// record reads the deployed images of st's last checkpoint (layer 3 of package deployed),
// the base the next update puts its request over. The program reads the same output itself,
// under the lock; the engine reads it only to show, compare and gate.
func (e *Runner) record(ctx context.Context, st *auto.Stack) (deployed.Images, error) {
	outs, err := st.Outputs(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the deployed images of %s: %w", st.Name(), err)
	}
	im, err := deployed.FromValue(outs[deployed.Output].Value)
	if err != nil {
		return nil, fmt.Errorf("output %s of %s: %w", deployed.Output, st.Name(), err)
	}
	return im, nil
}

// layers are st's image layers above the manifest, as the next update would see them with
// request put over the deployed images.
func (e *Runner) layers(ctx context.Context, st *auto.Stack, request deployed.Images) (deployed.Layers, error) {
	seed, err := e.seedImages(st.Name())
	if err != nil {
		return deployed.Layers{}, err
	}
	rec, err := e.record(ctx, st)
	if err != nil {
		return deployed.Layers{}, err
	}
	return deployed.Layers{Seed: seed, Deployed: rec.Overlay(request)}, nil
}

// NextImages are the image layers of env's next update, for `explain`: nothing is written and
// no stack is created.
func (e *Runner) NextImages(ctx context.Context, env string) (deployed.Layers, error) {
	st, err := e.selectStack(ctx, env)
	if IsNotFound(err) {
		seed, err := e.seedImages(env)
		return deployed.Layers{Seed: seed, Deployed: deployed.Images{}}, err
	}
	if err != nil {
		return deployed.Layers{}, err
	}
	return e.layers(ctx, &st, nil)
}

// planRequest reads the request (deployed.RequestKey) and the change record (ChangeKey) from
// a saved update plan, which records the config the preview ran with. Applying a plan runs
// with its request, because the plan is what a person approved and it travels between CI jobs
// where no config file does; its change record goes with it, so that the production update
// records where its images came from.
func planRequest(path string) (deployed.Images, *Change, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("reading the plan: %w", err)
	}
	var plan struct {
		Config map[string]json.RawMessage `json:"config"`
	}
	if err := json.Unmarshal(data, &plan); err != nil {
		return nil, nil, fmt.Errorf("the plan %s is not a Pulumi update plan: %w", path, err)
	}
	im, err := deployed.Decode(planValue(plan.Config[deployed.RequestKey]))
	if err != nil {
		return nil, nil, fmt.Errorf("%s in the plan %s: %w", deployed.RequestKey, path, err)
	}
	change, err := decodeChange(planValue(plan.Config[ChangeKey]))
	if err != nil {
		return nil, nil, fmt.Errorf("%s in the plan %s: %w", ChangeKey, path, err)
	}
	return im, change, nil
}

// planValue is the text of a config value as a plan records it, in the CLI's JSON: an
// object value is a string of JSON; a missing one is empty.
func planValue(raw json.RawMessage) string {
	var text string
	if len(raw) == 0 || json.Unmarshal(raw, &text) == nil {
		return text
	}
	return string(raw)
}
