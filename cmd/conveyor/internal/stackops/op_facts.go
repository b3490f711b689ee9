package stackops

import (
	"context"
	"fmt"
	"maps"
	"os"
	"slices"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/components"
	"github.com/conveyor-paas/conveyor/naming"
)

// PublishedFacts says what PublishFacts wrote.
type PublishedFacts struct {
	// Cluster is the cluster stack the facts are of, Stack the facts stack, Backend where it
	// lives (the ad-hoc tier's).
	Cluster string            `json:"cluster"`
	Stack   string            `json:"stack"`
	Backend string            `json:"backend"`
	Facts   map[string]string `json:"facts"`
}

// PublishFacts reads the facts of a cluster stack of the long-lived tier
// (components.ClusterFacts: no secret, nothing of another tier) from the Runner's backend and
// writes them, as the outputs of the cluster's facts stack (naming.ClusterFactsStack), into
// the backend of to: the ad-hoc tier's, whose environments read their cluster there; nil
// reads it from the environment (FactsSettingsFromEnv).
// Publishing again rewrites them; a cluster stack that lacks a fact, or holds one as a
// secret, publishes nothing.
func (r *Runner) PublishFacts(ctx context.Context, cluster string, to *Settings) (*PublishedFacts, error) {
	kind, err := naming.ClassifyStack(cluster)
	if err != nil || kind != naming.StackCluster {
		return nil, refusef("%s is not a cluster stack (cluster-<name>): only a cluster's facts are published", cluster)
	}
	if naming.TierOf(cluster) != naming.TierLongLived {
		return nil, refusef("%s is of the %s tier: only the long-lived tier's clusters, which the ad-hoc environments share, publish facts", cluster, naming.TierOf(cluster))
	}
	if to == nil {
		s, err := FactsSettingsFromEnv(r.opts.Getenv)
		if err != nil {
			return nil, err
		}
		to = &s
	}
	outs, err := r.StackOutputs(ctx, cluster)
	if err != nil {
		return nil, err
	}
	values := map[string]components.ClusterOutputValue{}
	for k, v := range outs {
		values[k] = components.ClusterOutputValue{Value: v.Value, Secret: v.Secret}
	}
	facts, err := components.ClusterFacts(cluster, values)
	if err != nil {
		return nil, &SetupError{Err: err}
	}
	stack := naming.ClusterFactsStack(cluster)
	if err := r.upFacts(ctx, stack, facts, *to); err != nil {
		return nil, fmt.Errorf("publishing the facts of %s as %s in %s: %w", cluster, stack, to.BackendURL, err)
	}
	r.logf("published the facts of %s (%d) as %s in %s", cluster, len(facts), stack, to.BackendURL)
	return &PublishedFacts{Cluster: cluster, Stack: stack, Backend: to.BackendURL, Facts: facts}, nil
}

// upFacts updates the facts stack in the backend of s, with a program that exports facts and
// nothing else, in a work directory of its own: the repository's project and stack files are
// the long-lived tier's and stay as they are.
func (r *Runner) upFacts(ctx context.Context, stack string, facts map[string]string, s Settings) error {
	dir, err := os.MkdirTemp("", "conveyor-facts-")
	if err != nil {
		return fmt.Errorf("a work directory: %w", err)
	}
	defer os.RemoveAll(dir)
	project := workspace.Project{Name: tokens.PackageName(r.opts.Project), Runtime: workspace.NewProjectRuntimeInfo("go", nil)}
	ws, err := newWorkspace(ctx, []auto.LocalWorkspaceOption{
		auto.WorkDir(dir), auto.Project(project), auto.Pulumi(r.opts.Pulumi), auto.Program(factsProgram(facts)),
	}, s, r.opts.ExtraEnv)
	if err != nil {
		return err
	}
	st, err := auto.UpsertStack(ctx, stack, ws)
	if err != nil {
		return fmt.Errorf("the stack: %w", err)
	}
	if _, err := st.Up(ctx); err != nil {
		return err
	}
	return nil
}

// factsProgram exports facts as plain outputs.
func factsProgram(facts map[string]string) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		for _, name := range slices.Sorted(maps.Keys(facts)) {
			ctx.Export(name, pulumi.String(facts[name]))
		}
		return nil
	}
}
