package components

import (
	"fmt"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/compute"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/container"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/organizations"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/projects"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/serviceaccount"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/servicenetworking"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/sql"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/naming"
)

// Roles of the nodes' dedicated service account: what GKE nodes need to log, report metrics
// and pull images, and nothing more (the Compute default account has Editor on the project).
var nodeRoles = []string{
	"roles/logging.logWriter",
	"roles/monitoring.metricWriter",
	"roles/monitoring.viewer",
	"roles/stackdriver.resourceMetadata.writer",
	"roles/artifactregistry.reader",
}

// gke carries what the steps of a GKE cluster share.
type gke struct {
	ctx      *pulumi.Context
	c        *Cluster
	args     *GKEClusterArgs
	meshArgs MeshArgs
	labels   pulumi.StringMap
	// apis are the project's enabled services, which every other resource waits for.
	apis []pulumi.Resource
	// handovers are the namespaces where each admin scope's environments read its admin.
	handovers map[string][]pulumi.Resource
}

func (g *gke) opts(extra ...pulumi.ResourceOption) []pulumi.ResourceOption {
	return append([]pulumi.ResourceOption{pulumi.Parent(g.c), pulumi.Provider(g.args.GCP), pulumi.DependsOn(g.apis)}, extra...)
}

// projectAPIs are the services the cluster stack and its environments use: a fresh project
// has none of them enabled, and every create would fail with SERVICE_DISABLED.
var projectAPIs = []string{
	"cloudresourcemanager.googleapis.com", // the project lookup and IAM members
	"compute.googleapis.com",              // the VPC, router and NAT
	"container.googleapis.com",            // GKE
	"iam.googleapis.com",                  // service accounts
	"iamcredentials.googleapis.com",       // workload identity's tokens
	"servicenetworking.googleapis.com",    // private services access for Cloud SQL
	"sqladmin.googleapis.com",             // Cloud SQL
	"pubsub.googleapis.com",               // the environments' topics and subscriptions
	"logging.googleapis.com",              // GKE's system and workload logs
	"monitoring.googleapis.com",           // GKE's metrics and managed Prometheus
	"gkehub.googleapis.com",               // the fleet, which the managed service mesh is enabled through
	"mesh.googleapis.com",                 // Cloud Service Mesh
	"artifactregistry.googleapis.com",     // images the nodes pull
	"binaryauthorization.googleapis.com",  // admission of attested images only
	"containeranalysis.googleapis.com",    // the attestations' note and occurrences
}

// enableAPIs enables the project's services. They stay enabled when the stack is destroyed:
// other workloads of the project may use them, and disabling one is not undone by recreating.
func (g *gke) enableAPIs() error {
	for _, api := range projectAPIs {
		svc, err := projects.NewService(g.ctx, naming.Cluster(g.args.Name)+"-"+api, &projects.ServiceArgs{
			Project:          pulumi.String(g.args.Project),
			Service:          pulumi.String(api),
			DisableOnDestroy: pulumi.Bool(false),
		}, pulumi.Parent(g.c), pulumi.Provider(g.args.GCP))
		if err != nil {
			return fmt.Errorf("enabling %s: %w", api, err)
		}
		g.apis = append(g.apis, svc)
	}
	return nil
}

