package components

import (
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/naming"
)

// The outputs of a cluster stack that the environments on it read through a StackReference:
// the contract between the two kinds of stacks. clusterOutputs lists them once, and the
// cluster stack writes them (Cluster.Export), an environment reads them (ReadClusterOutputs)
// and offline evaluation simulates them (SimulateClusterOutputs) from that list, so that no
// output can be written under one name and read or simulated under another.
const (
	OutputKubeconfig        = "kubeconfig"
	OutputProject           = "project"
	OutputProjectNumber     = "projectNumber"
	OutputRegion            = "region"
	OutputSQLInstance       = "sqlInstance"
	OutputSQLConnectionName = "sqlConnectionName"
	OutputSQLPrivateAddress = "sqlPrivateAddress"
	// OutputSQLStagingAddress is the private address of staging's own instance. No output
	// carries a database password: an environment reads its admin's from the Secret the
	// cluster stack hands its scope (naming.DatabaseAdminNamespace).
	OutputSQLStagingAddress = "sqlStagingPrivateAddress"
	OutputClusterName       = "clusterName"
	// OutputMesh is the cluster's mesh mode (MeshMode). An environment needs it while its
	// program runs, as a plain value, since it decides which objects exist.
	OutputMesh = "mesh"
	// OutputAllowedRegistries are the registries the cluster admits, comma-separated
	// (naming.JoinRegistries): an environment writes them on its namespaces.
	OutputAllowedRegistries = "allowedRegistries"
	// OutputOrganizationDomain is the domain of the cluster's Google Groups for RBAC group
	// (OrganizationDomain): every space's team must be a group of it (CheckTeams). Empty on a
	// local cluster, which resolves no Google group.
	OutputOrganizationDomain = "organizationDomain"
)

// ClusterOutputs are the values of a cluster stack's outputs, as the cluster writes them or
// as an environment reads them.
type ClusterOutputs struct {
	Kubeconfig         pulumi.StringOutput
	Project            pulumi.StringOutput
	ProjectNumber      pulumi.StringOutput
	Region             pulumi.StringOutput
	SQLInstance        pulumi.StringOutput
	SQLConnectionName  pulumi.StringOutput
	SQLPrivateAddress  pulumi.StringOutput
	SQLStagingAddress  pulumi.StringOutput
	ClusterName        pulumi.StringOutput
	Mesh               pulumi.StringOutput
	AllowedRegistries  pulumi.StringOutput
	OrganizationDomain pulumi.StringOutput
}

// SimulatedCluster is what offline evaluation knows of a cluster stack: its name part and
// configuration, and the values it stands in for what the cloud would compute.
type SimulatedCluster struct {
	// Name is the cluster's name part ("nonprod" for cluster-nonprod).
	Name           string
	Project        string
	Region         string
	Mesh           MeshMode
	ProjectNumber  string
	SQLPrivateAddr string
	// AllowedRegistries are the cluster stack's conveyor:allowedRegistries.
	AllowedRegistries []string
	// SQLStagingAddr is staging's own instance's address ("" on the production cluster).
	SQLStagingAddr string
	// OrganizationDomain is the domain of the cluster stack's conveyor:securityGroup.
	OrganizationDomain string
}

// clusterOutput is one entry of the contract.
type clusterOutput struct {
	name   string
	secret bool
	// field is where the value is in ClusterOutputs.
	field func(*ClusterOutputs) *pulumi.StringOutput
	// simulate is the value offline evaluation gives it.
	simulate func(SimulatedCluster) string
}

