package stackops

import (
	"context"
	"fmt"

	"github.com/conveyor-paas/conveyor/naming"
)

// gcpSecrets are the values of one environment on GKE (env), or the ad-hoc tier's defaults
// (env empty), in the Secret Manager of the cluster's project.
type gcpSecrets struct {
	sm             SecretManager
	project, space string
	env            string
}

// gcpSecrets finds the project of cluster, where its environments' secrets are.
func (r *Runner) gcpSecrets(ctx context.Context, cluster, space, env string) (secretStore, error) {
	if r.opts.SecretManager == nil {
		return nil, setupErrorf("no Secret Manager client: the secrets of %s are in GCP", cluster)
	}
	outs, err := r.StackOutputs(ctx, cluster)
	if err != nil {
		return nil, fmt.Errorf("finding the GCP project of %s: %w", cluster, err)
	}
	project, _ := outs["project"].Value.(string)
	if project == "" {
		return nil, setupErrorf("cluster %s has no project output yet: deploy it first (conveyor up --env %s)", cluster, cluster)
	}
	return &gcpSecrets{sm: r.opts.SecretManager, project: project, space: space, env: env}, nil
}

// id is the secret's id in Secret Manager, as the stack names it (naming).
func (g *gcpSecrets) id(ref SecretRef) string {
	if g.env == "" {
		return naming.AdHocDefaultSecret(ref.Module, ref.Name)
	}
	return naming.SecretManagerSecret(g.env, ref.Module, ref.Name)
}

func (g *gcpSecrets) set(ctx context.Context, ref SecretRef, value []byte) (SecretState, error) {
	env := g.env
	if env == "" {
		env = naming.AdHocTierDefaults
	}
	// The labels the stack declares (components/module_secrets.go), so that it adopts the
	// secret as it is.
	labels := naming.GCPLabels(naming.Scope{Environment: env, Space: g.space, Module: ref.Module})
	v, err := g.sm.AddVersion(ctx, g.project, g.id(ref), labels, value)
	if err != nil {
		return SecretState{}, fmt.Errorf("adding a version to %s: %w", g.id(ref), err)
	}
	return SecretState{SecretRef: ref, Set: true, Version: v.ID, Source: SourceEnvironment, Updated: v.Created}, nil
}

func (g *gcpSecrets) unset(ctx context.Context, ref SecretRef) error {
	if err := g.sm.DestroyVersions(ctx, g.project, g.id(ref)); err != nil {
		return fmt.Errorf("destroying the versions of %s: %w", g.id(ref), err)
	}
	return nil
}

func (g *gcpSecrets) state(ctx context.Context, r RequiredSecret) (SecretState, error) {
	s := SecretState{SecretRef: r.SecretRef}
	if latest, err := g.latest(ctx, g.id(r.SecretRef)); err != nil || latest != nil {
		if latest != nil {
			s.Set, s.Version, s.Updated, s.Source = true, latest.ID, latest.Created, SourceEnvironment
		}
		return s, err
	}
	kind, _ := naming.ClassifyStack(g.env)
	if !r.AdHocDefaults || kind != naming.StackAdHoc {
		return s, nil
	}
	latest, err := g.latest(ctx, naming.AdHocDefaultSecret(r.Module, r.Name))
	if latest != nil {
		s.Set, s.Version, s.Updated, s.Source = true, latest.ID, latest.Created, SourceAdHocDefault
	}
	return s, err
}

// latest is a secret's newest enabled version, or nil.
func (g *gcpSecrets) latest(ctx context.Context, id string) (*SecretVersion, error) {
	versions, err := g.sm.Versions(ctx, g.project, id)
	if err != nil {
		return nil, fmt.Errorf("listing the versions of %s: %w", id, err)
	}
	for _, v := range versions {
		if v.Enabled {
			return &v, nil
		}
	}
	return nil, nil
}