func newGKE(ctx *pulumi.Context, c *Cluster, args *GKEClusterArgs, mesh MeshArgs) error {
	switch {
	case args.GCP == nil:
		return fmt.Errorf("a GKE cluster needs a GCP provider")
	case args.Project == "" || args.Region == "":
		return fmt.Errorf("a GKE cluster needs a project and a region")
	case len(args.NodePools) == 0:
		return fmt.Errorf("a GKE cluster needs at least one node pool")
	}
	if err := naming.ValidatePart(naming.PartCluster, args.Name); err != nil {
		return err
	}
	if err := checkControlPlane(args); err != nil {
		return err
	}
	g := &gke{ctx: ctx, c: c, args: args, meshArgs: mesh, labels: pulumi.ToStringMap(naming.ClusterGCPLabels(args.Name))}
	if err := g.enableAPIs(); err != nil {
		return err
	}
	if err := g.binaryAuthorization(); err != nil {
		return err
	}
	network, subnet, err := g.network()
	if err != nil {
		return err
	}
	if err := g.privateGoogleAccessDNS(network); err != nil {
		return err
	}
	nodeAccount, err := g.nodeServiceAccount()
	if err != nil {
		return err
	}
	cluster, err := g.cluster(network, subnet)
	if err != nil {
		return err
	}
	if err := g.nodePools(cluster, nodeAccount); err != nil {
		return err
	}
	servers, err := g.sqlInstances(network)
	if err != nil {
		return err
	}
	if err := g.mesh(cluster); err != nil {
		return err
	}
	project := organizations.LookupProjectOutput(ctx, organizations.LookupProjectOutputArgs{
		ProjectId: pulumi.String(args.Project),
	}, pulumi.Provider(args.GCP), pulumi.Parent(c), pulumi.DependsOn(g.apis))
	c.Project = pulumi.String(args.Project).ToStringOutput()
	c.ProjectNumber = project.Number()
	c.AdHocProject, c.AdHocProjectNumber = adHocEnvironmentsProject(ctx, c, args)
	c.Region = pulumi.String(args.Region).ToStringOutput()
	c.Endpoint, c.CACertificate = endpoint(cluster, args.ControlPlane.PrivateEndpoint), cluster.MasterAuth.ClusterCaCertificate().Elem()
	c.Kubeconfig = pulumi.ToSecret(GKEKubeconfig(cluster.Name, c.Endpoint, c.CACertificate)).(pulumi.StringOutput)
	provider, err := kubernetes.NewProvider(ctx, naming.Cluster(args.Name), &kubernetes.ProviderArgs{
		Kubeconfig: c.Kubeconfig,
	}, pulumi.Parent(c))
	if err != nil {
		return fmt.Errorf("kubernetes provider: %w", err)
	}
	c.Provider = provider
	if err := g.sqlAdmins(servers); err != nil {
		return err
	}
	if args.AdHocDeployer != "" {
		if args.Production {
			return fmt.Errorf("a production cluster runs no ad-hoc environment: it has no ad-hoc deployer")
		}
		if err := g.adHocWall(args.AdHocDeployer, g.handovers[naming.AdHocAdminScope]); err != nil {
			return err
		}
	}
	if args.Sleeper != "" && !args.Production {
		if err := g.sleeperWall(args.Sleeper); err != nil {
			return err
		}
	}
	return g.secretsStore(provider)
}

// network creates the cluster's VPC, its subnet with secondary ranges for pods and services
// (a VPC-native cluster), and a Cloud NAT so private nodes can pull public images.
func (g *gke) network() (*compute.Network, *compute.Subnetwork, error) {
	name, ranges := g.args.Name, g.args.Network
	network, err := compute.NewNetwork(g.ctx, naming.Network(name), &compute.NetworkArgs{
		Name:                  pulumi.String(naming.Network(name)),
		Project:               pulumi.String(g.args.Project),
		AutoCreateSubnetworks: pulumi.Bool(false),
		RoutingMode:           pulumi.String("REGIONAL"),
	}, g.opts()...)
	if err != nil {
		return nil, nil, fmt.Errorf("network: %w", err)
	}
	subnetName := naming.Subnetwork(name, g.args.Region)
	subnet, err := compute.NewSubnetwork(g.ctx, subnetName, &compute.SubnetworkArgs{
		Name:                  pulumi.String(subnetName),
		Project:               pulumi.String(g.args.Project),
		Region:                pulumi.String(g.args.Region),
		Network:               network.ID(),
		IpCidrRange:           pulumi.String(ranges.Nodes),
		PrivateIpGoogleAccess: pulumi.Bool(true),
		SecondaryIpRanges: compute.SubnetworkSecondaryIpRangeArray{
			compute.SubnetworkSecondaryIpRangeArgs{RangeName: pulumi.String("pods"), IpCidrRange: pulumi.String(ranges.Pods)},
			compute.SubnetworkSecondaryIpRangeArgs{RangeName: pulumi.String("services"), IpCidrRange: pulumi.String(ranges.Services)},
		},
		LogConfig: &compute.SubnetworkLogConfigArgs{
			AggregationInterval: pulumi.String("INTERVAL_5_SEC"),
			FlowSampling:        pulumi.Float64(0.5),
			Metadata:            pulumi.String("INCLUDE_ALL_METADATA"),
		},
	}, g.opts()...)
	if err != nil {
		return nil, nil, fmt.Errorf("subnetwork: %w", err)
	}
	router, err := compute.NewRouter(g.ctx, naming.Router(name), &compute.RouterArgs{
		Name:    pulumi.String(naming.Router(name)),
		Project: pulumi.String(g.args.Project),
		Region:  pulumi.String(g.args.Region),
		Network: network.ID(),
	}, g.opts()...)
	if err != nil {
		return nil, nil, fmt.Errorf("router: %w", err)
	}
	if _, err := compute.NewRouterNat(g.ctx, naming.NAT(name), &compute.RouterNatArgs{
		Name:                          pulumi.String(naming.NAT(name)),
		Project:                       pulumi.String(g.args.Project),
		Region:                        pulumi.String(g.args.Region),
		Router:                        router.Name,
		NatIpAllocateOption:           pulumi.String("AUTO_ONLY"),
		SourceSubnetworkIpRangesToNat: pulumi.String("ALL_SUBNETWORKS_ALL_IP_RANGES"),
		LogConfig:                     &compute.RouterNatLogConfigArgs{Enable: pulumi.Bool(true), Filter: pulumi.String("ERRORS_ONLY")},
	}, g.opts()...); err != nil {
		return nil, nil, fmt.Errorf("cloud nat: %w", err)
	}
	return network, subnet, nil
}

