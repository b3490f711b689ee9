package stackops

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
)

// selectStack returns env's stack, or a NotFoundError.
func (r *Runner) selectStack(ctx context.Context, env string) (auto.Stack, error) {
	if err := ValidateEnv(env); err != nil {
		return auto.Stack{}, err
	}
	if err := r.opts.Settings.checkTier(env); err != nil {
		return auto.Stack{}, err
	}
	st, err := auto.SelectStack(ctx, env, r.wsFor(env))
	if err != nil {
		if auto.IsSelectStack404Error(err) {
			return auto.Stack{}, &NotFoundError{Env: env}
		}
		return auto.Stack{}, fmt.Errorf("selecting environment %s: %w", env, err)
	}
	return st, nil
}

// stackFor returns env's stack ready for an operation: created when it is a long-lived
// environment or a cluster stack that has none yet (their config is in the repository, so
// there is nothing to decide), and with its config file present (see restoreConfig).
// Ad-hoc environments are made only by `env create`, which gives them a TTL.
func (r *Runner) stackFor(ctx context.Context, env string, create bool) (auto.Stack, error) {
	st, err := r.selectStack(ctx, env)
	if IsNotFound(err) && create && IsProtected(env) {
		st, err = r.newStack(ctx, env)
		r.logf("created the stack of %s", env)
	}
	if err != nil {
		return auto.Stack{}, err
	}
	if err := r.restoreConfig(ctx, &st, env); err != nil {
		return auto.Stack{}, err
	}
	return st, nil
}

// fileExists reports whether path exists; other errors than absence count as existing, so
// that the caller's next step reports them.
func fileExists(path string) bool {
	_, err := os.Stat(path)
	return !errors.Is(err, os.ErrNotExist)
}

// autoErrorText is the CLI's output carried by an Automation API error, for the few errors
// that are recognized only by their text.
func autoErrorText(err error) string {
	if err == nil {
		return ""
	}
	return strings.ToLower(err.Error())
}
