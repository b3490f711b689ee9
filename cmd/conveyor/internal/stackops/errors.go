package stackops

// The errors of the package, in one place: each says which kind of failure an operation met,
// and the conveyor command maps each kind to its exit code (cmd/conveyor/cli/exitcodes.go).

import (
	"errors"
	"fmt"
	"time"
)

// SetupError says that something the Runner needs is missing from the machine, and what to
// set. Commands end with the setup exit code on it, before the engine starts.
type SetupError struct{ Err error }

func (e *SetupError) Error() string { return e.Err.Error() }
func (e *SetupError) Unwrap() error { return e.Err }

// setupErrorf builds a SetupError.
func setupErrorf(format string, args ...any) error {
	return &SetupError{Err: fmt.Errorf(format, args...)}
}

// IsSetup reports whether err is, or wraps, a SetupError.
func IsSetup(err error) bool {
	var s *SetupError
	return errors.As(err, &s)
}

// RefusedError says that the request breaks one of the Runner's rules (a TTL on prod, a
// deploy that bypasses the plan, an invalid name): the request must change, not the machine.
type RefusedError struct{ Err error }

func (e *RefusedError) Error() string { return e.Err.Error() }
func (e *RefusedError) Unwrap() error { return e.Err }

func refusef(format string, args ...any) error {
	return &RefusedError{Err: fmt.Errorf(format, args...)}
}

func refused(err error) error {
	if err == nil {
		return nil
	}
	return &RefusedError{Err: err}
}

// IsRefused reports whether err is, or wraps, a RefusedError or a PlanRequiredError.
func IsRefused(err error) bool {
	var r *RefusedError
	var p *PlanRequiredError
	return errors.As(err, &r) || errors.As(err, &p)
}

// PlanRequiredError refuses an update of a production environment without a saved plan.
type PlanRequiredError struct{ Env string }

func (e *PlanRequiredError) Error() string {
	return fmt.Sprintf("%s changes only through a reviewed plan: run `conveyor preview --env %s --save-plan %s.plan.json`, "+
		"have it reviewed, then `conveyor up --env %s --plan %s.plan.json`", e.Env, e.Env, e.Env, e.Env, e.Env)
}

// NotFoundError says that an environment has no stack in the backend.
type NotFoundError struct{ Env string }

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("there is no environment %q in this backend; create it with `conveyor env create %s`", e.Env, e.Env)
}

// IsNotFound reports whether err is, or wraps, a NotFoundError.
func IsNotFound(err error) bool {
	var nf *NotFoundError
	return errors.As(err, &nf)
}

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

// LockError says that an operation gave up waiting for a stack lock.
type LockError struct {
	Env      string
	Waited   time.Duration
	Attempts int
	// Holder describes the lock as the backend does: user@host (pid N) at time.
	Holder string
	Err    error
}

func (e *LockError) Error() string {
	holder := ""
	if e.Holder != "" {
		holder = " by " + e.Holder
	}
	return fmt.Sprintf("gave up after waiting %s (%d attempts) for environment %s, which is still locked%s; "+
		"if no operation is running on it any more, remove the stale lock with `pulumi cancel --stack %s`",
		e.Waited.Round(time.Second), e.Attempts, e.Env, holder, e.Env)
}

func (e *LockError) Unwrap() error { return e.Err }

// OpError says that a Pulumi operation failed, in the CLI's own words rather than with its
// whole output; Err keeps the Automation API's error with all of it.
type OpError struct {
	Op, Env string
	Msg     string
	Err     error
}

func (e *OpError) Error() string {
	return fmt.Sprintf("%s of %s failed: %s", e.Op, e.Env, e.Msg)
}

func (e *OpError) Unwrap() error { return e.Err }
