package envview

import (
	"context"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
	"github.com/conveyor-paas/conveyor/naming"
)

// RequiredSecrets lists the secrets env's catalog requires (of one module, when module is
// set), the catalog its stack file names: what `secret list` and `status` show, and what
// every update checks first.
func RequiredSecrets(root, env, module string) ([]stackops.RequiredSecret, error) {
	stack, err := naming.ParseStack(env)
	if err != nil {
		return nil, &UsageError{Err: err}
	}
	// Offline, the stack file alone: the check before an update reads no backend.
	v, err := Open(context.Background(), Source{Root: root, Stack: stack})
	if err != nil {
		return nil, err
	}
	return v.requiredSecrets(module)
}

// requiredSecrets are the secrets the view's catalog requires, of module when it is set.
func (v *View) requiredSecrets(module string) ([]stackops.RequiredSecret, error) {
	cat, err := v.Catalog()
	if err != nil {
		return nil, err
	}
	if module != "" {
		if _, err := v.Module(module); err != nil {
			return nil, err
		}
	}
	var out []stackops.RequiredSecret
	for _, m := range cat.Modules {
		if module != "" && m.Name != module {
			continue
		}
		for _, name := range m.SecretNames() {
			out = append(out, stackops.RequiredSecret{SecretRef: stackops.SecretRef{Module: m.Name, Name: name}, AdHocDefaults: m.AdHocSecretDefaults})
		}
	}
	return out, nil
}

// MissingSecrets are the secrets of states that have no value.
func MissingSecrets(states []stackops.SecretState) []stackops.SecretRef {
	var out []stackops.SecretRef
	for _, s := range states {
		if !s.Set {
			out = append(out, s.SecretRef)
		}
	}
	return out
}