// nodeServiceAccount creates the nodes' own service account with the few roles nodes need.
func (g *gke) nodeServiceAccount() (*serviceaccount.Account, error) {
	id := naming.NodeServiceAccountID(g.args.Name)
	account, err := serviceaccount.NewAccount(g.ctx, id, &serviceaccount.AccountArgs{
		AccountId:   pulumi.String(id),
		DisplayName: pulumi.String(fmt.Sprintf("Conveyor nodes of cluster %s", g.args.Name)),
		Project:     pulumi.String(g.args.Project),
	}, g.opts()...)
	if err != nil {
		return nil, fmt.Errorf("node service account: %w", err)
	}
	for _, role := range nodeRoles {
		if _, err := projects.NewIAMMember(g.ctx, id+"-"+role, &projects.IAMMemberArgs{
			Project: pulumi.String(g.args.Project),
			Role:    pulumi.String(role),
			Member:  pulumi.Sprintf("serviceAccount:%s", account.Email),
		}, g.opts()...); err != nil {
			return nil, fmt.Errorf("node role %s: %w", role, err)
		}
	}
	return account, nil
}

// nodeConfig is the configuration of every node: the dedicated service account, shielded
// VMs with secure boot, and the GKE metadata server that workload identity needs.
func (g *gke) nodeConfig(machineType string, account *serviceaccount.Account, spot bool, disk int) *container.NodePoolNodeConfigArgs {
	if disk == 0 {
		disk = 100
	}
	return &container.NodePoolNodeConfigArgs{
		MachineType:    pulumi.String(machineType),
		ServiceAccount: account.Email,
		OauthScopes:    pulumi.StringArray{pulumi.String("https://www.googleapis.com/auth/cloud-platform")},
		Spot:           pulumi.Bool(spot),
		DiskSizeGb:     pulumi.Int(disk),
		ImageType:      pulumi.String("COS_CONTAINERD"),
		ResourceLabels: g.labels,
		ShieldedInstanceConfig: &container.NodePoolNodeConfigShieldedInstanceConfigArgs{
			EnableSecureBoot:          pulumi.Bool(true),
			EnableIntegrityMonitoring: pulumi.Bool(true),
		},
		WorkloadMetadataConfig: &container.NodePoolNodeConfigWorkloadMetadataConfigArgs{Mode: pulumi.String("GKE_METADATA")},
		Metadata:               pulumi.StringMap{"disable-legacy-endpoints": pulumi.String("true")},
	}
}

