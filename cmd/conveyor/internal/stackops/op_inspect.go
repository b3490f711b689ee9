package stackops

import (
	"context"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/opthistory"
)

// lastSucceeded returns the newest successful operation of a stack, or nil. It reads the whole
// history: any number of failed updates in a row must not hide the last good one.
func lastSucceeded(ctx context.Context, st *auto.Stack) (*auto.UpdateSummary, error) {
	history, err := st.History(ctx, 0, 0, opthistory.ShowSecrets(false))
	if err != nil {
		return nil, fmt.Errorf("reading the history of %s: %w", st.Name(), err)
	}
	for i := range history {
		if history[i].Result == "succeeded" {
			return &history[i], nil
		}
	}
	return nil, nil
}

// DeployedConfig reads, without changing anything (no config file is written, no stack is
// created), the config of env's last successful operation as the backend recorded it, secret
// values left out: the config an update restores when the file is missing, and whose
// conveyor:images the next update runs (see syncImages). ok is false when env has no stack
// or no successful operation.
func (r *Runner) DeployedConfig(ctx context.Context, env string) (config map[string]string, ok bool, err error) {
	st, err := r.selectStack(ctx, env)
	if IsNotFound(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	last, err := lastSucceeded(ctx, &st)
	if err != nil || last == nil {
		return nil, false, err
	}
	config = map[string]string{}
	for k, v := range last.Config {
		if !v.Secret {
			config[k] = v.Value
		}
	}
	return config, true, nil
}

// StackOutputs reads a stack's outputs, secrets in clear: the caller keeps them in memory
// and never prints them (a cluster stack's kubeconfig is one).
func (r *Runner) StackOutputs(ctx context.Context, stack string) (auto.OutputMap, error) {
	st, err := r.selectStack(ctx, stack)
	if err != nil {
		return nil, err
	}
	outs, err := st.Outputs(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the outputs of %s: %w", stack, err)
	}
	return outs, nil
}

// WorkDir is the folder the Runner works in: the repository, where Pulumi.yaml and the
// stacks' config files are.
func (r *Runner) WorkDir() string { return r.opts.WorkDir }
