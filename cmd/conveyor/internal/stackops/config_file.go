package stackops

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"gopkg.in/yaml.v3"

	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/stacks/appsecrets"
	"github.com/conveyor-paas/conveyor/stacks/deployed"
	"github.com/conveyor-paas/conveyor/stacks/stackfile"
)

// No command writes a file git tracks: the stack files in stacks/ are inputs only. What is
// per environment and changes between commits lives in the backend instead:
//   - the deployed images, in each update's checkpoint (see package deployed);
//   - what a stack's secrets manager writes into its stack file on first use (the
//     passphrase's encryptionsalt, a KMS provider's encryptedkey), in stack tags (secretsTags).
//
// Every operation runs with a config file the Runner composes outside the repository (the
// CLI's --config-file): the stack file as it is, plus the secrets manager's keys from the
// tags, plus the update's request (deployed.RequestKey). The CLI of v3.274.1 still saves a
// secrets manager it creates into the stack's own file, even with --config-file; so each CLI
// call that may create one is guarded (guardStackFile): what it wrote goes to the tags and the
// file is put back byte for byte, comments included. The next call finds the keys in the
// composed file and creates nothing.

// secretsTags maps the keys a secrets manager writes into a stack file to the stack tags that
// keep them. Each is short (a salt, or a wrapped data key), within the 256 characters of a tag.
var secretsTags = map[string]string{
	"encryptionsalt":  "conveyor:secrets-salt",
	"encryptedkey":    "conveyor:secrets-key",
	"secretsprovider": "conveyor:secrets-provider",
}

// stackFileDoc reads env's stack file as a YAML document; none is an empty one. A module
// stack's is its environment's (naming.ModuleStack): one file configures the environment,
// whatever stacks hold it; the module stack's secrets keys are in its tags (env_split.go).
func (r *Runner) stackFileDoc(env string) (map[string]any, error) {
	if base, _, ok := naming.SplitModuleStack(env); ok {
		env = base
	}
	return stackfile.ReadDoc(r.opts.WorkDir, env)
}

// seedImages reads the stack file's conveyor:images, the committed seed.
func (r *Runner) seedImages(env string) (deployed.Images, error) {
	doc, err := r.stackFileDoc(env)
	if err != nil {
		return nil, err
	}
	cfg, _ := doc["config"].(map[string]any)
	im, err := deployed.FromValue(cfg[deployed.SeedKey])
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %w", r.configFile(env), deployed.SeedKey, err)
	}
	return im, nil
}

// opConfig composes the config file of one CLI call on st (see above) that records nothing
// of an operation (a config read, a refresh), and returns its path and a function that
// removes it and puts the stack file back (guardStackFile).
func (r *Runner) opConfig(ctx context.Context, st *auto.Stack) (string, func(context.Context) error, error) {
	return r.opConfigWith(ctx, st, opRecord{}, nil)
}