// cluster creates the GKE cluster: private nodes, workload identity, shielded nodes, a
// release channel, Dataplane V2 (which enforces network policies), no legacy ABAC, no client
// certificate, system and workload logging and monitoring, Google Groups for RBAC, and a
// control plane only authorized networks reach. Its default node pool is removed in favour of
// the managed pools; the cluster declares no nodeConfig of its own, since the provider reads
// the removed pool's back and a difference would force the cluster to be replaced.
//
// Deletion protection is on in every cluster: the provider then refuses to delete it until
// the field is turned off, which costs nothing and turns a mistaken destroy of the cluster
// every non-production environment shares into an error. Only production's is also protected
// in Pulumi's state.
func (g *gke) cluster(network *compute.Network, subnet *compute.Subnetwork) (*container.Cluster, error) {
	name := naming.Cluster(g.args.Name)
	channel := g.args.ReleaseChannel
	if channel == "" {
		channel = "REGULAR"
	}
	cluster, err := container.NewCluster(g.ctx, name, &container.ClusterArgs{
		Name:                  pulumi.String(name),
		Project:               pulumi.String(g.args.Project),
		Location:              pulumi.String(g.args.Region),
		Network:               network.ID(),
		Subnetwork:            subnet.ID(),
		RemoveDefaultNodePool: pulumi.Bool(true),
		InitialNodeCount:      pulumi.Int(1),
		IpAllocationPolicy: &container.ClusterIpAllocationPolicyArgs{
			ClusterSecondaryRangeName:  pulumi.String("pods"),
			ServicesSecondaryRangeName: pulumi.String("services"),
		},
		PrivateClusterConfig: &container.ClusterPrivateClusterConfigArgs{
			EnablePrivateNodes:    pulumi.Bool(true),
			EnablePrivateEndpoint: pulumi.Bool(g.args.ControlPlane.PrivateEndpoint),
			MasterIpv4CidrBlock:   pulumi.String(g.args.Network.Master),
		},
		MasterAuthorizedNetworksConfig: authorizedNetworks(g.args.ControlPlane),
		AuthenticatorGroupsConfig: &container.ClusterAuthenticatorGroupsConfigArgs{
			SecurityGroup: pulumi.String(g.args.SecurityGroup),
		},
		WorkloadIdentityConfig: &container.ClusterWorkloadIdentityConfigArgs{
			WorkloadPool: pulumi.Sprintf("%s.svc.id.goog", g.args.Project),
		},
		ReleaseChannel:      &container.ClusterReleaseChannelArgs{Channel: pulumi.String(channel)},
		DatapathProvider:    pulumi.String("ADVANCED_DATAPATH"),
		EnableShieldedNodes: pulumi.Bool(true),
		EnableLegacyAbac:    pulumi.Bool(false),
		MasterAuth: &container.ClusterMasterAuthArgs{
			ClientCertificateConfig: &container.ClusterMasterAuthClientCertificateConfigArgs{IssueClientCertificate: pulumi.Bool(false)},
		},
		LoggingConfig: &container.ClusterLoggingConfigArgs{EnableComponents: pulumi.ToStringArray([]string{"SYSTEM_COMPONENTS", "WORKLOADS"})},
		MonitoringConfig: &container.ClusterMonitoringConfigArgs{
			EnableComponents:  pulumi.ToStringArray([]string{"SYSTEM_COMPONENTS"}),
			ManagedPrometheus: &container.ClusterMonitoringConfigManagedPrometheusArgs{Enabled: pulumi.Bool(true)},
		},
		ResourceLabels:     g.labels,
		DeletionProtection: pulumi.Bool(true),
		// The project's Binary Authorization policy (cluster_gke_binauthz.go) admits pods.
		BinaryAuthorization: &container.ClusterBinaryAuthorizationArgs{EvaluationMode: pulumi.String("PROJECT_SINGLETON_POLICY_ENFORCE")},
	}, g.opts(pulumi.Protect(g.args.Production))...)
	if err != nil {
		return nil, fmt.Errorf("gke cluster: %w", err)
	}
	return cluster, nil
}

