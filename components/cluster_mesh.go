package components

import (
	"fmt"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/container"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/gkehub"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	helmv3 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/helm/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/naming"
)

// How a cluster gets its service mesh, and why:
//
//   - On GKE, Google's managed Cloud Service Mesh, enabled through the fleet (a membership, the
//     servicemesh feature, and automatic management of the membership). Google runs and
//     upgrades the control plane with the cluster's release channel, so the mesh's version is
//     conveyor:releaseChannel and nothing here pins it; it ships its managed CNI, so injected
//     pods need no privileged init container and stay within Pod Security restricted; its
//     certificates come from the fleet's workload identity pool, the trust domain every
//     AuthorizationPolicy names; and a deploy downloads nothing (no chart, no image we pick).
//   - On a local cluster, Istio's official Helm charts (base, cni, istiod) at
//     conveyor:istioVersion, the release whose CRDs the API-server tier installs from the
//     istio.io/api module (tools/istio): the same APIs the spaces' objects are tested against.
//     The CNI node agent replaces the privileged istio-init container, and istiod injects
//     native sidecars.

// DefaultIstioVersion is the Istio release a local cluster installs unless configured. It is
// the version of the istio.io/api module in tools/istio, whose CRDs the API-server tier
// installs; a test keeps the two equal.
const DefaultIstioVersion = "1.32.0"

// IstioChartRepository is where Istio publishes its official Helm charts.
const IstioChartRepository = "https://istio-release.storage.googleapis.com/charts"

// MeshArgs say whether a cluster runs the service mesh.
type MeshArgs struct {
	// Mode is off, opt-in or default; empty means DefaultMeshMode.
	Mode MeshMode
	// IstioVersion is the release of Istio's charts a local cluster installs (default
	// DefaultIstioVersion).
	IstioVersion string
	// Unused skips the install on a local cluster, whose one environment meshes no space.
	Unused bool
	// Origin says where Mode was configured, for messages (Mesh.Origin).
	Origin string
	// Unconfigured: a local cluster's mode is off because nobody set it (Mesh.Unconfigured).
	Unconfigured bool
}

func (a MeshArgs) mode() MeshMode {
	if a.Mode == "" {
		return DefaultMeshMode
	}
	return a.Mode
}

// mesh enables the managed service mesh on the GKE cluster.
func (g *gke) mesh(cluster *container.Cluster) error {
	mode := g.meshArgs.mode()
	g.c.Mesh = &Mesh{Mode: mode, Origin: g.meshArgs.Origin, TrustDomain: pulumi.String(naming.MeshTrustDomain(g.args.Project))}
	if mode == MeshOff {
		return nil
	}
	name := naming.Cluster(g.args.Name)
	membership, err := gkehub.NewMembership(g.ctx, naming.Cluster(g.args.Name), &gkehub.MembershipArgs{
		MembershipId: pulumi.String(naming.Cluster(g.args.Name)),
		Project:      pulumi.String(g.args.Project),
		Labels:       g.labels,
		Endpoint: &gkehub.MembershipEndpointArgs{GkeCluster: &gkehub.MembershipEndpointGkeClusterArgs{
			ResourceLink: pulumi.Sprintf("//container.googleapis.com/%s", cluster.ID()),
		}},
	}, g.opts()...)
	if err != nil {
		return fmt.Errorf("fleet membership: %w", err)
	}
	// The servicemesh feature is the project's: one per fleet, whichever cluster enables it.
	feature, err := gkehub.NewFeature(g.ctx, name+"-servicemesh", &gkehub.FeatureArgs{
		Name:     pulumi.String("servicemesh"),
		Location: pulumi.String("global"),
		Project:  pulumi.String(g.args.Project),
		Labels:   g.labels,
	}, g.opts()...)
	if err != nil {
		return fmt.Errorf("service mesh feature: %w", err)
	}
	if _, err := gkehub.NewFeatureMembership(g.ctx, name+"-servicemesh", &gkehub.FeatureMembershipArgs{
		Location:   pulumi.String("global"),
		Feature:    feature.Name,
		Membership: membership.MembershipId,
		Project:    pulumi.String(g.args.Project),
		Mesh:       &gkehub.FeatureMembershipMeshArgs{Management: pulumi.String("MANAGEMENT_AUTOMATIC")},
	}, g.opts()...); err != nil {
		return fmt.Errorf("service mesh of the membership: %w", err)
	}
	return nil
}

// localMesh installs Istio into a local cluster from its official charts: the CRDs (base),
// the CNI node agent, then the control plane, each waiting for the one before. The istio-system
// namespace is Helm's, without Conveyor's Pod Security labels: the CNI agent is privileged by
// nature, and no space runs there.
func localMesh(ctx *pulumi.Context, parent pulumi.Resource, args MeshArgs, provider *kubernetes.Provider) (*Mesh, error) {
	mesh := &Mesh{Mode: args.mode(), Origin: args.Origin, TrustDomain: pulumi.String(naming.MeshLocalTrustDomain), Unconfigured: args.Unconfigured}
	if mesh.Mode == MeshOff || args.Unused {
		return mesh, nil
	}
	version := args.IstioVersion
	if version == "" {
		version = DefaultIstioVersion
	}
	charts := []struct {
		release, chart string
		values         pulumi.Map
	}{
		{naming.MeshReleaseBase, "base", pulumi.Map{}},
		{naming.MeshReleaseCNI, "cni", pulumi.Map{}},
		{naming.MeshReleaseIstiod, "istiod", pulumi.Map{
			"pilot": pulumi.Map{
				"cni": pulumi.Map{"enabled": pulumi.Bool(true)},
				"env": pulumi.Map{"ENABLE_NATIVE_SIDECARS": pulumi.String("true")},
			},
			"meshConfig": pulumi.Map{"trustDomain": pulumi.String(naming.MeshLocalTrustDomain)},
		}},
	}
	var previous []pulumi.Resource
	for i, c := range charts {
		release, err := helmv3.NewRelease(ctx, c.release, &helmv3.ReleaseArgs{
			Name:            pulumi.String(c.release),
			Chart:           pulumi.String(c.chart),
			Version:         pulumi.String(version),
			Namespace:       pulumi.String(naming.MeshSystemNamespace),
			CreateNamespace: pulumi.Bool(i == 0),
			RepositoryOpts:  &helmv3.RepositoryOptsArgs{Repo: pulumi.String(IstioChartRepository)},
			Values:          c.values,
		}, pulumi.Parent(parent), pulumi.Provider(provider), pulumi.DependsOn(previous))
		if err != nil {
			return nil, fmt.Errorf("istio chart %s: %w", c.chart, err)
		}
		previous = []pulumi.Resource{release}
	}
	mesh.Ready = previous
	return mesh, nil
}
