package stackops

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/opthistory"
	"golang.org/x/sync/errgroup"

	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/stacks/deployed"
)

// ByKey is the config key of who ran an update, which the Runner puts into every composed
// config file (Options.User), so that history can say who on any backend.
const ByKey = naming.ConfigBy

// HistoryEntry is one operation of an environment, as `conveyor history` shows it.
type HistoryEntry struct {
	// Stack is the stack the operation ran on: the environment's, or in a split environment
	// one of its module stacks (env_split.go).
	Stack   string    `json:"stack"`
	Version int       `json:"version"`
	Kind    string    `json:"kind"`
	Result  string    `json:"result"`
	Start   time.Time `json:"start"`
	End     time.Time `json:"end,omitzero"`
	By      string    `json:"by,omitempty"`
	Message string    `json:"message,omitempty"`
	// Images are the images the update asked for (deploy, promote, rollback), by module and
	// component.
	Images deployed.Images `json:"images,omitempty"`
	// Change says which operation asked for the images and where they came from (their
	// source commits), when the update recorded it (ChangeKey).
	Change *Change `json:"change,omitempty"`
	// Config are the config keys that differ from the operation before it.
	Config []ConfigChange `json:"config,omitempty"`
	// Resources counts the resources by what the operation did to them.
	Resources map[string]int `json:"resources,omitempty"`
}

// ConfigChange is one config key that an operation changed; a secret's values are never
// shown, only that it changed.
type ConfigChange struct {
	Key    string `json:"key"`
	From   string `json:"from,omitempty"`
	To     string `json:"to,omitempty"`
	Secret bool   `json:"secret,omitempty"`
}

// notConfig are the keys that every operation sets anew: not a change anyone made.
var notConfig = map[string]bool{ByKey: true, deployed.RequestKey: true, TargetsKey: true, ChangeKey: true, DesiredKey: true}

