package stackops

import (
	"strings"
)

// The ad-hoc tier's backend holds the facts of the long-lived tier's clusters
// (naming.ClusterFactsStack): an ad-hoc environment reads its cluster there, never in the
// long-lived backend. The long-lived tier's job on main publishes them (PublishFacts) with
// these settings: the ad-hoc tier's backend, which its bucket IAM lets it write only the
// facts stack's objects of, and the ad-hoc tier's key (stacks/bootstrap). A pull request's
// job never holds them.
const (
	envFactsBackend         = "CONVEYOR_FACTS_BACKEND_URL"
	envFactsPassphrase      = "CONVEYOR_FACTS_PASSPHRASE"
	envFactsSecretsProvider = "CONVEYOR_FACTS_SECRETS_PROVIDER"
)

// FactsSettingsFromEnv reads where the facts are published. Nothing of it falls back to the
// Runner's own backend: facts published beside the cluster stack would be where no ad-hoc
// environment looks, and the ad-hoc backend is never guessed.
func FactsSettingsFromEnv(getenv func(string) string) (Settings, error) {
	s := Settings{BackendURL: strings.TrimSpace(getenv(envFactsBackend))}
	if s.BackendURL == "" {
		return Settings{}, setupErrorf("set %s to the ad-hoc tier's backend (the bootstrap stack's output %s_LONGLIVED), where the ad-hoc environments read their cluster's facts",
			envFactsBackend, envFactsBackend)
	}
	if err := s.readSecrets(getenv, envFactsPassphrase, envFactsSecretsProvider); err != nil {
		return Settings{}, err
	}
	return s, nil
}