// nodePools creates the autoscaled pools; GKE repairs and upgrades their nodes itself. A
// pool's min and max are the pool's total over the region's zones (totalMin/MaxNodeCount),
// as the configuration says: the per-zone counts of a regional pool would triple them.
func (g *gke) nodePools(cluster *container.Cluster, account *serviceaccount.Account) error {
	for _, pool := range g.args.NodePools {
		if pool.Min > pool.Max || pool.Max < 1 {
			return fmt.Errorf("node pool %s: min %d and max %d are not a range", pool.Name, pool.Min, pool.Max)
		}
		if _, err := container.NewNodePool(g.ctx, naming.Cluster(g.args.Name)+"-"+naming.NodePool(pool.Name), &container.NodePoolArgs{
			Name:     pulumi.String(naming.NodePool(pool.Name)),
			Project:  pulumi.String(g.args.Project),
			Location: pulumi.String(g.args.Region),
			Cluster:  cluster.Name,
			Autoscaling: &container.NodePoolAutoscalingArgs{
				TotalMinNodeCount: pulumi.Int(pool.Min),
				TotalMaxNodeCount: pulumi.Int(pool.Max),
				LocationPolicy:    pulumi.String("BALANCED"),
			},
			Management: &container.NodePoolManagementArgs{AutoRepair: pulumi.Bool(true), AutoUpgrade: pulumi.Bool(true)},
			NodeConfig: g.nodeConfig(pool.MachineType, account, pool.Spot, pool.DiskSizeGB),
		}, g.opts()...); err != nil {
			return fmt.Errorf("node pool %s: %w", pool.Name, err)
		}
	}
	return nil
}

// sqlInstances creates the cluster's Cloud SQL for PostgreSQL instances, one for the admin
// scopes that share it (naming.SQLInstanceOf): on cluster-nonprod, staging's own and the one of
// dev and the ad-hoc environments; on cluster-prod, prod's. Each is reachable only on a
// private address inside the VPC (private services access), connections through the Cloud SQL
// Auth Proxy only (SQLSSLMode), daily backups with
// point-in-time recovery. The edition is pinned to Enterprise, whose tiers are the db-custom-*
// ones: PostgreSQL 16's default, Enterprise Plus, rejects them. Deletion protection is on for
// every instance (it holds environments' data, and it costs nothing); production's is also
// protected in Pulumi's state.
func (g *gke) sqlInstances(network *compute.Network) ([]sqlServer, error) {
	peering, err := g.privateServices(network)
	if err != nil {
		return nil, err
	}
	var servers []sqlServer
	byName := map[string]int{}
	for _, scope := range naming.DatabaseAdminScopes(g.args.Production) {
		name := naming.SQLInstanceOf(g.args.Name, scope)
		if i, ok := byName[name]; ok {
			servers[i].scopes = append(servers[i].scopes, scope)
			continue
		}
		instance, err := g.sqlInstance(name, network, peering)
		if err != nil {
			return nil, err
		}
		byName[name] = len(servers)
		servers = append(servers, sqlServer{instance: instance, scopes: []string{scope}})
	}
	shared := servers[byName[naming.SQLInstance(g.args.Name)]].instance
	g.c.SQLInstance = shared.Name
	g.c.SQLConnectionName = shared.ConnectionName
	g.c.SQLPrivateAddress = shared.PrivateIpAddress
	g.c.StagingSQLPrivateAddress = pulumi.String("").ToStringOutput()
	g.c.StagingSQLConnectionName = pulumi.String("").ToStringOutput()
	if i, ok := byName[naming.SQLInstanceOf(g.args.Name, naming.StagingScope)]; ok && !g.args.Production {
		g.c.StagingSQLPrivateAddress = servers[i].instance.PrivateIpAddress
		g.c.StagingSQLConnectionName = servers[i].instance.ConnectionName
	}
	return servers, nil
}

// privateServices reserves the VPC's range for Google's managed services and peers it.
func (g *gke) privateServices(network *compute.Network) (pulumi.Resource, error) {
	name := g.args.Name
	reserved, err := compute.NewGlobalAddress(g.ctx, naming.PrivateServicesRange(name), &compute.GlobalAddressArgs{
		Name:         pulumi.String(naming.PrivateServicesRange(name)),
		Project:      pulumi.String(g.args.Project),
		Purpose:      pulumi.String("VPC_PEERING"),
		AddressType:  pulumi.String("INTERNAL"),
		PrefixLength: pulumi.Int(g.args.Network.PrivateServicesPrefix),
		Network:      network.ID(),
	}, g.opts()...)
	if err != nil {
		return nil, fmt.Errorf("private services range: %w", err)
	}
	peering, err := servicenetworking.NewConnection(g.ctx, naming.PrivateServicesRange(name), &servicenetworking.ConnectionArgs{
		Network:               network.ID(),
		Service:               pulumi.String("servicenetworking.googleapis.com"),
		ReservedPeeringRanges: pulumi.StringArray{reserved.Name},
	}, g.opts()...)
	if err != nil {
		return nil, fmt.Errorf("private services connection: %w", err)
	}
	return peering, nil
}

