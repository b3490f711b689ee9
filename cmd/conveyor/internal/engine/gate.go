package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
)

// Gate checks an environment before the engine starts an update or a preview of it, with the
// configuration the engine is about to hand the program (after the config was restored from
// the backend and the deployed images brought in). A non-nil error stops the operation before
// the engine runs: the conveyor command gates on the policy pack, offline.
type Gate func(ctx context.Context, env string, config map[string]auto.ConfigValue) error

// GateError says that the gate refused an operation; Err is the gate's reason.
type GateError struct {
	Env string
	Err error
}

func (e *GateError) Error() string {
	return fmt.Sprintf("%s was not changed: %v", e.Env, e.Err)
}

func (e *GateError) Unwrap() error { return e.Err }

// IsGated reports whether err is, or wraps, a GateError.
func IsGated(err error) bool {
	var g *GateError
	return errors.As(err, &g)
}

// gate runs Options.Gate on st's configuration, if there is a gate.
func (e *Engine) gate(ctx context.Context, st *auto.Stack) error {
	if e.opts.Gate == nil {
		return nil
	}
	config, err := st.GetAllConfig(ctx)
	if err != nil {
		return fmt.Errorf("reading the config of %s for the policy gate: %w", st.Name(), err)
	}
	if err := e.opts.Gate(ctx, st.Name(), config); err != nil {
		return &GateError{Env: st.Name(), Err: err}
	}
	return nil
}
