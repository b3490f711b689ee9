package stackops

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"gopkg.in/yaml.v3"

	"github.com/conveyor-paas/conveyor/stacks/appsecrets"

	"github.com/conveyor-paas/conveyor/naming"
)

// A local environment's secret values are one entry of its stack's config, appsecrets.ValuesKey,
// encrypted by the stack's own secrets manager (the passphrase and the salt kept in the
// stack's tags). No stack file may hold it (no command writes a tracked file), so its
// ciphertext is kept beside the stack's state and tags in the backend,
// <backend>/.pulumi/stacks/<project>/<env>.conveyor-secrets, and opConfig puts it into the
// config file composed for each operation. Only a file backend has such a place; a local
// environment's backend is one (a developer's machine, or CI's checkout).

// localSecrets are the values of one local environment.
type localSecrets struct {
	r  *Runner
	st auto.Stack
	// config is the stack's config with secrets in clear, the values among them.
	config map[string]configValue
}

func (l *localSecrets) values() (appsecrets.Values, error) {
	v := l.config[appsecrets.ValuesKey]
	if v.Value == nil {
		return appsecrets.Values{}, nil
	}
	return appsecrets.Decode(*v.Value)
}

func (l *localSecrets) set(ctx context.Context, ref SecretRef, value []byte) (SecretState, error) {
	values, err := l.values()
	if err != nil {
		return SecretState{}, err
	}
	if values[ref.Module] == nil {
		values[ref.Module] = map[string]string{}
	}
	values[ref.Module][ref.Name] = string(value)
	if err := l.save(ctx, values); err != nil {
		return SecretState{}, err
	}
	return SecretState{SecretRef: ref, Set: true, Source: SourceEnvironment}, nil
}

func (l *localSecrets) unset(ctx context.Context, ref SecretRef) error {
	values, err := l.values()
	if err != nil {
		return err
	}
	if _, ok := values[ref.Module][ref.Name]; !ok {
		return refusef("%s/%s has no value in %s", ref.Module, ref.Name, l.st.Name())
	}
	delete(values[ref.Module], ref.Name)
	if len(values[ref.Module]) == 0 {
		delete(values, ref.Module)
	}
	return l.save(ctx, values)
}

func (l *localSecrets) state(_ context.Context, r RequiredSecret) (SecretState, error) {
	values, err := l.values()
	if err != nil {
		return SecretState{}, err
	}
	_, set := values[r.Module][r.Name]
	s := SecretState{SecretRef: r.SecretRef, Set: set}
	if set {
		s.Source = SourceEnvironment
	}
	return s, nil
}

// save encrypts values with the stack's secrets manager and keeps the ciphertext.
func (l *localSecrets) save(ctx context.Context, values appsecrets.Values) error {
	path, err := l.r.localSecretsFile(l.st.Name())
	if err != nil {
		return err
	}
	if len(values) == 0 {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("removing the secret values of %s: %w", l.st.Name(), err)
		}
		return nil
	}
	ciphertext, err := l.r.encrypt(ctx, &l.st, appsecrets.ValuesKey, values.Encode())
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("keeping the secret values of %s: %w", l.st.Name(), err)
	}
	// Written whole and renamed, so that a killed command leaves the old values or the new.
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(ciphertext+"\n"), 0o600); err != nil {
		return fmt.Errorf("keeping the secret values of %s: %w", l.st.Name(), err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("keeping the secret values of %s: %w", l.st.Name(), err)
	}
	return nil
}

// localSecretsFile is where env's encrypted values are kept: beside its state, in a file
// backend.
func (r *Runner) localSecretsFile(env string) (string, error) {
	backend := r.opts.Settings.tierSettings(env).BackendURL
	dir, ok := strings.CutPrefix(backend, "file://")
	if !ok {
		return "", setupErrorf("the secret values of local environment %s are kept beside its state in a file backend (file://...), and %s is not one", env, backend)
	}
	dir, _, _ = strings.Cut(dir, "?")
	return filepath.Join(filepath.FromSlash(dir), ".pulumi", "stacks", r.opts.Project, env+".conveyor-secrets"), nil
}

// localCiphertext reads env's kept ciphertext; "" when it has none or its backend is no file
// backend.
func (r *Runner) localCiphertext(env string) (string, error) {
	// A module stack's are its environment's: they share its secrets keys (env_split.go).
	path, err := r.localSecretsFile(naming.EnvironmentOf(env))
	if err != nil {
		return "", nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("reading the secret values of %s: %w", env, err)
	}
	return strings.TrimSpace(string(data)), nil
}

// removeLocalSecrets forgets env's values, when its stack is removed: a new stack of the same
// name has another salt, and could not read them.
func (r *Runner) removeLocalSecrets(env string) error {
	path, err := r.localSecretsFile(env)
	if err != nil {
		return nil
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("removing the secret values of %s: %w", env, err)
	}
	return nil
}

// encrypt returns the ciphertext st's secrets manager makes of plaintext as config key. The
// CLI encrypts it in a config file composed outside the repository, reading the plaintext
// from its standard input (never from its arguments, which other users can see).
func (r *Runner) encrypt(ctx context.Context, st *auto.Stack, key, plaintext string) (string, error) {
	env := st.Name()
	path, done, err := r.opConfig(ctx, st)
	if err != nil {
		return "", err
	}
	ciphertext, err := func() (string, error) {
		ws := r.wsFor(env)
		var vars []string
		for k, v := range ws.GetEnvVars() {
			vars = append(vars, k+"="+v)
		}
		args := []string{"config", "set", "--secret", key, "--stack", env, "--config-file", path}
		_, stderr, code, err := ws.PulumiCommand().Run(ctx, ws.WorkDir(), strings.NewReader(plaintext), nil, nil, vars, args...)
		if err != nil {
			return "", fmt.Errorf("encrypting %s of %s: pulumi config set: exit %d: %w\n%s", key, env, code, err, strings.TrimSpace(stderr))
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return "", fmt.Errorf("encrypting %s of %s: %w", key, env, err)
		}
		var doc struct {
			Config map[string]any `yaml:"config"`
		}
		if err := yaml.Unmarshal(data, &doc); err != nil {
			return "", fmt.Errorf("encrypting %s of %s: %w", key, env, err)
		}
		entry, _ := doc.Config[key].(map[string]any)
		secure, _ := entry["secure"].(string)
		if secure == "" {
			return "", fmt.Errorf("encrypting %s of %s: the CLI wrote no ciphertext", key, env)
		}
		return secure, nil
	}()
	if derr := done(ctx); err == nil {
		err = derr
	}
	return ciphertext, err
}