// sqlInstance creates one Cloud SQL instance, after the private services peering.
func (g *gke) sqlInstance(name string, network *compute.Network, peering pulumi.Resource) (*sql.DatabaseInstance, error) {
	tier := g.args.SQLTier
	if tier == "" {
		tier = "db-custom-1-3840"
	}
	availability := "ZONAL"
	if g.args.Production {
		availability = "REGIONAL"
	}
	instance, err := sql.NewDatabaseInstance(g.ctx, name, &sql.DatabaseInstanceArgs{
		Name:            pulumi.String(name),
		Project:         pulumi.String(g.args.Project),
		Region:          pulumi.String(g.args.Region),
		DatabaseVersion: pulumi.String("POSTGRES_16"),
		Settings: &sql.DatabaseInstanceSettingsArgs{
			Tier:                      pulumi.String(tier),
			Edition:                   pulumi.String(SQLEdition),
			AvailabilityType:          pulumi.String(availability),
			DeletionProtectionEnabled: pulumi.Bool(true),
			DiskAutoresize:            pulumi.Bool(true),
			UserLabels:                g.labels,
			IpConfiguration: &sql.DatabaseInstanceSettingsIpConfigurationArgs{
				Ipv4Enabled:    pulumi.Bool(false),
				PrivateNetwork: network.ID(),
				// Only the Cloud SQL Auth Proxy (or a connector), whose client certificate
				// the SQL Admin API issues to an identity granted the instance, may connect
				// (sqlproxy.go). requireSsl is deprecated, but the API still wants it set to
				// the value that matches sslMode (true for this mode) while the field exists.
				SslMode:    pulumi.String(SQLSSLMode),
				RequireSsl: pulumi.Bool(true), //nolint:staticcheck // SA1019: the pair sslMode still needs (above)
			},
			BackupConfiguration: &sql.DatabaseInstanceSettingsBackupConfigurationArgs{
				Enabled:                    pulumi.Bool(true),
				PointInTimeRecoveryEnabled: pulumi.Bool(true),
				StartTime:                  pulumi.String("02:00"),
			},
			InsightsConfig: &sql.DatabaseInstanceSettingsInsightsConfigArgs{QueryInsightsEnabled: pulumi.Bool(true)},
		},
		DeletionProtection: pulumi.Bool(true),
	}, g.opts(pulumi.DependsOn([]pulumi.Resource{peering}), pulumi.Protect(g.args.Production))...)
	if err != nil {
		return nil, fmt.Errorf("cloud sql instance %s: %w", name, err)
	}
	return instance, nil
}

// endpoint is the address of the cluster's API server: the private one when the public one
// is off.
func endpoint(cluster *container.Cluster, private bool) pulumi.StringOutput {
	if private {
		return pulumi.Sprintf("https://%s", cluster.PrivateClusterConfig.PrivateEndpoint().Elem())
	}
	return pulumi.Sprintf("https://%s", cluster.Endpoint)
}

// GKEKubeconfig reaches a GKE cluster at endpoint with its CA (base64 PEM), and authenticates
// through gke-gcloud-auth-plugin as whoever runs it: the file holds no credential. The
// cluster stack exports it (as a secret all the same); an ad-hoc environment makes it from
// its cluster's facts (naming.ClusterFacts) and so reaches the cluster as its own deployer.
func GKEKubeconfig(name, endpoint, ca pulumi.StringInput) pulumi.StringOutput {
	return pulumi.All(name, endpoint, ca).ApplyT(func(args []any) string {
		return GKEKubeconfigText(args[0].(string), args[1].(string), args[2].(string))
	}).(pulumi.StringOutput)
}

// GKEKubeconfigText is GKEKubeconfig's text, for a command that reads the facts as plain
// values.
func GKEKubeconfigText(name, endpoint, ca string) string {
	return fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: %[1]s
  cluster:
    certificate-authority-data: %[3]s
    server: %[2]s
contexts:
- name: %[1]s
  context:
    cluster: %[1]s
    user: %[1]s
current-context: %[1]s
users:
- name: %[1]s
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: gke-gcloud-auth-plugin
      installHint: Install gke-gcloud-auth-plugin (gcloud components install gke-gcloud-auth-plugin).
      provideClusterInfo: true
`, name, endpoint, ca)
}
