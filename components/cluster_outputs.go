package components

import (
	"errors"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/naming"
)

// The outputs of a cluster stack that the environments on it read through a StackReference:
// the contract between the two kinds of stacks. clusterOutputs lists them once, and the
// cluster stack writes them (Cluster.Export), an environment reads them (ReadClusterOutputs)
// and offline evaluation simulates them (SimulateClusterOutputs) from that list, so that no
// output can be written under one name and read or simulated under another.
//
// The names are naming's (naming.ClusterOutput*), where naming.ClusterFacts also says which of
// them the ad-hoc tier may read, through the cluster's facts stack (ReadClusterFacts).
const (
	OutputKubeconfig        = naming.ClusterOutputKubeconfig
	OutputProject           = naming.ClusterOutputProject
	OutputProjectNumber     = naming.ClusterOutputProjectNumber
	OutputRegion            = naming.ClusterOutputRegion
	OutputSQLInstance       = naming.ClusterOutputSQLInstance
	OutputSQLConnectionName = naming.ClusterOutputSQLConnectionName
	OutputSQLPrivateAddress = naming.ClusterOutputSQLPrivateAddress
	// OutputSQLStagingAddress is the private address of staging's own instance, and
	// OutputSQLStagingConnectionName its connection name. No output carries a database
	// password: an environment reads its admin's from the Secret the cluster stack hands its
	// scope (naming.DatabaseAdminNamespace).
	OutputSQLStagingAddress        = naming.ClusterOutputSQLStagingAddress
	OutputSQLStagingConnectionName = naming.ClusterOutputSQLStagingConnectionName
	OutputClusterName              = naming.ClusterOutputClusterName
	// OutputEndpoint and OutputCACertificate reach the cluster's API server; the kubeconfig
	// is made of them (GKEKubeconfig).
	OutputEndpoint      = naming.ClusterOutputEndpoint
	OutputCACertificate = naming.ClusterOutputCACertificate
	// OutputMesh is the cluster's mesh mode (MeshMode). An environment needs it while its
	// program runs, as a plain value, since it decides which objects exist.
	OutputMesh = naming.ClusterOutputMesh
	// OutputAllowedRegistries are the registries the cluster admits, comma-separated
	// (naming.JoinRegistries): an environment writes them on its namespaces.
	OutputAllowedRegistries = naming.ClusterOutputAllowedRegistries
	// OutputOrganizationDomain is the domain of the cluster's Google Groups for RBAC group
	// (OrganizationDomain): every space's team must be a group of it (CheckTeams). Empty on a
	// local cluster, which resolves no Google group.
	OutputOrganizationDomain = naming.ClusterOutputOrganizationDomain
	// OutputAdHocProject is the project of the ad-hoc environments' own GCP resources, and
	// OutputAdHocProjectNumber its number (Target.AdHoc); "" where none runs.
	OutputAdHocProject       = naming.ClusterOutputAdHocProject
	OutputAdHocProjectNumber = naming.ClusterOutputAdHocProjectNumber
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
	SQLStagingName     pulumi.StringOutput
	ClusterName        pulumi.StringOutput
	Endpoint           pulumi.StringOutput
	CACertificate      pulumi.StringOutput
	Mesh               pulumi.StringOutput
	AllowedRegistries  pulumi.StringOutput
	OrganizationDomain pulumi.StringOutput
	AdHocProject       pulumi.StringOutput
	AdHocProjectNumber pulumi.StringOutput
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
	// AdHocProject is the cluster stack's conveyor:adHocEnvironmentsProject ("" for none).
	AdHocProject string
}

