// Package opsummary turns the Pulumi engine's event stream into what people and machines read:
// progress lines while an operation runs, and a summary at its end, written as text, JSON or
// a Markdown pull-request comment.
//
// It depends on the event types only, never on a running engine, so every format is tested
// from a fixed list of events (see the golden files in testdata/).
package opsummary

// Summary is the outcome of one operation on one environment. Its JSON form is the document
// `--json` prints; field names are part of the command's interface and never change meaning.
type Summary struct {
	// Operation is what ran: preview, update, destroy, refresh or drift.
	Operation string `json:"operation"`
	// Environment is the stack the operation ran on.
	Environment string `json:"environment"`
	// DryRun is true when nothing was changed: preview, drift, gc without --yes.
	DryRun bool `json:"dryRun"`
	// Result is succeeded or failed.
	Result string `json:"result"`
	// DurationSeconds is how long the engine worked, as it reported it.
	DurationSeconds int `json:"durationSeconds"`
	// Changes counts resources by operation (create, update, replace, delete, same, ...), as
	// the engine counted them.
	Changes map[string]int `json:"changes"`
	// ByType counts the changing resources by resource type and operation, sorted by type.
	ByType []TypeChanges `json:"byType"`
	// Resources lists every resource that changes (not the unchanged ones), in event order.
	Resources []ResourceChange `json:"resources"`
	// Outputs are the stack's outputs after the operation, secrets masked.
	Outputs map[string]any `json:"outputs,omitempty"`
	// Diagnostics are the engine's errors and warnings.
	Diagnostics []Diagnostic `json:"diagnostics,omitempty"`
	// Targets, when set, limited the operation to these resources (deploy).
	Targets []string `json:"targets,omitempty"`
	// Plan is the update plan the operation saved (preview --save-plan) or applied (up --plan).
	Plan string `json:"plan,omitempty"`
	// LockRetries counts the times the operation found the stack locked by another and waited.
	LockRetries int `json:"lockRetries,omitempty"`
	// Recovered is true when the operation found the lock of a killed operation of this host
	// and removed it before it ran.
	Recovered bool `json:"recovered,omitempty"`
	// Swept lists the live objects of a local environment that no state accounted for (left
	// by a killed operation) and that the operation deleted after it succeeded.
	Swept []string `json:"swept,omitempty"`
	// Skipped, when set, says why the engine did not start: the program declares exactly
	// what the stack's last update deployed, so there was nothing to change.
	Skipped string `json:"skipped,omitempty"`
	// Error is why the operation failed, when it did.
	Error string `json:"error,omitempty"`
}

// TypeChanges counts the changes of one resource type by operation.
type TypeChanges struct {
	Type    string         `json:"type"`
	Changes map[string]int `json:"changes"`
}

// ResourceChange is one resource that an operation changes.
type ResourceChange struct {
	URN  string `json:"urn"`
	Type string `json:"type"`
	Name string `json:"name"`
	// Op is create, update, replace, delete, read, import, discard or refresh.
	Op string `json:"op"`
	// Diffs names the properties that change, when the engine said.
	Diffs []string `json:"diffs,omitempty"`
	// Failed is true when the engine failed to apply the change.
	Failed bool `json:"failed,omitempty"`
}

// Diagnostic is an engine message of severity error or warning.
type Diagnostic struct {
	Severity string `json:"severity"`
	URN      string `json:"urn,omitempty"`
	Message  string `json:"message"`
}

// Result values.
const (
	Succeeded = "succeeded"
	Failed    = "failed"
)

// HasChanges reports whether anything but unchanged resources was counted.
func (s *Summary) HasChanges() bool {
	for op, n := range s.Changes {
		if op != OpSame && n > 0 {
			return true
		}
	}
	return false
}
