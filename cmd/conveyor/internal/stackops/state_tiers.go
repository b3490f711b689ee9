package stackops

import (
	"context"
	"fmt"
	"maps"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"

	"github.com/conveyor-paas/conveyor/naming"
)

// Production's stacks (prod and cluster-prod, naming.ProductionTier) can live in a backend
// of their own and be encrypted with a key of their own. The Runner then keeps one workspace
// per tier, each handing the Pulumi CLI only its tier's backend and passphrase (or KMS key),
// and every operation goes through the workspace of its stack's tier: the non-production
// credentials a pull request runs with never open production's state or secrets.
//
// Without production settings (a developer's machine), both tiers share one workspace.

// The variables of the production tier; any of them set gives production its own settings.
const (
	envProdBackend         = "CONVEYOR_PROD_BACKEND_URL"
	envProdPassphrase      = "CONVEYOR_PROD_PASSPHRASE"
	envProdSecretsProvider = "CONVEYOR_PROD_SECRETS_PROVIDER"
)

// prodSettingsFromEnv reads the production tier's settings; nil when none is set. Nothing
// of them falls back to the other tier's: not the backend, not the key.
func prodSettingsFromEnv(getenv func(string) string, nonprod Settings) (*Settings, error) {
	set := false
	for _, v := range []string{envProdBackend, envProdPassphrase, envProdPassphrase + "_FILE", envProdSecretsProvider} {
		set = set || getenv(v) != ""
	}
	if !set {
		return nil, nil
	}
	prod := &Settings{BackendURL: strings.TrimSpace(getenv(envProdBackend))}
	if prod.BackendURL == "" {
		return nil, setupErrorf("set %s to production's own backend: production's state never falls back to the non-production backend %s", envProdBackend, nonprod.BackendURL)
	}
	if err := prod.readSecrets(getenv, envProdPassphrase, envProdSecretsProvider); err != nil {
		return nil, err
	}
	if err := prod.checkSeparate(nonprod); err != nil {
		return nil, err
	}
	return prod, nil
}

// checkSeparate refuses production settings that would let the other tier's credentials in:
// the same shared backend, the same passphrase or key. One file backend may hold both tiers,
// each under its own key: it is one machine's, which has no IAM to separate them anyway.
func (s *Settings) checkSeparate(nonprod Settings) error {
	if !isFileBackend(s.BackendURL) && sameBackend(s.BackendURL, nonprod.BackendURL) {
		return setupErrorf("%s is the non-production backend %s: production's state needs a backend of its own", envProdBackend, nonprod.BackendURL)
	}
	if s.usesPassphrase() && nonprod.usesPassphrase() && s.Passphrase == nonprod.Passphrase {
		return setupErrorf("%s is the same as the non-production passphrase: production's secrets must have a key of their own", envProdPassphrase)
	}
	if !s.usesPassphrase() && s.SecretsProvider == nonprod.SecretsProvider {
		return setupErrorf("%s is the same key as the non-production one: production's secrets must have a key of their own", envProdSecretsProvider)
	}
	return nil
}

// checkTier refuses an operation on a production stack without production's settings on a
// shared backend: there, production's stacks would be made, read and encrypted with the
// credentials of the tier below. A CI job whose production variables came out empty stops
// here instead. Only a file backend, one machine's, holds every tier without them.
func (s Settings) checkTier(env string) error {
	if naming.ProductionTier(env) && s.Prod == nil && !isFileBackend(s.BackendURL) {
		return setupErrorf("%s is of the production tier and the backend %s is not production's: set %s and %s (or %s) to production's own backend and key",
			env, s.BackendURL, envProdBackend, envProdSecretsProvider, envProdPassphrase)
	}
	return nil
}

func isFileBackend(url string) bool { return strings.HasPrefix(url, "file://") }

// sameBackend compares two backend URLs as the CLI reads them: a trailing slash or space is
// no other backend.
func sameBackend(a, b string) bool {
	norm := func(u string) string { return strings.TrimRight(strings.TrimSpace(u), "/") }
	return norm(a) == norm(b)
}

// tierSettings are the settings of env's tier.
func (s Settings) tierSettings(env string) Settings {
	if s.Prod != nil && naming.ProductionTier(env) {
		return *s.Prod
	}
	return s
}

// newWorkspace makes the workspace of one tier.
func newWorkspace(ctx context.Context, base []auto.LocalWorkspaceOption, s Settings, extra map[string]string) (auto.Workspace, error) {
	env := s.envVars()
	maps.Copy(env, extra)
	opts := append(append([]auto.LocalWorkspaceOption{}, base...), auto.SecretsProvider(s.secretsProvider()), auto.EnvVars(env))
	ws, err := auto.NewLocalWorkspace(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("preparing the Pulumi workspace: %w", err)
	}
	return ws, nil
}

// wsFor is the workspace of env's tier.
func (r *Runner) wsFor(env string) auto.Workspace {
	if r.wsProd != nil && naming.ProductionTier(env) {
		return r.wsProd
	}
	if r.wsLocal != nil && skipsCheckpoints(env) {
		return r.wsLocal
	}
	return r.ws
}

// workspaces are the distinct workspaces of the tiers, non-production first.
func (r *Runner) workspaces() []auto.Workspace {
	if r.wsProd == nil || r.opts.Settings.Prod.BackendURL == r.opts.Settings.BackendURL {
		// One backend: listing it once lists every stack.
		return []auto.Workspace{r.ws}
	}
	return []auto.Workspace{r.ws, r.wsProd}
}
