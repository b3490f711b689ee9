package stacks

import (
	"fmt"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/components"
	"github.com/conveyor-paas/conveyor/manifest"
	"github.com/conveyor-paas/conveyor/naming"
)

// targetOf is the cluster an environment's stack deploys onto: the one place that hands an
// environment its target, for both kinds of cluster (a local one, the kubeconfig's; a GKE
// one, a cluster stack's) and both kinds of stack (a whole environment or a split one's base,
// which makes the platform namespace and the stand-ins; a module stack, which uses its base's
// by name, with the same providers under the same names and inputs, see module_stack.go). It
// sets the environment's allowed registries from the cluster: a local stack's own setting,
// or the cluster stack's.
func targetOf(ctx *pulumi.Context, cfg *Config, env *components.Environment, cat *manifest.Catalog) (*components.Target, error) {
	if cfg.Cluster == LocalCluster {
		return localTarget(ctx, cfg, env, cat)
	}
	return gkeTarget(ctx, cfg, env, cat)
}

// localTarget is the current kubeconfig's cluster (or the configured context's). A module
// stack makes its provider at the stack's root: the split gives the moved provider that URN
// (stackops' env split).
func localTarget(ctx *pulumi.Context, cfg *Config, env *components.Environment, cat *manifest.Catalog) (*components.Target, error) {
	env.AllowedRegistries = cfg.AllowedRegistries
	if cfg.Module != "" {
		provider, err := components.LocalProvider(ctx, cfg.KubeContext)
		if err != nil {
			return nil, err
		}
		return components.LocalModuleTarget(*env, provider, localMeshArgs(cfg, cat)), nil
	}
	cluster, err := components.NewCluster(ctx, LocalCluster, &components.ClusterArgs{
		Local:             &components.LocalClusterArgs{Environment: *env, KubeContext: cfg.KubeContext},
		Mesh:              localMeshArgs(cfg, cat),
		AllowedRegistries: cfg.AllowedRegistries,
	})
	if err != nil {
		return nil, err
	}
	return cluster.Target(), nil
}

// gkeTarget is what ReadCluster reads of the cluster stack (an ad-hoc environment: of its
// facts), with the environment's platform: made by a whole environment or a base
// (components.NewPlatform), known by name in a module stack (components.PlatformByName),
// whose jobs run as the same account, beside the same proxy.
func gkeTarget(ctx *pulumi.Context, cfg *Config, env *components.Environment, cat *manifest.Catalog) (*components.Target, error) {
	target, err := readGKETarget(ctx, cfg, env, cat)
	if err != nil {
		return nil, err
	}
	if cfg.Module != "" {
		target.Platform = components.PlatformByName(env.Name, target.SQLProxy())
		return target, nil
	}
	if target.Platform, err = components.NewPlatform(ctx, *env, target); err != nil {
		return nil, err
	}
	return target, nil
}

// readGKETarget is the cluster stack's cluster as ReadCluster reads it, with the providers of
// an environment's stacks (a module stack's too: the same names and inputs as its base's), but
// the platform namespace.
func readGKETarget(ctx *pulumi.Context, cfg *Config, env *components.Environment, cat *manifest.Catalog) (*components.Target, error) {
	cluster, err := ReadCluster(ctx, env.Name, cfg.Cluster)
	if err != nil {
		return nil, err
	}
	outputs := cluster.Outputs
	env.AllowedRegistries = cluster.AllowedRegistries
	if err := components.CheckTeams(cat, cluster.Domain, fmt.Sprintf("the domain of %s:securityGroup of %s", naming.Project, cfg.Cluster)); err != nil {
		return nil, err
	}
	project := outputs.Project
	gcpProvider, err := gcp.NewProvider(ctx, "gcp", &gcp.ProviderArgs{
		Project:       project,
		Region:        outputs.Region,
		DefaultLabels: pulumi.ToStringMap(naming.GCPLabels(naming.Scope{Environment: env.Name})),
	})
	if err != nil {
		return nil, fmt.Errorf("gcp provider: %w", err)
	}
	k8sProvider, err := kubernetes.NewProvider(ctx, "kubernetes", &kubernetes.ProviderArgs{
		Kubeconfig: outputs.Kubeconfig,
	})
	if err != nil {
		return nil, fmt.Errorf("kubernetes provider: %w", err)
	}
	target := &components.Target{
		Mesh:          cluster.Mesh(project),
		Kubernetes:    k8sProvider,
		GCP:           gcpProvider,
		Project:       project,
		ProjectNumber: outputs.ProjectNumber,
		SQLInstance:   outputs.SQLInstance,
		SQLHost:       outputs.SQLPrivateAddress,
		// The Cloud SQL Auth Proxy's name of the instance, which its pods connect through.
		SQLConnectionName: outputs.SQLConnectionName,
	}
	if naming.DatabaseAdminScope(env.Name) == naming.StagingScope {
		target.SQLHost = outputs.SQLStagingAddress
		target.SQLConnectionName = outputs.SQLStagingName
	}
	if naming.TierOf(env.Name) == naming.TierAdHoc {
		// The ad-hoc tier's deployer holds nothing in a namespace of the shared cluster but
		// what the environment binds it there (the cluster stack's ad-hoc wall).
		target.Deployer = project.ApplyT(func(p string) string { return naming.TierDeployer(naming.TierAdHoc, p) }).(pulumi.StringOutput)
		target.AdHoc = components.AdHocTarget(cluster.Stack, outputs)
	}
	return target, nil
}
