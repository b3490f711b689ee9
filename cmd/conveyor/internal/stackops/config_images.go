package stackops

import (
	"context"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"

	"github.com/conveyor-paas/conveyor/stacks/deployed"
)

// record reads the deployed images of st's last checkpoint (layer 3 of package deployed),
// the base the next update puts its request over. The program reads the same output itself,
// under the lock; the Runner reads it only to show, compare and gate.
func (r *Runner) record(ctx context.Context, st *auto.Stack) (deployed.Images, error) {
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

// layers are st's image layers above the manifest, as the next update would see them: the
// stack file's seed and the images its last checkpoint recorded; of a split environment,
// each module's as its own stack recorded them (withModuleRecords).
func (r *Runner) layers(ctx context.Context, st *auto.Stack) (deployed.Layers, error) {
	rec, err := r.record(ctx, st)
	if err != nil {
		return deployed.Layers{}, err
	}
	if rec, err = r.withModuleRecords(ctx, st.Name(), rec); err != nil {
		return deployed.Layers{}, err
	}
	return r.layersOver(st, rec)
}

// layersOver are st's image layers with rec as the deployed record: the caller read it
// already (layers, or an operation's one read of the state: op_known.go).
func (r *Runner) layersOver(st *auto.Stack, rec deployed.Images) (deployed.Layers, error) {
	seed, err := r.seedImages(st.Name())
	if err != nil {
		return deployed.Layers{}, err
	}
	// A copy, with modules left without images dropped, as every caller had it.
	return deployed.Layers{Seed: seed, Deployed: rec.Overlay(nil)}, nil
}

// NextImages are the image layers of env's next update, for `explain`: nothing is written and
// no stack is created.
func (r *Runner) NextImages(ctx context.Context, env string) (deployed.Layers, error) {
	st, err := r.selectStack(ctx, env)
	if IsNotFound(err) {
		seed, err := r.seedImages(env)
		return deployed.Layers{Seed: seed, Deployed: deployed.Images{}}, err
	}
	if err != nil {
		return deployed.Layers{}, err
	}
	return r.layers(ctx, &st)
}