// opConfigWith composes the config file of an operation's CLI call, with what the operation
// records (opRecord: its request, targets and change) and extra config entries of its own.
func (r *Runner) opConfigWith(ctx context.Context, st *auto.Stack, rec opRecord, extra map[string]any) (string, func(context.Context) error, error) {
	env := st.Name()
	restore, err := r.guardStackFile(env)
	if err != nil {
		return "", nil, err
	}
	doc, err := r.stackFileDoc(env)
	if err != nil {
		return "", nil, err
	}
	tags, err := st.ListTags(ctx)
	if err != nil {
		return "", nil, fmt.Errorf("reading the tags of %s: %w", env, err)
	}
	for key, tag := range secretsTags {
		if _, ok := doc[key]; !ok && tags[tag] != "" {
			doc[key] = tags[tag]
		}
	}
	cfg, _ := doc["config"].(map[string]any)
	if cfg == nil {
		cfg = map[string]any{}
	}
	delete(cfg, deployed.RequestKey) // only the Runner asks, one update at a time
	delete(cfg, TargetsKey)
	delete(cfg, ChangeKey)
	delete(cfg, DesiredKey) // recorded by the update whose program it digests (op_unchanged.go)
	// `env create --cluster` records the cluster in the backend; the program reads it as
	// config, unless the stack file names one.
	if _, ok := cfg[naming.ConfigCluster]; !ok && tags[TagCluster] != "" && !naming.IsClusterStack(env) {
		cfg[naming.ConfigCluster] = tags[TagCluster]
	}
	if tags[TagSplit] == "true" {
		cfg[naming.ConfigSplit] = "true" // the base of a split environment (env_split.go)
	}
	composeAsleep(env, tags, cfg) // the sleep tag (env_sleep.go)
	if len(rec.Request) > 0 {
		cfg[deployed.RequestKey] = rec.Request
	}
	if len(rec.Targets) > 0 {
		cfg[TargetsKey] = rec.Targets
	}
	if rec.Change != nil {
		data, err := json.Marshal(rec.Change)
		if err != nil {
			return "", nil, fmt.Errorf("recording the change of %s: %w", env, err)
		}
		cfg[ChangeKey] = string(data) // a string, as the history returns every value
	}
	if r.opts.User != "" {
		cfg[ByKey] = r.opts.User // who, in the update's own record (see History)
	}
	// A local environment's secret values, as the ciphertext its secrets manager made
	// (config_secrets_local.go); never a stack file's.
	delete(cfg, appsecrets.ValuesKey)
	delete(cfg, appsecrets.DefaultsKey)
	ciphertext, err := r.localCiphertext(env)
	if err != nil {
		return "", nil, err
	}
	if ciphertext != "" {
		cfg[appsecrets.ValuesKey] = map[string]any{"secure": ciphertext}
	}
	maps.Copy(cfg, extra)
	doc["config"] = cfg
	data, err := yaml.Marshal(doc)
	if err != nil {
		return "", nil, fmt.Errorf("composing the config of %s: %w", env, err)
	}
	dir, err := os.MkdirTemp("", "conveyor-config-")
	if err != nil {
		return "", nil, fmt.Errorf("composing the config of %s: %w", env, err)
	}
	path := filepath.Join(dir, "Pulumi."+env+".yaml")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		os.RemoveAll(dir)
		return "", nil, fmt.Errorf("composing the config of %s: %w", env, err)
	}
	done := func(ctx context.Context) error {
		defer os.RemoveAll(dir)
		return restore(ctx, st)
	}
	return path, done, nil
}

// guardStackFile remembers env's stack file as it is, and returns a function that keeps in
// st's tags the secrets keys a CLI call wrote into it and puts the file back as it was. A
// file that did not exist (an ad-hoc environment's, which git ignores) is left as the CLI
// made it.
func (r *Runner) guardStackFile(env string) (func(context.Context, *auto.Stack) error, error) {
	path := r.configFile(env)
	before, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return func(context.Context, *auto.Stack) error { return nil }, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the stack file of %s: %w", env, err)
	}
	return func(ctx context.Context, st *auto.Stack) error {
		after, err := os.ReadFile(path)
		if err != nil || bytes.Equal(after, before) {
			return nil
		}
		had, now := map[string]any{}, map[string]any{}
		_ = yaml.Unmarshal(before, &had)
		if err := yaml.Unmarshal(after, &now); err == nil {
			// A key the stack already has in its tags is never replaced: a CLI command that
			// reads the stack file rather than the composed one (`stack history`, which
			// Stack.Info runs) finds no salt there and mints an unrelated one, which the
			// stack's state and secrets were never encrypted with.
			kept, err := st.ListTags(ctx)
			if err != nil {
				return fmt.Errorf("reading the tags of %s: %w", env, err)
			}
			for key, tag := range secretsTags {
				if v, ok := now[key].(string); ok && v != "" && had[key] == nil && kept[tag] == "" {
					if err := st.SetTag(ctx, tag, v); err != nil {
						return fmt.Errorf("keeping the secrets key %s of %s in the backend: %w", key, env, err)
					}
				}
			}
		}
		if err := os.WriteFile(path, before, 0o644); err != nil {
			return fmt.Errorf("putting back %s, which the Pulumi CLI rewrote: %w", path, err)
		}
		return nil
	}, nil
}

// newStack creates env's stack; `pulumi stack init` may write its secrets manager into the
// stack file, which is guarded like every other CLI call.
func (r *Runner) newStack(ctx context.Context, env string) (auto.Stack, error) {
	restore, err := r.guardStackFile(env)
	if err != nil {
		return auto.Stack{}, err
	}
	st, err := auto.NewStack(ctx, env, r.wsFor(env))
	if err != nil {
		return auto.Stack{}, fmt.Errorf("creating environment %s: %w", env, err)
	}
	return st, restore(ctx, &st)
}
