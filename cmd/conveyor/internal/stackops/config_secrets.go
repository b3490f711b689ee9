package stackops

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/stacks/appsecrets"
)

// Application secrets' values (the manifests' secrets) are set by `conveyor secret set`, per
// environment, and live where the environment's pods read them:
//   - on GKE, as versions of the environment's Secret Manager secrets, written through
//     SecretManager; the stack owns each secret but never a version;
//   - on a local cluster, in the stack's own encrypted config: their ciphertext, made by the
//     stack's secrets manager, is kept beside the stack's state in the backend
//     (config_secrets_local.go), and composed into each operation's config file (opConfig), never
//     into a tracked file.
//
// Before the engine starts an update or a preview, every secret the catalog requires must
// have a value (checkSecrets): a missing one stops the operation with the command to run.

// SecretRef names one secret of one module.
type SecretRef struct {
	Module string `json:"module"`
	Name   string `json:"name"`
}

// RequiredSecret is a secret an environment's catalog requires.
type RequiredSecret struct {
	SecretRef
	// AdHocDefaults: the module lets an ad-hoc environment read the ad-hoc tier's default.
	AdHocDefaults bool
}

// SecretState is what `secret list` shows of one secret: never its value.
type SecretState struct {
	SecretRef
	// Set says whether the environment can read a value.
	Set bool `json:"set"`
	// Version is the latest enabled version on GKE ("" on a local cluster, which keeps none).
	Version string `json:"version,omitempty"`
	// Source is where the value comes from: "environment", or "ad-hoc default".
	Source string `json:"source,omitempty"`
	// Updated is when the latest version was made (GKE only).
	Updated time.Time `json:"updated,omitzero"`
}

// Sources of a secret's value.
const (
	SourceEnvironment  = "environment"
	SourceAdHocDefault = "ad-hoc default"
)

// SecretVersion is one version of a Secret Manager secret.
type SecretVersion struct {
	// ID is the version's number.
	ID      string
	Enabled bool
	Created time.Time
}

// SecretManager is what the command needs of Secret Manager's API. The real one talks to
// Google (secretmanagerapi.go); tests use a double.
type SecretManager interface {
	// Versions lists a secret's versions, newest first; a secret that does not exist has none.
	Versions(ctx context.Context, project, id string) ([]SecretVersion, error)
	// AddVersion makes value the secret's newest version, creating the secret with labels
	// (and automatic replication, as the stack declares it) when it does not exist.
	AddVersion(ctx context.Context, project, id string, labels map[string]string, value []byte) (SecretVersion, error)
	// DestroyVersions destroys every version that is not destroyed yet.
	DestroyVersions(ctx context.Context, project, id string) error
}

// MissingSecretsError stops an operation whose environment lacks a value of a required secret.
type MissingSecretsError struct {
	Env     string
	Missing []SecretRef
}

func (e *MissingSecretsError) Error() string {
	var lines []string
	for _, m := range e.Missing {
		lines = append(lines, fmt.Sprintf("  module %s needs %s: %s", m.Module, m.Name, appsecrets.SetCommand(e.Env, m.Module, m.Name)))
	}
	return fmt.Sprintf("environment %s lacks the value of %d secret(s); nothing was deployed. Set each first:\n%s",
		e.Env, len(e.Missing), strings.Join(lines, "\n"))
}

// IsMissingSecrets reports whether err is, or wraps, a MissingSecretsError.
func IsMissingSecrets(err error) bool {
	var m *MissingSecretsError
	return errors.As(err, &m)
}

// SecretTarget is the secret a `secret` command changes: one of an environment, or the
// ad-hoc tier's default (AdHocDefault, Env empty).
type SecretTarget struct {
	Env          string
	AdHocDefault bool
	SecretRef
	// Space is the module's space, which a Secret Manager secret's labels name as the stack
	// declares them.
	Space string
}

func (t SecretTarget) String() string {
	if t.AdHocDefault {
		return fmt.Sprintf("the ad-hoc tier's default of %s/%s", t.Module, t.Name)
	}
	return fmt.Sprintf("%s/%s in %s", t.Module, t.Name, t.Env)
}

