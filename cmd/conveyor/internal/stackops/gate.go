package stackops

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"

	"github.com/conveyor-paas/conveyor/stacks/deployed"
)

// Gate checks an environment before the engine starts an update or a preview of it, with the
// configuration the engine is about to hand the program (after the config was restored from
// the backend and the deployed images brought in). A non-nil error stops the operation before
// the engine runs: the conveyor command gates on the policy pack, offline.
type Gate func(ctx context.Context, env string, config map[string]auto.ConfigValue) error

// gate runs Options.Gate on st's configuration, if there is a gate. The gate evaluates the
// program offline, where no checkpoint can be read, so deployed.SeedKey is handed every layer of
// images (package deployed) the update would run with request; the update itself reads the
// deployed images again under its lock.
func (e *Runner) gate(ctx context.Context, st *auto.Stack, request deployed.Images) error {
	if err := e.checkSecrets(ctx, st.Name()); err != nil {
		return err
	}
	if e.opts.Gate == nil {
		return nil
	}
	raw, err := e.rawConfig(ctx, st.Name())
	if err != nil {
		return fmt.Errorf("for the policy gate: %w", err)
	}
	config := map[string]auto.ConfigValue{}
	for k, v := range raw {
		if v.Value != nil {
			config[k] = auto.ConfigValue{Value: *v.Value, Secret: v.Secret}
		}
	}
	layers, err := e.layers(ctx, st, request)
	if err != nil {
		return err
	}
	images, err := json.Marshal(layers.Images())
	if err != nil {
		return fmt.Errorf("encoding images for the policy gate: %w", err)
	}
	config[deployed.SeedKey] = auto.ConfigValue{Value: string(images)}
	if err := e.opts.Gate(ctx, st.Name(), config); err != nil {
		return &GateError{Env: st.Name(), Err: err}
	}
	return nil
}
