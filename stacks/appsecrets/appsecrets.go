// Package appsecrets is where the program and the command meet about application secrets'
// values: the config keys the command composes for an operation and the program reads, the
// shape of their values, and the command a person runs for a value that is missing. It
// imports no cloud SDK, so the command can use it cheaply.
package appsecrets

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/conveyor-paas/conveyor/naming"
)

// Config keys of an operation's composed config file (never of a stack file: the command
// writes them into the file it composes outside the repository).
const (
	// ValuesKey holds a local environment's values, a Pulumi secret whose text is the JSON
	// of Values. The command keeps its ciphertext beside the stack's state (stackops).
	ValuesKey = naming.ConfigAppSecrets
	// DefaultsKey lists, per module, the secrets an ad-hoc environment on GKE reads from the
	// ad-hoc tier's defaults: the JSON of Defaults. It holds names only.
	DefaultsKey = naming.ConfigAdHocSecretDefaults
)

// Values are secret values by module, then by name.
type Values map[string]map[string]string

// Decode reads the text of ValuesKey; empty text is no values.
func Decode(text string) (Values, error) {
	v := Values{}
	if text == "" {
		return v, nil
	}
	if err := json.Unmarshal([]byte(text), &v); err != nil {
		// The text is secret: the message must not quote it, and json's errors may.
		return nil, fmt.Errorf("%s is not a JSON object of modules to names to values", ValuesKey)
	}
	return v, nil
}

// Encode writes the text of ValuesKey.
func (v Values) Encode() string {
	data, _ := json.Marshal(v) // maps of strings always marshal
	return string(data)
}

// Module returns the text of one module's values: a JSON object of names to values.
func (v Values) Module(module string) string {
	data, _ := json.Marshal(v[module]) // a map of strings always marshals
	if v[module] == nil {
		return "{}"
	}
	return string(data)
}

// Names lists the names a module has a value of, sorted.
func (v Values) Names(module string) []string { return slices.Sorted(maps.Keys(v[module])) }

// Defaults are the names, per module, read from the ad-hoc tier's defaults.
type Defaults map[string][]string

// SetCommand is what a person runs to give a module's secret a value in an environment.
func SetCommand(env, module, name string) string {
	return fmt.Sprintf("conveyor secret set --env %s --module %s %s < value-file", env, module, name)
}
