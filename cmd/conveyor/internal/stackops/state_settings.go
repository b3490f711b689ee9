package stackops

import (
	"os"
	"path/filepath"
	"strings"
)

// Settings are the facts about the backend that come from the machine, not from the code.
type Settings struct {
	// BackendURL is where stacks, their state and their tags live: $PULUMI_BACKEND_URL, or
	// file://~/.conveyor/state, which needs no account.
	BackendURL string
	// Passphrase encrypts the stacks' secrets (the passphrase secrets provider): from
	// $PULUMI_CONFIG_PASSPHRASE, or read from $PULUMI_CONFIG_PASSPHRASE_FILE.
	Passphrase string
	// SecretsProvider encrypts the secrets of the stacks the Runner creates: "passphrase"
	// (the default) or a cloud KMS key (gcpkms://projects/<p>/locations/<l>/keyRings/<r>/
	// cryptoKeys/<k>), which needs no passphrase. From $CONVEYOR_SECRETS_PROVIDER.
	SecretsProvider string
	// Prod, when set, is the production tier's own backend and secrets (see ProductionTier):
	// prod and cluster-prod are then encrypted with a key the other tiers do not hold, so a
	// pull request's credentials cannot read production's secrets. Read from CONVEYOR_PROD_*.
	Prod *Settings
}

// DefaultStateDir is the file backend used when PULUMI_BACKEND_URL is unset, under the home
// directory, so that a developer needs no Pulumi account and no setup to try Conveyor.
const DefaultStateDir = ".conveyor/state"

// SettingsFromEnv reads Settings from the environment through getenv (os.Getenv when nil).
// It creates the default state directory when it is used. A missing passphrase is a
// SetupError whose message names the variables to set.
func SettingsFromEnv(getenv func(string) string) (Settings, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	var s Settings
	s.BackendURL = strings.TrimSpace(getenv("PULUMI_BACKEND_URL"))
	if s.BackendURL == "" {
		home := getenv("HOME")
		if home == "" {
			h, err := os.UserHomeDir()
			if err != nil {
				return Settings{}, setupErrorf("set PULUMI_BACKEND_URL (for example file://$HOME/.conveyor/state): the home directory is unknown: %v", err)
			}
			home = h
		}
		dir := filepath.Join(home, filepath.FromSlash(DefaultStateDir))
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return Settings{}, setupErrorf("set PULUMI_BACKEND_URL: the default backend directory %s cannot be created: %v", dir, err)
		}
		s.BackendURL = "file://" + filepath.ToSlash(dir)
	}
	if err := s.readSecrets(getenv, "PULUMI_CONFIG_PASSPHRASE", "CONVEYOR_SECRETS_PROVIDER"); err != nil {
		return Settings{}, err
	}
	prod, err := prodSettingsFromEnv(getenv, s)
	if err != nil {
		return Settings{}, err
	}
	s.Prod = prod
	return s, nil
}

// readSecrets reads a tier's secrets provider and, for the passphrase provider, its
// passphrase from the variable named passphraseVar or the file named by passphraseVar_FILE.
func (s *Settings) readSecrets(getenv func(string) string, passphraseVar, providerVar string) error {
	s.SecretsProvider = strings.TrimSpace(getenv(providerVar))
	s.Passphrase = getenv(passphraseVar)
	if file := getenv(passphraseVar + "_FILE"); s.Passphrase == "" && file != "" {
		data, err := os.ReadFile(file)
		if err != nil {
			return setupErrorf("%s_FILE names a file that cannot be read: %v", passphraseVar, err)
		}
		// Trimmed as the Pulumi CLI trims it, so both read the same passphrase.
		s.Passphrase = strings.TrimSpace(string(data))
	}
	if s.Passphrase == "" && s.usesPassphrase() {
		return setupErrorf("set %s (or %s_FILE) to the passphrase that encrypts the secrets of the stacks in %s, or %s to a cloud KMS key",
			passphraseVar, passphraseVar, s.BackendURL, providerVar)
	}
	return nil
}

// usesPassphrase reports whether the tier's stacks are encrypted with a passphrase.
func (s Settings) usesPassphrase() bool {
	return s.SecretsProvider == "" || s.SecretsProvider == "passphrase"
}

// secretsProvider is the provider new stacks of the tier are created with.
func (s Settings) secretsProvider() string {
	if s.usesPassphrase() {
		return "passphrase"
	}
	return s.SecretsProvider
}

// envVars are the variables every Pulumi CLI invocation gets, whatever the process has.
func (s Settings) envVars() map[string]string {
	vars := map[string]string{
		// A file backend that a killed CLI cannot leave unreadable (see crashSafeBackend).
		"PULUMI_BACKEND_URL": crashSafeBackend(s.BackendURL),
		// Conveyor pins its CLI; an update check would only add a network round trip.
		"PULUMI_SKIP_UPDATE_CHECK": "true",
		// The DIY backend warns about project-less legacy layouts on every command.
		"PULUMI_DIY_BACKEND_NO_LEGACY_WARNING": "true",
	}
	// Always the value itself: a passphrase variable inherited from the process must not win
	// over the one Conveyor resolved (the CLI prefers PULUMI_CONFIG_PASSPHRASE to the file),
	// and another tier's passphrase must never reach this tier's commands.
	vars["PULUMI_CONFIG_PASSPHRASE"] = s.Passphrase
	vars["PULUMI_CONFIG_PASSPHRASE_FILE"] = ""
	return vars
}
