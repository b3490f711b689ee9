package envview

// The errors of the package, in one place: each says which kind of failure a view met, and
// the conveyor command maps each kind to its exit code (cmd/conveyor/cli/errors.go), as it
// does stackops'. An error of the backend (the Runner) is handed on as the Runner gave it.

import (
	"errors"
	"fmt"
	"strings"
)

// SetupError says that something the view needs is missing or unreadable: the stack file,
// the catalog, the evaluation of the program, the kubeconfig, a cluster stack's outputs.
type SetupError struct{ Err error }

func (e *SetupError) Error() string { return e.Err.Error() }
func (e *SetupError) Unwrap() error { return e.Err }

// IsSetup reports whether err is, or wraps, a SetupError.
func IsSetup(err error) bool {
	var s *SetupError
	return errors.As(err, &s)
}

func setup(err error) error {
	if err == nil {
		return nil
	}
	return &SetupError{Err: err}
}

// UsageError says that the command names what the environment does not have: the request
// must change, not the machine. NoModuleError and NoComponentError are its commonest kinds.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// IsUsage reports whether err is, or wraps, a UsageError, a NoModuleError or a
// NoComponentError.
func IsUsage(err error) bool {
	var u *UsageError
	var m *NoModuleError
	var c *NoComponentError
	return errors.As(err, &u) || errors.As(err, &m) || errors.As(err, &c)
}

// NoModuleError says that an environment's catalog has no module of that name. Every verb
// that takes --module (status, explain, logs, secret) says it this one way: the name, the
// environment and the modules there are.
type NoModuleError struct {
	Env, Module string
	// Modules are the catalog's modules.
	Modules []string
}

func (e *NoModuleError) Error() string {
	return fmt.Sprintf("there is no module %q in the catalog of %s (it has %s)", e.Module, e.Env, strings.Join(e.Modules, ", "))
}

// NoComponentError says that a module has no component of that name.
type NoComponentError struct {
	Module, Component string
	// Components are the module's components.
	Components []string
}

func (e *NoComponentError) Error() string {
	return fmt.Sprintf("module %s has no component %q (it has %v)", e.Module, e.Component, e.Components)
}

// NoPodsError says that what logs were asked of has no pods: it is not deployed, or not
// where the catalog puts it.
type NoPodsError struct {
	// What is the module, or module/component.
	What, Namespace string
	// Cluster says how the cluster was reached (Cluster.Describe).
	Cluster string
}

func (e *NoPodsError) Error() string {
	return fmt.Sprintf("%s has no pods in %s (%s): is it deployed?", e.What, e.Namespace, e.Cluster)
}

// errNoBackend is what a read that needs the backend meets in a Reader made without one.
var errNoBackend = errors.New("this read needs the environment's backend, and the command opened none")
