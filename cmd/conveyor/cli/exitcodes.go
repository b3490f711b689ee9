package cli

// Exit codes are part of the command's interface: CI pipelines branch on them, so they never
// change meaning.
const (
	// ExitOK: the command did what it was asked and found nothing wrong.
	ExitOK = 0
	// ExitFailed: what the command checked is wrong (an invalid catalog, a mandatory policy
	// violation) or the operation failed (a failed update).
	ExitFailed = 1
	// ExitDrift: `drift` found live state that differs from the code.
	ExitDrift = 2
	// ExitUsage: the command line itself is wrong (unknown flag, missing argument).
	ExitUsage = 3
	// ExitSetup: something the command needs is missing (a backend, a passphrase, a
	// kubeconfig); the message says what to set.
	ExitSetup = 4
)

// exitError carries an exit code out of a subcommand.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// withCode marks err with the exit code the process should end with.
func withCode(code int, err error) error {
	if err == nil {
		return nil
	}
	return &exitError{code: code, err: err}
}
