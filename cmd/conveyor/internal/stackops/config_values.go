package stackops

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"

	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/stacks/appsecrets"
	"github.com/conveyor-paas/conveyor/stacks/deployed"
)

// configValue is one entry of `pulumi config --json`, the shape `config set-all --json`
// reads back. Going through it (rather than auto.ConfigMap) keeps object values objects
// and secrets secret when config is copied between stacks.
type configValue struct {
	Value       *string `json:"value,omitempty"`
	ObjectValue any     `json:"objectValue,omitempty"`
	Secret      bool    `json:"secret"`
}

// cli runs the Pulumi CLI with the environment of stack's tier, for the commands the
// Automation API does not wrap with the fidelity needed here.
func (r *Runner) cli(ctx context.Context, stack string, args ...string) (string, error) {
	ws := r.wsFor(stack)
	var env []string
	for k, v := range ws.GetEnvVars() {
		env = append(env, k+"="+v)
	}
	stdout, stderr, code, err := ws.PulumiCommand().Run(ctx, ws.WorkDir(), nil, nil, nil, env, args...)
	if err != nil {
		return stdout, fmt.Errorf("pulumi %s: exit %d: %w\n%s", strings.Join(args, " "), code, err, strings.TrimSpace(stderr))
	}
	return stdout, nil
}

// rawConfig reads every config value of env, secrets in clear (they are re-encrypted with the
// destination stack's key when written back).
func (r *Runner) rawConfig(ctx context.Context, env string) (map[string]configValue, error) {
	st, err := r.selectStack(ctx, env)
	if err != nil {
		return nil, err
	}
	return r.stackConfig(ctx, &st)
}

// stackConfig is rawConfig of a stack the caller selected already.
func (r *Runner) stackConfig(ctx context.Context, st *auto.Stack) (map[string]configValue, error) {
	env := st.Name()
	// Through a composed file, so that decrypting leaves the committed file alone.
	path, done, err := r.opConfig(ctx, st)
	if err != nil {
		return nil, err
	}
	out, err := r.cli(ctx, env, "config", "--json", "--show-secrets", "--stack", env, "--config-file", path)
	if derr := done(ctx); err == nil {
		err = derr
	}
	if err != nil {
		return nil, fmt.Errorf("reading the config of %s: %w", env, err)
	}
	cfg := map[string]configValue{}
	if err := json.Unmarshal([]byte(out), &cfg); err != nil {
		return nil, fmt.Errorf("reading the config of %s: %w", env, err)
	}
	return cfg, nil
}

// setRawConfig writes values into env's config file, leaving other keys alone.
func (r *Runner) setRawConfig(ctx context.Context, st *auto.Stack, values map[string]configValue) error {
	if len(values) == 0 {
		return nil
	}
	data, err := json.Marshal(values)
	if err != nil {
		return fmt.Errorf("encoding config: %w", err)
	}
	if err := st.SetAllConfigJson(ctx, string(data), nil); err != nil {
		return fmt.Errorf("writing the config of %s: %w", st.Name(), err)
	}
	return nil
}

// notInherited are the keys that say which environment a stack is rather than what it runs:
// an environment made from prod must not land on cluster-prod or be protected as prod.
//
// Nor are an environment's secret values: an environment reads its own, never another's.
// Nor is sleep (naming.ConfigAsleep): it says how an environment is run now, and an
// environment made from a sleeping one is made to be looked at.
var notInherited = map[string]bool{
	naming.ConfigCluster: true, naming.ConfigProduction: true, naming.ConfigAsleep: true,
	appsecrets.ValuesKey: true, appsecrets.DefaultsKey: true,
}

// copyNamespace copies every key of Conveyor's namespace from one environment to another,
// but those notInherited and, between two trust tiers, the secrets: a secret never leaves
// its tier (naming.TierOf), so an environment made from prod or dev holds none of theirs. It
// says which secrets it left behind.
func (r *Runner) copyNamespace(ctx context.Context, from string, to *auto.Stack) error {
	src, err := r.rawConfig(ctx, from)
	if err != nil {
		return err
	}
	sameTier := naming.TierOf(from) == naming.TierOf(to.Name())
	picked := map[string]configValue{}
	var leftBehind []string
	for k, v := range src {
		switch {
		case !strings.HasPrefix(k, naming.Project+":") || v.Value == nil || notInherited[k]:
		case v.Secret && !sameTier:
			leftBehind = append(leftBehind, k)
		default:
			picked[k] = v
		}
	}
	if len(leftBehind) > 0 {
		slices.Sort(leftBehind)
		r.logf("left the secrets of %s (%s tier) behind: %s; set those %s needs with `pulumi config set --secret -s %s`",
			from, naming.TierOf(from), strings.Join(leftBehind, ", "), to.Name(), to.Name())
	}
	return r.setRawConfig(ctx, to, picked)
}

// restoreConfig makes sure env's config file exists, since operations read it. A fresh clone
// (a CI run) has no file for an ad-hoc environment: the config of its last deployment is
// restored from the backend, with the salt that encrypts its secrets (`pulumi config
// refresh`); an environment never deployed gets the config of the environment it was created
// from again. The deployed images are not brought into any file: the update reads them from
// its last checkpoint (see package deployed).
func (r *Runner) restoreConfig(ctx context.Context, st *auto.Stack, env string) error {
	if !fileExists(r.configFile(naming.EnvironmentOf(env))) {
		_, err := st.RefreshConfig(ctx)
		switch {
		case err == nil:
			r.logf("restored the config of %s from its last deployment (%s was missing)", env, r.configFile(env))
		case strings.Contains(autoErrorText(err), "no previous deployment"):
			meta, merr := r.meta(ctx, st)
			if merr != nil {
				return merr
			}
			if meta.From != "" {
				if err := r.copyNamespace(ctx, meta.From, st); err != nil {
					return fmt.Errorf("restoring the config of %s from %s: %w", env, meta.From, err)
				}
				r.logf("copied the config of %s from %s again (%s was missing and %s was never deployed)", env, meta.From, r.configFile(env), env)
			}
		default:
			return fmt.Errorf("restoring the config of %s from the backend: %w", env, err)
		}
	}
	return nil
}

// imageDiff says which components' images differ between two sets: "quotes/api: a -> b".
func imageDiff(from, to deployed.Images) string {
	var parts []string
	modules := map[string]bool{}
	for m := range from {
		modules[m] = true
	}
	for m := range to {
		modules[m] = true
	}
	for _, m := range slices.Sorted(maps.Keys(modules)) {
		comps := map[string]bool{}
		for c := range from[m] {
			comps[c] = true
		}
		for c := range to[m] {
			comps[c] = true
		}
		for _, c := range slices.Sorted(maps.Keys(comps)) {
			if a, b := from[m][c], to[m][c]; a != b {
				parts = append(parts, fmt.Sprintf("%s/%s: %s -> %s", m, c, cmp.Or(a, "(none)"), cmp.Or(b, "(none)")))
			}
		}
	}
	return strings.Join(parts, ", ")
}
