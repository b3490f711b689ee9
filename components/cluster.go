package components

import (
	"fmt"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/naming"
)

// ClusterArgs describe a cluster: exactly one of GKE and Local says where its environments
// run.
type ClusterArgs struct {
	// GKE builds a GKE cluster, its VPC and the Cloud SQL instance its environments share.
	GKE *GKEClusterArgs
	// Local takes the cluster of a kubeconfig context and creates no GCP resource; it runs
	// PostgreSQL and the Pub/Sub emulator inside the cluster for one environment.
	Local *LocalClusterArgs

	// Mesh is whether the cluster runs the service mesh, and how (cluster_mesh.go).
	Mesh MeshArgs
	// AllowedRegistries are where the images of its environments may come from
	// (conveyor:allowedRegistries): on GKE, Binary Authorization admits nothing else.
	AllowedRegistries []string
}

// GKEClusterArgs describe a GKE cluster.
type GKEClusterArgs struct {
	// Name is the cluster's name part: "nonprod" for the stack cluster-nonprod.
	Name string
	// Production turns deletion protection on and makes Cloud SQL highly available.
	Production bool
	// GCP is the provider for the cluster's project.
	GCP            *gcp.Provider
	Project        string
	Region         string
	ReleaseChannel string
	NodePools      []NodePool
	SQLTier        string
	Network        NetworkRanges
	// SecurityGroup is the Google group whose member groups RBAC resolves (Google Groups for
	// RBAC): gke-security-groups@<domain>. The teams' groups must be its members.
	SecurityGroup string
	// ControlPlane says who reaches the cluster's control plane.
	ControlPlane ControlPlaneAccess
	// AdHocDeployer is the Kubernetes user of the ad-hoc tier's deploy account on a
	// non-production cluster (naming.TierDeployer), which the ad-hoc tier's wall confines to
	// its own environments' namespaces (cluster_adhoc.go); empty on a production cluster.
	AdHocDeployer string
	// Sleeper is the Kubernetes user of the sleeper on a non-production cluster
	// (naming.Sleeper), which may only put environments to sleep (cluster_sleeper.go); empty
	// on a production cluster.
	Sleeper string
	// AttestorPublicKey is the PEM of the public key main's pipeline signs its attestations
	// with (cluster_gke_binauthz.go); Binary Authorization trusts no other signature.
	AttestorPublicKey string
	// AdHocEnvironmentsProject is where the ad-hoc environments on a non-production cluster
	// make their accounts and topics (Target.AdHoc); the cluster publishes it and its number
	// as facts. Empty on a production cluster.
	AdHocEnvironmentsProject string
}

// LocalClusterArgs describe the cluster of a kubeconfig context.
type LocalClusterArgs struct {
	// Environment is the one environment a local cluster's services are for.
	Environment Environment
	// KubeContext is the kubeconfig context to deploy into; empty means the current one.
	KubeContext string
}

// NodePool is one autoscaled pool of nodes.
type NodePool struct {
	Name        string `json:"name"`
	MachineType string `json:"machineType"`
	Min         int    `json:"min"`
	Max         int    `json:"max"`
	Spot        bool   `json:"spot,omitempty"`
	DiskSizeGB  int    `json:"diskSizeGb,omitempty"`
}

// NetworkRanges are the address ranges of a cluster's VPC.
type NetworkRanges struct {
	Nodes    string `json:"nodes"`
	Pods     string `json:"pods"`
	Services string `json:"services"`
	// Master is the /28 of the GKE control plane's private endpoint.
	Master string `json:"master"`
	// PrivateServicesPrefix is the prefix length of the range reserved for Cloud SQL.
	PrivateServicesPrefix int `json:"privateServicesPrefix"`
}

// ControlPlaneAccess says who reaches a GKE control plane. Authorized networks are always
// enforced: with none listed, only the cluster's own VPC reaches it (through its private
// endpoint), never the internet, nor Google Cloud's public addresses.
type ControlPlaneAccess struct {
	// PrivateEndpoint turns the public endpoint off: the control plane has only its private
	// address, and the kubeconfig uses it (deploy from inside the VPC).
	PrivateEndpoint bool `json:"privateEndpoint"`
	// AuthorizedNetworks may reach the public endpoint: a deploy pipeline's egress ranges,
	// an office. Never 0.0.0.0/0.
	AuthorizedNetworks []AuthorizedNetwork `json:"authorizedNetworks"`
}

// AuthorizedNetwork is one range allowed to reach the control plane.
type AuthorizedNetwork struct {
	Name string `json:"name"`
	CIDR string `json:"cidr"`
}

// DefaultNetworkRanges fit a cluster of a few hundred nodes.
var DefaultNetworkRanges = NetworkRanges{
	Nodes: "10.0.0.0/20", Pods: "10.16.0.0/14", Services: "10.20.0.0/20",
	Master: "172.16.0.0/28", PrivateServicesPrefix: 16,
}

