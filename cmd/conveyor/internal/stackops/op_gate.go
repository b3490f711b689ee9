package stackops

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"

	"github.com/conveyor-paas/conveyor/stacks/deployed"
)

// Gate checks an environment before the engine starts an update or a preview of it, with
// what the Runner is about to hand the program (after the config was restored from the
// backend). A non-nil error stops the operation before the engine runs: the conveyor command
// gates on the policy pack, offline.
type Gate func(ctx context.Context, env string, in GateInput) (GateResult, error)

// GateResult is what a gate that passed learnt about the program.
type GateResult struct {
	// Fingerprint, when set, is the digest of what the program declares
	// (evaluation.Fingerprints.Environment), secrets left out: equal fingerprints, equal
	// programs for the engine (see op_unchanged.go).
	Fingerprint string
}

// GateInput is what the program of an update will see, in the shapes it reads them in.
type GateInput struct {
	// Config is the stack's configuration as the Runner composes it: the stack file's
	// (conveyor:images is its committed seed), and the update's request under
	// deployed.RequestKey.
	Config map[string]auto.ConfigValue
	// Deployed are the images the stack's last checkpoint recorded, which the program reads
	// through its reference to itself (deployed.Record). An offline evaluation answers that
	// reference with them, so that the program resolves the images by its own rule; they are
	// never folded into the seed, which the program checks against the catalog, while a
	// deployed image of a module the catalog no longer has is history it leaves out.
	Deployed deployed.Images
}

// StackConfig is the configuration as values by key, and the keys whose values are secrets:
// the shape an offline evaluation takes it in (policy/offline.Options).
func (in GateInput) StackConfig() (values map[string]string, secrets []string) {
	values = make(map[string]string, len(in.Config))
	for k, v := range in.Config {
		values[k] = v.Value
		if v.Secret {
			secrets = append(secrets, k)
		}
	}
	return values, secrets
}

// gate runs Options.Gate on st's configuration and request, if there is a gate. The update
// itself reads the deployed images again under its lock.
func (r *Runner) gate(ctx context.Context, st *auto.Stack, request deployed.Images, o RunOptions) (GateResult, error) {
	if err := r.checkSecrets(ctx, st.Name()); err != nil {
		return GateResult{}, err
	}
	if r.opts.Gate == nil {
		return GateResult{}, nil
	}
	raw, err := r.stackConfig(ctx, st)
	if err != nil {
		return GateResult{}, fmt.Errorf("for the policy gate: %w", err)
	}
	in := GateInput{Config: map[string]auto.ConfigValue{}}
	for k, v := range raw {
		if v.Value != nil {
			in.Config[k] = auto.ConfigValue{Value: *v.Value, Secret: v.Secret}
		}
	}
	if len(request) > 0 {
		text, err := json.Marshal(request)
		if err != nil {
			return GateResult{}, fmt.Errorf("encoding the request for the policy gate: %w", err)
		}
		in.Config[deployed.RequestKey] = auto.ConfigValue{Value: string(text)}
	}
	if o.known != nil {
		in.Deployed = o.known.record
	} else if in.Deployed, err = r.record(ctx, st); err != nil {
		return GateResult{}, err
	}
	res, err := r.opts.Gate(ctx, st.Name(), in)
	if err != nil {
		return GateResult{}, &GateError{Env: st.Name(), Err: err}
	}
	return res, nil
}