var clusterOutputs = []clusterOutput{
	{OutputKubeconfig, true, func(o *ClusterOutputs) *pulumi.StringOutput { return &o.Kubeconfig },
		func(s SimulatedCluster) string { return "simulated kubeconfig of " + naming.Cluster(s.Name) }},
	{OutputProject, false, func(o *ClusterOutputs) *pulumi.StringOutput { return &o.Project },
		func(s SimulatedCluster) string { return s.Project }},
	{OutputProjectNumber, false, func(o *ClusterOutputs) *pulumi.StringOutput { return &o.ProjectNumber },
		func(s SimulatedCluster) string { return s.ProjectNumber }},
	{OutputRegion, false, func(o *ClusterOutputs) *pulumi.StringOutput { return &o.Region },
		func(s SimulatedCluster) string { return s.Region }},
	{OutputSQLInstance, false, func(o *ClusterOutputs) *pulumi.StringOutput { return &o.SQLInstance },
		func(s SimulatedCluster) string { return naming.SQLInstance(s.Name) }},
	// Cloud SQL's connection name is "<project>:<region>:<instance>".
	{OutputSQLConnectionName, false, func(o *ClusterOutputs) *pulumi.StringOutput { return &o.SQLConnectionName },
		func(s SimulatedCluster) string { return s.Project + ":" + s.Region + ":" + naming.SQLInstance(s.Name) }},
	{OutputSQLPrivateAddress, false, func(o *ClusterOutputs) *pulumi.StringOutput { return &o.SQLPrivateAddress },
		func(s SimulatedCluster) string { return s.SQLPrivateAddr }},
	{OutputClusterName, false, func(o *ClusterOutputs) *pulumi.StringOutput { return &o.ClusterName },
		func(s SimulatedCluster) string { return naming.Cluster(s.Name) }},
	{OutputSQLStagingAddress, false, func(o *ClusterOutputs) *pulumi.StringOutput { return &o.SQLStagingAddress },
		func(s SimulatedCluster) string { return s.SQLStagingAddr }},
	{OutputMesh, false, func(o *ClusterOutputs) *pulumi.StringOutput { return &o.Mesh },
		func(s SimulatedCluster) string { return string(s.Mesh) }},
	{OutputAllowedRegistries, false, func(o *ClusterOutputs) *pulumi.StringOutput { return &o.AllowedRegistries },
		func(s SimulatedCluster) string { return naming.JoinRegistries(s.AllowedRegistries) }},
	{OutputOrganizationDomain, false, func(o *ClusterOutputs) *pulumi.StringOutput { return &o.OrganizationDomain },
		func(s SimulatedCluster) string { return s.OrganizationDomain }},
}

// Outputs are the values the cluster stack of c exports; name is the cluster's name part.
func (c *Cluster) Outputs(name string) ClusterOutputs {
	return ClusterOutputs{
		Kubeconfig:         c.Kubeconfig,
		Project:            c.Project,
		ProjectNumber:      c.ProjectNumber,
		Region:             c.Region,
		SQLInstance:        c.SQLInstance,
		SQLConnectionName:  c.SQLConnectionName,
		SQLPrivateAddress:  c.SQLPrivateAddress,
		SQLStagingAddress:  c.StagingSQLPrivateAddress,
		ClusterName:        pulumi.String(naming.Cluster(name)).ToStringOutput(),
		Mesh:               pulumi.String(string(c.Mesh.Mode)).ToStringOutput(),
		AllowedRegistries:  pulumi.String(naming.JoinRegistries(c.AllowedRegistries)).ToStringOutput(),
		OrganizationDomain: pulumi.String(c.OrganizationDomain).ToStringOutput(),
	}
}

// Export writes every output of the contract as a stack output of the cluster stack.
func (o ClusterOutputs) Export(ctx *pulumi.Context) {
	for _, out := range clusterOutputs {
		ctx.Export(out.name, *out.field(&o))
	}
}

// ReadClusterOutputs reads every output of the contract from a cluster stack's reference.
func ReadClusterOutputs(ref *pulumi.StackReference) ClusterOutputs {
	var o ClusterOutputs
	for _, out := range clusterOutputs {
		*out.field(&o) = ref.GetStringOutput(pulumi.String(out.name))
	}
	return o
}

// SimulateClusterOutputs are the outputs offline evaluation gives a cluster stack, secrets
// as secrets.
func SimulateClusterOutputs(s SimulatedCluster) resource.PropertyMap {
	props := resource.PropertyMap{}
	for _, out := range clusterOutputs {
		v := resource.NewProperty(out.simulate(s))
		if out.secret {
			v = resource.MakeSecret(v)
		}
		props[resource.PropertyKey(out.name)] = v
	}
	return props
}
