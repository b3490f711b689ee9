package stackops

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/opthistory"
	"gopkg.in/yaml.v3"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/opsummary"
	"github.com/conveyor-paas/conveyor/naming"
)

// Skipping the engine for an environment that declares what it already has (issue 24).
//
// The policy gate evaluates the program offline before every preview and update; the digest
// of what it declares (evaluation.Fingerprints) is recorded with each whole update under
// DesiredKey. A later preview or up whose digest is the one recorded by the stack's last
// operation, a whole update that succeeded, would hand the engine the program that made the
// state, and the engine would find nothing to change: the command says so without starting
// it (a no-change preview of a 50-module environment cost 13 to 26 CPU-seconds).
//
// It is safe only where the digest covers everything the program reads, and where the
// command can prove that nothing changed the state since: so only for local environments
// (the program reads no cluster stack, whose live outputs an offline evaluation simulates)
// on a file:// backend, where the command takes the stack's lock itself
// (recover_stacklock.go) to read the last update, and where the checkpoint file shows
// whether anything wrote the state after it (a `pulumi state` edit, an import, a killed
// update). Anything else runs the engine.

// DesiredKey is the config key under which a whole update records the digest of what it
// deployed (desiredDigest), in its own record in the stack's history.
const DesiredKey = naming.ConfigDesired

// checkpointSlack is how much later than the update's recorded end its checkpoint may be
// written: the history records whole seconds, and the backend writes the checkpoint first.
const checkpointSlack = 2 * time.Second

// desiredDigest is what an operation records and compares: the offline evaluation's digest
// (evaluation.Fingerprints.Environment) and the ciphertext of every secret of the config file
// the engine is handed, since the digest leaves secrets out and a new value is a new
// ciphertext.
func desiredDigest(evaluated string, configFile string) (string, error) {
	data, err := os.ReadFile(configFile)
	if err != nil {
		return "", fmt.Errorf("reading the composed config: %w", err)
	}
	var doc struct {
		Config map[string]any `yaml:"config"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return "", fmt.Errorf("reading the composed config %s: %w", configFile, err)
	}
	h := sha256.New()
	fmt.Fprintf(h, "%d:%s", len(evaluated), evaluated)
	for _, k := range slices.Sorted(maps.Keys(doc.Config)) {
		if v, ok := doc.Config[k].(map[string]any); ok {
			if ct, ok := v["secure"].(string); ok {
				fmt.Fprintf(h, "%d:%s%d:%s", len(k), k, len(ct), ct)
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// skippable says whether an operation of env with o may skip the engine at all: a whole
// operation (no targets, no plan to save or apply) of a local environment.
func skippable(env string, o RunOptions) bool {
	kind, _ := naming.ClassifyStack(env)
	return kind == naming.StackLocal && len(o.Targets) == 0 && o.Plan == "" && !o.AlwaysRunEngine
}

// unchangedSince returns st's last operation when it is a whole update that succeeded and
// recorded desired, no operation holds the stack's lock, and nothing wrote the state after
// it; nil otherwise. It holds the stack's lock while it reads.
func (r *Runner) unchangedSince(ctx context.Context, st *auto.Stack, desired string) (*auto.UpdateSummary, error) {
	checkpoint, err := r.checkpointFile(st.Name())
	if err != nil {
		return nil, nil // not a file:// backend: the engine runs
	}
	// Without waiting: a held lock is an operation in flight, or a killed one to recover.
	release, err := r.tryLockNow(st.Name())
	if err != nil || release == nil {
		return nil, err
	}
	defer func() { _ = release() }()
	history, err := st.History(ctx, 1, 1, opthistory.ShowSecrets(false))
	if err != nil {
		return nil, fmt.Errorf("reading the last update of %s: %w", st.Name(), err)
	}
	if len(history) == 0 {
		return nil, nil
	}
	last := history[0]
	recorded, ok := last.Config[DesiredKey]
	if last.Kind != "update" || last.Result != "succeeded" || !ok || recorded.Secret || recorded.Value != desired || last.EndTime == nil {
		return nil, nil
	}
	if _, targeted := last.Config[TargetsKey]; targeted {
		return nil, nil
	}
	end, err := time.Parse(time.RFC3339, *last.EndTime)
	if err != nil {
		return nil, nil
	}
	fi, err := os.Stat(checkpoint)
	if err != nil || fi.ModTime().After(end.Add(checkpointSlack)) {
		return nil, nil
	}
	return &last, nil
}

// checkpointFile is env's checkpoint in a file:// backend (the DIY backend's layout, as the
// lock folder in lockDir).
func (r *Runner) checkpointFile(env string) (string, error) {
	locks, err := r.lockDir(env)
	if err != nil {
		return "", err
	}
	root := filepath.Dir(filepath.Dir(filepath.Dir(filepath.Dir(locks)))) // <root>/.pulumi
	return filepath.Join(root, "stacks", r.opts.Project, env+".json"), nil
}

// skipped is the summary of an operation that did not start the engine: what the last
// update left is what the program declares.
func skipped(env, op string, last *auto.UpdateSummary) *opsummary.Summary {
	same := 0
	if last.ResourceChanges != nil {
		for _, n := range *last.ResourceChanges {
			same += n
		}
		same -= (*last.ResourceChanges)[opsummary.OpDelete]
	}
	return &opsummary.Summary{
		Operation:   op,
		Environment: env,
		DryRun:      op == OpPreview,
		Result:      "succeeded",
		Changes:     map[string]int{opsummary.OpSame: same},
		Skipped:     fmt.Sprintf("the program declares what update %d deployed; the engine did not start", last.Version),
	}
}

// tryLockNow takes env's lock if nobody holds it, without waiting; it returns no release
// function when another holds it.
func (r *Runner) tryLockNow(env string) (func() error, error) {
	l, err := r.newStackLock(env)
	if err != nil {
		return nil, err
	}
	if err := l.take(); err != nil {
		if isLockError(err) {
			return nil, nil
		}
		return nil, err
	}
	return l.release, nil
}

// skipUnchanged returns the summary of an operation that need not start the engine, or nil:
// the gate's fingerprint and the secrets' ciphertext in the composed config at path are what
// the stack's last whole update recorded (unchangedSince). An update that does start records
// its digest in that config, for the next operation to compare.
func (r *Runner) skipUnchanged(ctx context.Context, st *auto.Stack, op string, o RunOptions, gated GateResult, path string) (*opsummary.Summary, error) {
	if gated.Fingerprint == "" {
		return nil, nil
	}
	desired, err := desiredDigest(gated.Fingerprint, path)
	if err != nil {
		return nil, err
	}
	if skippable(st.Name(), o) {
		last, err := r.unchangedSince(ctx, st, desired)
		if err != nil {
			return nil, err
		}
		if last != nil {
			r.logf("%s of %s: the program declares what update %d deployed; the engine did not start", op, st.Name(), last.Version)
			return skipped(st.Name(), op, last), nil
		}
	}
	if op == OpUpdate && len(o.Targets) == 0 {
		return nil, recordDesired(path, desired)
	}
	return nil, nil
}

// recordDesired puts desired into the composed config file at path, under DesiredKey.
func recordDesired(path, desired string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("reading the composed config: %w", err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("reading the composed config %s: %w", path, err)
	}
	cfg, _ := doc["config"].(map[string]any)
	if cfg == nil {
		cfg = map[string]any{}
	}
	cfg[DesiredKey] = desired
	doc["config"] = cfg
	if data, err = yaml.Marshal(doc); err != nil {
		return fmt.Errorf("writing the composed config: %w", err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return fmt.Errorf("writing the composed config: %w", err)
	}
	return nil
}
