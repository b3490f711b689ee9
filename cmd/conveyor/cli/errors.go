package cli

import (
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/envview"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
)

// runnerExit gives a Runner's error its exit code: what is missing from the machine or the
// backend, or a secret's value, is a setup error (4), a command that asks for what the rules forbid is a usage
// error (3), anything else a failure (1).
func runnerExit(err error) error {
	if err == nil {
		return nil
	}
	switch {
	case stackops.IsSetup(err), stackops.IsNotFound(err), stackops.IsMissingSecrets(err):
		return withCode(ExitSetup, err)
	case stackops.IsRefused(err):
		return withCode(ExitUsage, err)
	}
	return withCode(ExitFailed, err)
}

// viewExit gives an environment view's error its exit code: a module, component or stack
// the environment does not have is a usage error (3), what the view cannot read (the stack
// file, the catalog, the evaluation, the cluster) a setup error (4); the backend's errors are
// the Runner's (runnerExit), and anything else a failure (1).
func viewExit(err error) error {
	switch {
	case err == nil:
		return nil
	case envview.IsUsage(err):
		return withCode(ExitUsage, err)
	case envview.IsSetup(err):
		return withCode(ExitSetup, err)
	}
	return runnerExit(err)
}