// History lists env's operations, newest first, without ever decrypting a secret. Of a split
// environment (env_split.go) it lists its base's and each module stack's, by start: a module
// stack's numbered after the base's from before the split, which its history continues
// (moduleHistory), as `rollback --module --to` takes them.
func (r *Runner) History(ctx context.Context, env string) ([]HistoryEntry, error) {
	mods, err := r.moduleStacks(ctx, env)
	if err != nil {
		return nil, err
	}
	base, err := r.updates(ctx, env)
	if err != nil {
		return nil, err
	}
	out, err := historyEntries(env, base, len(base))
	if err != nil || len(mods) == 0 {
		return out, err
	}
	stacks := sortedStacks(mods)
	own := make([][]HistoryEntry, len(stacks))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(r.opts.Parallel)
	for i, stack := range stacks {
		g.Go(func() error {
			mine, err := r.updates(gctx, stack)
			if err != nil {
				return err
			}
			own[i], err = historyEntries(stack, continued(base, mine), len(mine))
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	out = slices.Concat(append([][]HistoryEntry{out}, own...)...)
	slices.SortStableFunc(out, func(a, b HistoryEntry) int { return b.Start.Compare(a.Start) })
	return out, nil
}

// updates are stack's updates, newest first, secrets left encrypted.
func (r *Runner) updates(ctx context.Context, stack string) ([]auto.UpdateSummary, error) {
	st, err := r.selectStack(ctx, stack)
	if err != nil {
		return nil, err
	}
	updates, err := st.History(ctx, 0, 0, opthistory.ShowSecrets(false))
	if err != nil {
		return nil, fmt.Errorf("reading the history of %s: %w", stack, err)
	}
	return updates, nil
}

// historyEntries are the first n of stack's updates (newest first) as history entries; the
// others are only what the oldest of them changed config from.
func historyEntries(stack string, updates []auto.UpdateSummary, n int) ([]HistoryEntry, error) {
	out := make([]HistoryEntry, n)
	for i, u := range updates[:n] {
		h := HistoryEntry{Stack: stack, Version: number(updates, i), Kind: u.Kind, Result: u.Result, Message: updateMessage(u.Message), By: u.Config[ByKey].Value}
		if h.By == "" {
			h.By = u.Environment["git.author"]
		}
		if t, err := time.Parse(time.RFC3339, u.StartTime); err == nil {
			h.Start = t
		}
		if u.EndTime != nil {
			if t, err := time.Parse(time.RFC3339, *u.EndTime); err == nil {
				h.End = t
			}
		}
		if u.ResourceChanges != nil {
			h.Resources = *u.ResourceChanges
		}
		var err error
		if req, ok := u.Config[deployed.RequestKey]; ok {
			if h.Images, err = deployed.Decode(req.Value); err != nil {
				return nil, fmt.Errorf("update %d of %s: %s: %w", h.Version, stack, deployed.RequestKey, err)
			}
		}
		if h.Change, err = decodeChange(u.Config[ChangeKey].Value); err != nil {
			return nil, fmt.Errorf("update %d of %s: %s: %w", h.Version, stack, ChangeKey, err)
		}
		var before auto.ConfigMap
		if i+1 < len(updates) {
			before = updates[i+1].Config
		}
		h.Config = configChanges(before, u.Config)
		out[i] = h
	}
	return out, nil
}

// configChanges lists the keys that differ between two operations' config.
func configChanges(before, after auto.ConfigMap) []ConfigChange {
	keys := map[string]bool{}
	for k := range before {
		keys[k] = true
	}
	for k := range after {
		keys[k] = true
	}
	var out []ConfigChange
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		a, had := before[k]
		b, has := after[k]
		if notConfig[k] || (had == has && a.Value == b.Value && a.Secret == b.Secret) {
			continue
		}
		c := ConfigChange{Key: k, Secret: a.Secret || b.Secret}
		if !c.Secret {
			c.From, c.To = a.Value, b.Value
		}
		out = append(out, c)
	}
	return out
}

// imagesAt works out the image layers env ran with at updates[at] (updates newest first):
// the stack file's seed as that update's config recorded it, and the deployed images as the
// requests of the successful updates up to it put them together, which is how each update's
// program built them from its last checkpoint. The file backend cannot export an earlier
// checkpoint (`pulumi stack export --version` is Pulumi Cloud's only), so the requests, which
// every update's config records, are replayed instead. A failed update's request counts as not
// recorded, as its program's outputs are not kept when the engine stops on a failed step, and
// the replay starts again after each successful destroy, which leaves no record behind.
func imagesAt(env string, updates []auto.UpdateSummary, at int) (deployed.Layers, error) {
	u := updates[at]
	seed, err := deployed.Decode(u.Config[deployed.SeedKey].Value)
	if err != nil {
		return deployed.Layers{}, fmt.Errorf("update %d of %s: %s: %w", number(updates, at), env, deployed.SeedKey, err)
	}
	rec := deployed.Images{}
	for i := len(updates) - 1; i >= at; i-- {
		if updates[i].Result != "succeeded" {
			continue
		}
		if updates[i].Kind == "destroy" {
			// A destroy leaves no checkpoint outputs: the next update recorded only its own
			// request, and so on from there.
			rec = deployed.Images{}
			continue
		}
		if updates[i].Kind != "update" {
			continue
		}
		req, err := decodeRequest(updates[i])
		if err != nil {
			return deployed.Layers{}, fmt.Errorf("update %d of %s: %s: %w", number(updates, i), env, deployed.RequestKey, err)
		}
		rec = rec.Overlay(req)
	}
	return deployed.Layers{Seed: seed, Deployed: rec}, nil
}

// number is the version of updates[i] (newest first): the backend's when it numbers them,
// else its place counted from the oldest, 1 first (the file backend numbers none).
func number(updates []auto.UpdateSummary, i int) int {
	if v := updates[i].Version; v > 0 {
		return v
	}
	return len(updates) - i
}

func touches(im deployed.Images, module string) bool {
	if module == "" {
		return len(im) > 0
	}
	return len(im[module]) > 0
}

// decodeRequest reads the images an update asked for.
func decodeRequest(u auto.UpdateSummary) (deployed.Images, error) {
	return deployed.Decode(u.Config[deployed.RequestKey].Value)
}

// updateMessage is an update's message as it was given. The Automation API hands it to the
// CLI as --message=%q, with no shell to take Go's quotes off, so the CLI records them; a
// message compared with a constant (a scheduled wake is no activity: env_sleep_due.go) or
// shown to a person is the unquoted one. A message a person gave the CLI directly has none.
func updateMessage(m string) string {
	if strings.HasPrefix(m, `"`) {
		if s, err := strconv.Unquote(m); err == nil {
			return s
		}
	}
	return m
}