// Cluster is where environments run.
type Cluster struct {
	pulumi.ResourceState

	// Kubeconfig reaches the cluster (a secret); on GKE it authenticates with
	// gke-gcloud-auth-plugin, so it holds no credential itself.
	Kubeconfig pulumi.StringOutput `pulumi:"kubeconfig"`
	// Provider deploys into the cluster.
	Provider *kubernetes.Provider

	Project           pulumi.StringOutput `pulumi:"project"`
	ProjectNumber     pulumi.StringOutput `pulumi:"projectNumber"`
	Region            pulumi.StringOutput `pulumi:"region"`
	SQLInstance       pulumi.StringOutput `pulumi:"sqlInstance"`
	SQLConnectionName pulumi.StringOutput `pulumi:"sqlConnectionName"`
	SQLPrivateAddress pulumi.StringOutput `pulumi:"sqlPrivateAddress"`
	// StagingSQLPrivateAddress is the address of staging's own instance ("" where there is
	// none: on cluster-prod and local clusters).
	StagingSQLPrivateAddress pulumi.StringOutput `pulumi:"sqlStagingPrivateAddress"`
	// StagingSQLConnectionName is the connection name of staging's own instance ("" where
	// there is none).
	StagingSQLConnectionName pulumi.StringOutput `pulumi:"sqlStagingConnectionName"`
	// Endpoint and CACertificate reach a GKE cluster's API server (the kubeconfig is made of
	// them); "" on a local cluster.
	Endpoint      pulumi.StringOutput `pulumi:"clusterEndpoint"`
	CACertificate pulumi.StringOutput `pulumi:"clusterCaCertificate"`
	// AdHocProject and AdHocProjectNumber are the ad-hoc environments' project and its
	// number ("" where none runs).
	AdHocProject       pulumi.StringOutput `pulumi:"adHocEnvironmentsProject"`
	AdHocProjectNumber pulumi.StringOutput `pulumi:"adHocEnvironmentsProjectNumber"`

	// Local and Platform are set in local mode.
	Local    *LocalServices
	Platform *Platform
	// Mesh is the cluster's service mesh.
	Mesh *Mesh
	// AllowedRegistries are ClusterArgs.AllowedRegistries.
	AllowedRegistries []string
	// OrganizationDomain is the domain of a GKE cluster's Google Groups for RBAC group; ""
	// on a local cluster.
	OrganizationDomain string
	gcp                *gcp.Provider
}

// NewCluster builds a GKE cluster with its network and shared Cloud SQL instance, or in local
// mode takes the cluster of a kubeconfig context.
func NewCluster(ctx *pulumi.Context, name string, args *ClusterArgs, opts ...pulumi.ResourceOption) (*Cluster, error) {
	if args == nil {
		return nil, fmt.Errorf("cluster %s: args are required", name)
	}
	c := &Cluster{AllowedRegistries: args.AllowedRegistries}
	if args.GKE != nil {
		c.gcp = args.GKE.GCP
		c.OrganizationDomain = OrganizationDomain(args.GKE.SecurityGroup)
	}
	if err := ctx.RegisterComponentResource(naming.TypeCluster, name, c, opts...); err != nil {
		return nil, fmt.Errorf("registering cluster %s: %w", name, err)
	}
	var err error
	switch {
	case (args.GKE == nil) == (args.Local == nil):
		err = fmt.Errorf("set exactly one of GKE and Local")
	case args.GKE != nil:
		err = newGKE(ctx, c, args.GKE, args.Mesh)
	default:
		err = newLocalCluster(ctx, c, args.Local, args.Mesh)
	}
	if err != nil {
		return nil, fmt.Errorf("cluster %s: %w", name, err)
	}
	// The component's outputs bear the names of the cluster stack's (cluster_outputs.go).
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{
		OutputKubeconfig:        c.Kubeconfig,
		OutputProject:           c.Project,
		OutputProjectNumber:     c.ProjectNumber,
		OutputRegion:            c.Region,
		OutputSQLInstance:       c.SQLInstance,
		OutputSQLConnectionName: c.SQLConnectionName,
		OutputSQLPrivateAddress: c.SQLPrivateAddress,
		OutputSQLStagingAddress: c.StagingSQLPrivateAddress,
		OutputEndpoint:          c.Endpoint,
		OutputCACertificate:     c.CACertificate,
	}); err != nil {
		return nil, fmt.Errorf("cluster %s: %w", name, err)
	}
	return c, nil
}

// Target is what an environment deploying onto this cluster needs.
func (c *Cluster) Target() *Target {
	t := &Target{
		Kubernetes:    c.Provider,
		GCP:           c.gcp,
		Project:       c.Project,
		ProjectNumber: c.ProjectNumber,
		SQLInstance:   c.SQLInstance,
		SQLHost:       c.SQLPrivateAddress,
		Platform:      c.Platform,
		Local:         c.Local,
		Mesh:          c.Mesh,
	}
	if !t.IsLocal() {
		t.SQLConnectionName = c.SQLConnectionName
	}
	return t
}

// newLocalCluster uses the kubeconfig's context and runs the environment's stand-ins for
// Cloud SQL and Pub/Sub.
func newLocalCluster(ctx *pulumi.Context, c *Cluster, args *LocalClusterArgs, meshArgs MeshArgs) error {
	if args.Environment.Name == "" {
		return fmt.Errorf("local mode needs the environment its services are for")
	}
	provider, err := LocalProvider(ctx, args.KubeContext, pulumi.Parent(c))
	if err != nil {
		return err
	}
	c.Provider = provider
	local, platform, err := localServices(ctx, c, args.Environment, provider)
	if err != nil {
		return err
	}
	c.Local, c.Platform = local, platform
	if err := moduleSecretsWall(ctx, c, args.Environment.Name, provider); err != nil {
		return err
	}
	if c.Mesh, err = localMesh(ctx, c, meshArgs, provider); err != nil {
		return err
	}
	empty := pulumi.String("").ToStringOutput()
	c.Kubeconfig = pulumi.ToSecret(empty).(pulumi.StringOutput)
	c.Project = pulumi.String(LocalProject).ToStringOutput()
	c.ProjectNumber, c.Region, c.SQLInstance, c.SQLConnectionName = empty, empty, empty, empty
	c.SQLPrivateAddress = pulumi.String(local.PostgresHost).ToStringOutput()
	c.StagingSQLPrivateAddress, c.StagingSQLConnectionName, c.Endpoint, c.CACertificate = empty, empty, empty, empty
	c.AdHocProject, c.AdHocProjectNumber = empty, empty
	return nil
}