// checkName refuses what cannot name a module's secret, before anything is touched.
func (t SecretTarget) checkName() error {
	if err := naming.ValidatePart(naming.PartModule, t.Module); err != nil {
		return refused(err)
	}
	valid := t.Name != "" && strings.IndexFunc(t.Name, func(r rune) bool {
		return (r < 'A' || r > 'Z') && (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '_'
	}) < 0 && (t.Name[0] < '0' || t.Name[0] > '9')
	if !valid {
		return refusef("%q cannot name a secret: letters, digits and _, not starting with a digit", t.Name)
	}
	return nil
}

// SetSecret makes value the secret's value: a new version on GKE, the stack's encrypted
// config on a local cluster. The value is never logged or returned.
func (r *Runner) SetSecret(ctx context.Context, t SecretTarget, value []byte) (SecretState, error) {
	if err := t.checkName(); err != nil {
		return SecretState{}, err
	}
	if len(value) == 0 {
		return SecretState{}, refusef("the value of %s is empty; an unset secret is `conveyor secret unset`", t)
	}
	where, err := r.secretsOf(ctx, t)
	if err != nil {
		return SecretState{}, err
	}
	return where.set(ctx, t.SecretRef, value)
}

// UnsetSecret removes the secret's value: every version is destroyed on GKE; the name leaves
// the stack's config on a local cluster. The next deploy stops until it is set again.
func (r *Runner) UnsetSecret(ctx context.Context, t SecretTarget) error {
	if err := t.checkName(); err != nil {
		return err
	}
	where, err := r.secretsOf(ctx, t)
	if err != nil {
		return err
	}
	return where.unset(ctx, t.SecretRef)
}

// ListSecrets says, for each required secret of env, whether it has a value and which
// version; never the value.
func (r *Runner) ListSecrets(ctx context.Context, env string, required []RequiredSecret) ([]SecretState, error) {
	where, err := r.secretsOf(ctx, SecretTarget{Env: env})
	if err != nil {
		return nil, err
	}
	out := make([]SecretState, 0, len(required))
	for _, req := range sortedRequired(required) {
		s, err := where.state(ctx, req)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// checkSecrets stops an operation on env when a secret its catalog requires has no value.
func (r *Runner) checkSecrets(ctx context.Context, env string) error {
	if r.opts.RequiredSecrets == nil || naming.IsClusterStack(env) {
		return nil
	}
	required, err := r.opts.RequiredSecrets(env)
	if err != nil || len(required) == 0 {
		return err
	}
	states, err := r.ListSecrets(ctx, env, required)
	if err != nil {
		return fmt.Errorf("checking the secrets of %s: %w", env, err)
	}
	var missing []SecretRef
	for _, s := range states {
		if !s.Set {
			missing = append(missing, s.SecretRef)
		}
	}
	if len(missing) > 0 {
		return &MissingSecretsError{Env: env, Missing: missing}
	}
	return nil
}

func sortedRequired(required []RequiredSecret) []RequiredSecret {
	out := slices.Clone(required)
	slices.SortFunc(out, func(a, b RequiredSecret) int {
		return strings.Compare(a.Module+"/"+a.Name, b.Module+"/"+b.Name)
	})
	return out
}

// secretStore is where one environment's values are.
type secretStore interface {
	set(ctx context.Context, ref SecretRef, value []byte) (SecretState, error)
	unset(ctx context.Context, ref SecretRef) error
	state(ctx context.Context, r RequiredSecret) (SecretState, error)
}

// secretsOf returns the store of t's environment (or of the ad-hoc tier's defaults).
func (r *Runner) secretsOf(ctx context.Context, t SecretTarget) (secretStore, error) {
	if t.AdHocDefault {
		// The ad-hoc tier runs on the non-production cluster, whose project keeps its defaults.
		return r.gcpSecrets(ctx, naming.NonprodCluster, t.Space, "")
	}
	// A long-lived or local environment's stack is made on first use, as `up` makes it; an
	// ad-hoc one only by `env create`.
	st, err := r.stackFor(ctx, t.Env, true)
	if err != nil {
		return nil, err
	}
	cfg, err := r.rawConfig(ctx, t.Env)
	if err != nil {
		return nil, err
	}
	cluster := ""
	if v := cfg[naming.ConfigCluster].Value; v != nil {
		cluster = *v
	}
	if kind, _ := naming.ClassifyStack(t.Env); kind == naming.StackLocal || cluster == naming.LocalCluster {
		return &localSecrets{r: r, st: st, config: cfg}, nil
	}
	if cluster == "" {
		cluster = naming.DefaultCluster(t.Env)
	}
	return r.gcpSecrets(ctx, cluster, t.Space, t.Env)
}

// adHocDefaults is the config entry that tells the program which secrets an ad-hoc
// environment on GKE reads from the ad-hoc tier's defaults (appsecrets.DefaultsKey): those
// its modules allow and it has no value of its own for. Other environments get none.
func (r *Runner) adHocDefaults(ctx context.Context, env string) (map[string]any, error) {
	if kind, _ := naming.ClassifyStack(env); r.opts.RequiredSecrets == nil || kind != naming.StackAdHoc {
		return nil, nil
	}
	required, err := r.opts.RequiredSecrets(env)
	if err != nil || !slices.ContainsFunc(required, func(req RequiredSecret) bool { return req.AdHocDefaults }) {
		return nil, err
	}
	states, err := r.ListSecrets(ctx, env, required)
	if err != nil {
		return nil, err
	}
	defaults := appsecrets.Defaults{}
	for _, s := range states {
		if s.Source == SourceAdHocDefault {
			defaults[s.Module] = append(defaults[s.Module], s.Name)
		}
	}
	if len(defaults) == 0 {
		return nil, nil
	}
	return map[string]any{appsecrets.DefaultsKey: defaults}, nil
}
