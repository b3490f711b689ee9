package stacks

import (
	"fmt"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/components"
	"github.com/conveyor-paas/conveyor/naming"
)

// clusterStack builds the GKE cluster of a "cluster-<name>" stack.
func clusterStack(ctx *pulumi.Context, cfg *Config) error {
	name, _ := naming.ClusterOfStack(cfg.Stack) // Config has classified the stack
	provider, err := gcp.NewProvider(ctx, "gcp", &gcp.ProviderArgs{
		Project:       pulumi.String(cfg.GCPProject),
		Region:        pulumi.String(cfg.GCPRegion),
		DefaultLabels: pulumi.ToStringMap(naming.ClusterGCPLabels(name)),
	})
	if err != nil {
		return fmt.Errorf("gcp provider: %w", err)
	}
	cluster, err := components.NewCluster(ctx, name, &components.ClusterArgs{
		GKE: &components.GKEClusterArgs{
			Name:              name,
			Production:        cfg.Production,
			GCP:               provider,
			Project:           cfg.GCPProject,
			Region:            cfg.GCPRegion,
			ReleaseChannel:    cfg.ReleaseChannel,
			NodePools:         cfg.NodePools,
			SQLTier:           cfg.SQLTier,
			Network:           cfg.Network,
			SecurityGroup:     cfg.SecurityGroup,
			ControlPlane:      cfg.ControlPlane,
			AttestorPublicKey: cfg.AttestorPublicKey,
			AdHocDeployer:     adHocDeployer(cfg),
			// Published as a fact: where the ad-hoc environments make their accounts and topics.
			AdHocEnvironmentsProject: cfg.AdHocEnvironmentsProject,
			Sleeper:                  sleeper(cfg),
		},
		Mesh:              components.MeshArgs{Mode: cfg.Mesh},
		AllowedRegistries: cfg.AllowedRegistries,
	})
	if err != nil {
		return err
	}
	// The outputs the environments on the cluster read (components.ClusterOutputs).
	cluster.Outputs(name).Export(ctx)
	return nil
}

// adHocDeployer is the ad-hoc tier's deployer on a non-production cluster: the deploy account
// the bootstrap stack makes in the cluster's project (which the ad-hoc tier shares with the
// long-lived one); none on a production cluster, where no ad-hoc environment runs.
func adHocDeployer(cfg *Config) string {
	if cfg.Production || naming.TierOf(cfg.Stack) == naming.TierProduction {
		return ""
	}
	return naming.TierDeployer(naming.TierAdHoc, cfg.GCPProject)
}

// checkAdHocEnvironmentsProject refuses a cluster stack's ad-hoc environments' project that
// would put the ad-hoc deployer where it must not be: on a production cluster, which runs no
// ad-hoc environment, or the cluster's own project, whose accounts (dev's, the cluster's) it
// would then administer.
func checkAdHocEnvironmentsProject(cfg *Config) error {
	project := cfg.AdHocEnvironmentsProject
	switch {
	case project == "":
		return nil
	case adHocDeployer(cfg) == "":
		return fmt.Errorf("%s is a production cluster, which runs no ad-hoc environment: remove the setting", cfg.Stack)
	case project == cfg.GCPProject:
		return fmt.Errorf("%s is the cluster's own project: the ad-hoc environments' project holds nothing of another tier, since their deployer administers its accounts", project)
	}
	return nil
}

// sleeper is the sleeper on a non-production cluster (naming.Sleeper), in the cluster's
// project; none on a production cluster, where nothing sleeps.
func sleeper(cfg *Config) string {
	if adHocDeployer(cfg) == "" {
		return ""
	}
	return naming.Sleeper(cfg.GCPProject)
}
