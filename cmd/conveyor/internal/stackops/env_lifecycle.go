package stackops

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"golang.org/x/sync/errgroup"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/opsummary"
	"github.com/conveyor-paas/conveyor/naming"
)

// EnvInfo describes one environment for `env list`.
type EnvInfo struct {
	Name string `json:"name"`
	// Protected: a long-lived environment or a cluster stack, never collected.
	Protected bool `json:"protected"`
	// Cluster is the cluster stack the environment deploys onto.
	Cluster string `json:"cluster,omitempty"`
	Meta    Meta   `json:"meta"`
	// Expired: its TTL has passed; `env gc` will collect it.
	Expired          bool      `json:"expired"`
	LastUpdate       time.Time `json:"lastUpdate,omitzero"`
	ResourceCount    int       `json:"resourceCount"`
	UpdateInProgress bool      `json:"updateInProgress"`
}

// CreateOptions shape a new environment.
type CreateOptions struct {
	// TTL is how long an ad-hoc environment lives before `env gc` collects it; 0 for never.
	// Long-lived environments and cluster stacks take none.
	TTL time.Duration
	// From names the environment whose conveyor: config the new one starts with.
	From string
	// Cluster is recorded as the cluster stack the environment deploys onto; by convention
	// when empty (see DefaultCluster).
	Cluster string
}

// CreateEnv creates an environment's stack and records its metadata in the backend. It
// deploys nothing: the next `up` does. Creating an ad-hoc environment that exists renews its
// TTL from now and changes nothing else, so a pipeline can run it on every push; created
// reports which happened.
func (r *Runner) CreateEnv(ctx context.Context, name string, o CreateOptions) (info EnvInfo, created bool, err error) {
	if err := CheckCreate(name, o); err != nil {
		return EnvInfo{}, false, err
	}
	now := r.opts.Now().UTC().Truncate(time.Second)

	st, err := r.selectStack(ctx, name)
	switch {
	case err == nil:
		m, err := r.meta(ctx, &st)
		if err != nil {
			return EnvInfo{}, false, err
		}
		if o.TTL > 0 {
			m.Expires = now.Add(o.TTL)
			if err := r.setMeta(ctx, &st, m); err != nil {
				return EnvInfo{}, false, err
			}
		}
		return r.describe(name, m, now), false, nil
	case !IsNotFound(err):
		return EnvInfo{}, false, err
	}

	if o.From != "" {
		// Fail before creating anything when the source does not exist.
		if _, err := r.stackFor(ctx, o.From, false); err != nil {
			return EnvInfo{}, false, fmt.Errorf("--from %s: %w", o.From, err)
		}
	}
	st, err = r.newStack(ctx, name)
	if err != nil {
		return EnvInfo{}, false, err
	}
	m := Meta{Created: now, From: o.From, CreatedBy: r.opts.User, Cluster: o.Cluster}
	if m.Cluster == "" {
		m.Cluster = DefaultCluster(name)
	}
	if o.TTL > 0 {
		m.Expires = now.Add(o.TTL)
	}
	if err := r.setMeta(ctx, &st, m); err != nil {
		return EnvInfo{}, false, err
	}
	if o.From != "" {
		if err := r.copyNamespace(ctx, o.From, &st); err != nil {
			return EnvInfo{}, false, fmt.Errorf("environment %s was created but its config could not be copied from %s: %w", name, o.From, err)
		}
	}
	return r.describe(name, m, now), true, nil
}

func (r *Runner) describe(name string, m Meta, now time.Time) EnvInfo {
	info := EnvInfo{Name: name, Protected: IsProtected(name), Cluster: m.Cluster, Meta: m}
	if info.Cluster == "" {
		info.Cluster = DefaultCluster(name)
	}
	info.Expired = !info.Protected && m.Expired(now)
	return info
}

// ListEnvs describes every environment of the project, sorted by name. The tags and config
// of each are read with their own CLI invocations, Options.Parallel at a time.
func (r *Runner) ListEnvs(ctx context.Context) ([]EnvInfo, error) {
	var stacks []auto.StackSummary
	seen := map[string]bool{}
	for _, ws := range r.workspaces() {
		list, err := ws.ListStacks(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing the environments: %w", err)
		}
		for _, s := range list {
			// A stack is listed from its own tier's backend only.
			if !seen[s.Name] && r.wsFor(s.Name) == ws {
				seen[s.Name] = true
				stacks = append(stacks, s)
			}
		}
	}
	now := r.opts.Now()
	infos := make([]EnvInfo, len(stacks))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(r.opts.Parallel)
	for i, s := range stacks {
		g.Go(func() error {
			info, err := r.envInfo(gctx, s, now)
			if err != nil {
				return err
			}
			infos[i] = info
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	slices.SortFunc(infos, func(a, b EnvInfo) int { return strings.Compare(a.Name, b.Name) })
	return infos, nil
}

func (r *Runner) envInfo(ctx context.Context, s auto.StackSummary, now time.Time) (EnvInfo, error) {
	tags, err := r.wsFor(s.Name).ListTags(ctx, s.Name)
	if err != nil {
		return EnvInfo{}, fmt.Errorf("reading the tags of %s: %w", s.Name, err)
	}
	m, err := parseMeta(tags)
	if err != nil {
		return EnvInfo{}, fmt.Errorf("environment %s: %w", s.Name, err)
	}
	if !naming.IsClusterStack(s.Name) {
		// The cluster it runs on is what its last update exported; before any, what the next
		// one will read: its committed config, else the tag `env create` set.
		outs, err := r.wsFor(s.Name).StackOutputs(ctx, s.Name)
		if ran, ok := outs[naming.OutputCluster].Value.(string); err == nil && ok && ran != "" {
			m.Cluster = ran
		} else if v, err := r.wsFor(s.Name).GetConfig(ctx, s.Name, naming.ConfigCluster); err == nil && v.Value != "" {
			m.Cluster = v.Value
		}
	}
	info := r.describe(s.Name, m, now)
	info.UpdateInProgress = s.UpdateInProgress
	if s.ResourceCount != nil {
		info.ResourceCount = *s.ResourceCount
	}
	if s.LastUpdate != "" {
		if t, err := time.Parse(time.RFC3339, s.LastUpdate); err == nil {
			info.LastUpdate = t
		}
	}
	return info, nil
}

// DeleteEnv destroys every resource of an ad-hoc environment and removes its stack, its tags
// and its config file. Deleting an environment that does not exist does nothing, so cleanup
// can run twice. Long-lived environments and cluster stacks are refused.
func (r *Runner) DeleteEnv(ctx context.Context, name string, o RunOptions) (*opsummary.Summary, error) {
	if err := CheckDelete(name); err != nil {
		return nil, err
	}
	st, err := r.stackFor(ctx, name, false)
	if err != nil {
		return nil, err
	}
	if err := r.deleteModuleStacks(ctx, name, o); err != nil { // a split one's, first (env_gc.go)
		return nil, err
	}
	s, err := r.destroy(ctx, &st, o)
	if err != nil {
		return s, err
	}
	_, err = withLockRetry(ctx, r.opts.LockRetry, name, nil, func() error {
		return r.wsFor(name).RemoveStack(ctx, name)
	})
	if err != nil {
		return s, fmt.Errorf("environment %s is destroyed but its stack could not be removed: %w", name, err)
	}
	return s, r.removeLocalSecrets(name)
}
