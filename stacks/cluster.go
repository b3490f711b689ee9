package stacks

import (
	"fmt"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/components"
	"github.com/conveyor-paas/conveyor/components/naming"
)

// Outputs of a cluster stack, which environment stacks read through a StackReference.
const (
	OutputKubeconfig        = "kubeconfig"
	OutputProject           = "project"
	OutputProjectNumber     = "projectNumber"
	OutputRegion            = "region"
	OutputSQLInstance       = "sqlInstance"
	OutputSQLConnectionName = "sqlConnectionName"
	OutputSQLPrivateAddress = "sqlPrivateAddress"
	OutputClusterName       = "clusterName"
	// OutputSQLAdminPassword is the Cloud SQL admin's password (a secret), with which the
	// environments' setup jobs create their modules' roles and databases.
	OutputSQLAdminPassword = "sqlAdminPassword"
	// OutputMesh is the cluster's mesh mode (components.MeshMode).
	OutputMesh = "mesh"
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
		Mode:           components.ClusterGKE,
		Name:           name,
		Production:     cfg.Production,
		GCP:            provider,
		Project:        cfg.GCPProject,
		Region:         cfg.GCPRegion,
		ReleaseChannel: cfg.ReleaseChannel,
		NodePools:      cfg.NodePools,
		SQLTier:        cfg.SQLTier,
		Network:        cfg.Network,
		SecurityGroup:  cfg.SecurityGroup,
		ControlPlane:   cfg.ControlPlane,
		Mesh:           components.MeshArgs{Mode: cfg.Mesh},
	})
	if err != nil {
		return err
	}
	ctx.Export(OutputKubeconfig, cluster.Kubeconfig)
	ctx.Export(OutputProject, cluster.Project)
	ctx.Export(OutputProjectNumber, cluster.ProjectNumber)
	ctx.Export(OutputRegion, cluster.Region)
	ctx.Export(OutputSQLInstance, cluster.SQLInstance)
	ctx.Export(OutputSQLConnectionName, cluster.SQLConnectionName)
	ctx.Export(OutputSQLPrivateAddress, cluster.SQLPrivateAddress)
	ctx.Export(OutputSQLAdminPassword, cluster.SQLAdminPassword)
	ctx.Export(OutputClusterName, pulumi.String(naming.Cluster(name)))
	ctx.Export(OutputMesh, pulumi.String(string(cluster.Mesh.Mode)))
	return nil
}