// Simulated values of what GKE computes for a cluster's API server.
const (
	SimulatedEndpoint      = "https://10.0.0.2"
	SimulatedCACertificate = "c2ltdWxhdGVkIGNsdXN0ZXIgQ0E=" // base64 of "simulated cluster CA"
)

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
	{OutputSQLStagingConnectionName, false, func(o *ClusterOutputs) *pulumi.StringOutput { return &o.SQLStagingName },
		func(s SimulatedCluster) string {
			if s.SQLStagingAddr == "" {
				return ""
			}
			return s.Project + ":" + s.Region + ":" + naming.SQLInstanceOf(s.Name, naming.StagingScope)
		}},
	{OutputEndpoint, false, func(o *ClusterOutputs) *pulumi.StringOutput { return &o.Endpoint },
		func(SimulatedCluster) string { return SimulatedEndpoint }},
	{OutputCACertificate, false, func(o *ClusterOutputs) *pulumi.StringOutput { return &o.CACertificate },
		func(SimulatedCluster) string { return SimulatedCACertificate }},
	{OutputMesh, false, func(o *ClusterOutputs) *pulumi.StringOutput { return &o.Mesh },
		func(s SimulatedCluster) string { return string(s.Mesh) }},
	{OutputAllowedRegistries, false, func(o *ClusterOutputs) *pulumi.StringOutput { return &o.AllowedRegistries },
		func(s SimulatedCluster) string { return naming.JoinRegistries(s.AllowedRegistries) }},
	{OutputOrganizationDomain, false, func(o *ClusterOutputs) *pulumi.StringOutput { return &o.OrganizationDomain },
		func(s SimulatedCluster) string { return s.OrganizationDomain }},
	{OutputAdHocProject, false, func(o *ClusterOutputs) *pulumi.StringOutput { return &o.AdHocProject },
		func(s SimulatedCluster) string { return s.AdHocProject }},
	{OutputAdHocProjectNumber, false, func(o *ClusterOutputs) *pulumi.StringOutput { return &o.AdHocProjectNumber },
		func(s SimulatedCluster) string {
			if s.AdHocProject == "" {
				return ""
			}
			return s.ProjectNumber
		}},
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
		SQLStagingName:     c.StagingSQLConnectionName,
		Endpoint:           c.Endpoint,
		CACertificate:      c.CACertificate,
		ClusterName:        pulumi.String(naming.Cluster(name)).ToStringOutput(),
		Mesh:               pulumi.String(string(c.Mesh.Mode)).ToStringOutput(),
		AllowedRegistries:  pulumi.String(naming.JoinRegistries(c.AllowedRegistries)).ToStringOutput(),
		OrganizationDomain: pulumi.String(c.OrganizationDomain).ToStringOutput(),
		AdHocProject:       c.AdHocProject,
		AdHocProjectNumber: c.AdHocProjectNumber,
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

// ReadClusterFacts reads a cluster's facts from its facts stack's reference
// (naming.ClusterFactsStack): the outputs of the contract that are facts, and nothing else.
// The kubeconfig is made of the endpoint and the CA (GKEKubeconfig): whoever deploys with it
// authenticates as itself.
func ReadClusterFacts(ref *pulumi.StackReference) ClusterOutputs {
	var o ClusterOutputs
	for _, out := range clusterOutputs {
		if naming.IsClusterFact(out.name) {
			*out.field(&o) = ref.GetStringOutput(pulumi.String(out.name))
		}
	}
	o.Kubeconfig = GKEKubeconfig(o.ClusterName, o.Endpoint, o.CACertificate)
	return o
}

// ClusterFacts picks a cluster's facts out of its cluster stack's outputs, to publish them
// into the ad-hoc tier's backend. It refuses a cluster stack that lacks a fact (one deployed
// before the output existed: update it first) or whose fact is a secret: a fact must be
// what the ad-hoc tier may hold.
func ClusterFacts(clusterStack string, outputs map[string]ClusterOutputValue) (map[string]string, error) {
	facts := map[string]string{}
	var errs []error
	for _, name := range naming.ClusterFacts() {
		v, ok := outputs[name]
		switch {
		case !ok:
			errs = append(errs, fmt.Errorf("cluster stack %s has no output %s: update it (conveyor up --env %s) before publishing its facts", clusterStack, name, clusterStack))
		case v.Secret:
			errs = append(errs, fmt.Errorf("output %s of cluster stack %s is a secret: a cluster's facts hold none, since every pull request reads them", name, clusterStack))
		default:
			s, isString := v.Value.(string)
			if !isString {
				errs = append(errs, fmt.Errorf("output %s of cluster stack %s is %T, not a string", name, clusterStack, v.Value))
			}
			facts[name] = s
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return facts, nil
}

// ClusterOutputValue is one output of a stack, as the Automation API reads it.
type ClusterOutputValue struct {
	Value  any
	Secret bool
}

// SimulateClusterOutputs are the outputs offline evaluation gives a cluster stack, secrets
// as secrets.
func SimulateClusterOutputs(s SimulatedCluster) resource.PropertyMap {
	return simulate(s, func(string) bool { return true })
}

// SimulateClusterFacts are the outputs offline evaluation gives a cluster's facts stack: the
// facts of SimulateClusterOutputs, and nothing else.
func SimulateClusterFacts(s SimulatedCluster) resource.PropertyMap {
	return simulate(s, naming.IsClusterFact)
}

func simulate(s SimulatedCluster, keep func(string) bool) resource.PropertyMap {
	props := resource.PropertyMap{}
	for _, out := range clusterOutputs {
		if !keep(out.name) {
			continue
		}
		v := resource.NewProperty(out.simulate(s))
		if out.secret {
			v = resource.MakeSecret(v)
		}
		props[resource.PropertyKey(out.name)] = v
	}
	return props
}
