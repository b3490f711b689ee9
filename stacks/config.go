package stacks

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"

	"github.com/conveyor-paas/conveyor/components"
	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/stacks/deployed"
	"github.com/conveyor-paas/conveyor/stacks/stackfile"
)

// Defaults of the configuration. Pulumi.yaml declares the same defaults for `pulumi up`; a
// test keeps the two in agreement.
const (
	DefaultCatalog        = "stacks/catalog"
	DefaultRegion         = "europe-west1"
	DefaultSQLTier        = "db-custom-1-3840"
	DefaultReleaseChannel = "REGULAR"
	// DefaultSecurityGroup is the Google Groups for RBAC group of a cluster unless configured:
	// a placeholder, which a cluster stack refuses (components.CheckSecurityGroup). GKE
	// accepts only gke-security-groups@<domain>: set it to your Workspace domain's.
	DefaultSecurityGroup = "gke-security-groups@example.com"
	// LocalCluster as the cluster means the current kubeconfig's cluster.
	LocalCluster = naming.LocalCluster
)

// DefaultNodePools are a cluster's pools unless configured. It is a function, not a variable,
// so that no stack can change the defaults of the next; configured pools replace them whole
// (see decodeNodePools).
func DefaultNodePools() []components.NodePool {
	return []components.NodePool{{Name: "general", MachineType: "e2-standard-4", Min: 1, Max: 5}}
}

// Config is a stack's configuration with every default applied.
type Config struct {
	// Stack is the environment the stack deploys: the stack's own name, or a module stack's
	// environment (naming.ModuleStack), from which every name is derived as before.
	Stack string
	Kind  naming.StackKind
	// Module is the module a module stack holds ("dev" for "dev.quotes"); "" for any other.
	Module string
	// Split says that the environment's modules are stacks of their own (naming.ConfigSplit):
	// its base declares none of them.
	Split bool

	// Environment stacks.
	// Catalog is the folder (or file) of the catalog, absolute or relative to the project.
	Catalog string
	// Cluster is the cluster stack the environment deploys onto, or LocalCluster.
	Cluster string
	// KubeContext is the kubeconfig context of a local environment ("" for the current one).
	KubeContext string
	// Images are the stack file's conveyor:images, the committed seed; the program puts the
	// deployed images over them (deployed.Layers).
	Images deployed.Images

	// Cluster stacks.
	GCPProject     string
	GCPRegion      string
	NodePools      []components.NodePool
	SQLTier        string
	ReleaseChannel string
	Network        components.NetworkRanges
	SecurityGroup  string
	ControlPlane   components.ControlPlaneAccess
	// Production protects a cluster (deletion protection, highly available SQL).
	Production bool
	// Asleep is conveyor:asleep: a non-production environment that runs none of its modules'
	// pods (components.Environment.Asleep).
	Asleep bool

	// Cluster stacks and local environments: the service mesh (components.MeshMode) and the
	// Istio release a local cluster installs.
	Mesh         components.MeshMode
	IstioVersion string
	// MeshUnset: the stack does not set conveyor:mesh. A local cluster then runs no mesh, and
	// spaces that ask for one run outside it with a warning (localMeshArgs).
	MeshUnset bool
	// AllowedRegistries are where images may come from: admitted by Binary Authorization on
	// GKE, written on every namespace of the cluster's environments for the policy pack.
	AllowedRegistries []string
	// AttestorPublicKey is the public key main's pipeline signs attestations with (cluster
	// stacks); empty until a person configures it, and production then admits no image.
	AttestorPublicKey string
	// AdHocEnvironmentsProject is a non-production cluster stack's project of its ad-hoc
	// environments' accounts and topics, which it publishes as a fact (components.AdHocGCP).
	AdHocEnvironmentsProject string
}

// DefaultAllowedRegistries are the registries of the demo catalog's images and of the
// platform's own (PostgreSQL, the Cloud SQL Auth Proxy, and locally the Pub/Sub emulator and curl); a platform team names its
// own in its cluster stacks' conveyor:allowedRegistries. A function, like DefaultNodePools,
// so that no caller can change another's default.
func DefaultAllowedRegistries() []string {
	return []string{"ghcr.io/stefanprodan", "docker.io/library", "gcr.io/google.com/cloudsdktool", "docker.io/curlimages", "gcr.io/cloud-sql-connectors"}
}

// LoadConfig reads the stack's configuration and applies the defaults. An ad-hoc stack needs
// no configuration at all.
func LoadConfig(ctx *pulumi.Context) (*Config, error) {
	parsed, err := naming.ParseStack(ctx.Stack())
	if err != nil {
		return nil, err
	}
	// A module stack is its environment's: every name, and every check below, is the
	// environment's.
	stack, kind := parsed.Environment(), parsed.Kind()
	if kind == naming.StackFacts {
		cluster, _ := naming.ClusterOfFactsStack(stack)
		return nil, fmt.Errorf("%s holds the facts of %s for the ad-hoc tier and runs no program: the long-lived tier publishes it (conveyor cluster-facts --cluster %s)", stack, cluster, cluster)
	}
	get := func(key string) string { return config.Get(ctx, key) }
	cfg := &Config{
		Stack:             stack,
		Kind:              kind,
		Module:            parsed.Module(),
		Split:             config.GetBool(ctx, naming.ConfigSplit) || parsed.Module() != "",
		Catalog:           CatalogDir(ctx.RootDirectory(), get(naming.ConfigCatalog)),
		Cluster:           or(get(naming.ConfigCluster), naming.DefaultCluster(stack)),
		KubeContext:       get(naming.ConfigKubeContext),
		GCPProject:        get(naming.ConfigGCPProject),
		GCPRegion:         or(get(naming.ConfigGCPRegion), DefaultRegion),
		SQLTier:           or(get(naming.ConfigSQLTier), DefaultSQLTier),
		ReleaseChannel:    or(get(naming.ConfigReleaseChannel), DefaultReleaseChannel),
		Production:        config.GetBool(ctx, naming.ConfigProduction) || kind == naming.StackProduction,
		NodePools:         DefaultNodePools(),
		Network:           components.DefaultNetworkRanges,
		SecurityGroup:     or(get(naming.ConfigSecurityGroup), DefaultSecurityGroup),
		AttestorPublicKey: get(naming.ConfigAttestorPublicKey),
		Images:            deployed.Images{},

		AdHocEnvironmentsProject: get(naming.ConfigAdHocEnvironmentsProject),
	}
	if kind == naming.StackLocal {
		cfg.Cluster = LocalCluster
	}
	if cfg.Mesh, err = components.ParseMeshMode(or(get(naming.ConfigMesh), string(defaultMeshMode(cfg.Cluster == LocalCluster)))); err != nil {
		return nil, fmt.Errorf("config %s: %w", naming.ConfigMesh, err)
	}
	cfg.MeshUnset = get(naming.ConfigMesh) == ""
	if cfg.Asleep, err = loadAsleep(ctx, cfg); err != nil {
		return nil, err
	}
	cfg.IstioVersion = or(get(naming.ConfigIstioVersion), components.DefaultIstioVersion)
	if err := loadObjects(ctx, cfg); err != nil {
		return nil, err
	}
	if err := checkConfig(cfg); err != nil {
		return nil, err
	}
	return cfg, nil
}

// loadObjects reads the configuration's objects and lists (the images, the network, the
// control plane's access, the allowed registries, the node pools) over their defaults.
func loadObjects(ctx *pulumi.Context, cfg *Config) error {
	objects := []struct {
		key    string
		target any
	}{
		{naming.ConfigImages, &cfg.Images},
		{naming.ConfigNetwork, &cfg.Network},
		{naming.ConfigControlPlane, &cfg.ControlPlane},
		{naming.ConfigAllowedRegistries, &cfg.AllowedRegistries},
	}
	for _, o := range objects {
		if err := config.TryObject(ctx, o.key, o.target); err != nil && !isMissing(err) {
			return fmt.Errorf("config %s: %w", o.key, err)
		}
	}
	if cfg.AllowedRegistries == nil {
		cfg.AllowedRegistries = DefaultAllowedRegistries()
	}
	if text := config.Get(ctx, naming.ConfigNodePools); text != "" {
		var err error
		if cfg.NodePools, err = decodeNodePools(text); err != nil {
			return err
		}
	}
	return nil
}

// checkConfig refuses what a stack of cfg's kind may not be configured with: a cluster stack
// without its project, security group or sound control-plane access; an environment on
// something that is no cluster stack, or on a cluster its tier may not use.
func checkConfig(cfg *Config) error {
	stack, kind := cfg.Stack, cfg.Kind
	if kind == naming.StackCluster && cfg.GCPProject == "" {
		return fmt.Errorf("cluster stack %s needs its GCP project: pulumi config set %s <project-id> -s %s", stack, naming.ConfigGCPProject, stack)
	}
	if kind == naming.StackCluster {
		if err := components.CheckSecurityGroup(cfg.SecurityGroup); err != nil {
			return fmt.Errorf("stack %s: config %s: %w", stack, naming.ConfigSecurityGroup, err)
		}
		if err := components.CheckAuthorizedNetworks(cfg.ControlPlane.AuthorizedNetworks); err != nil {
			return fmt.Errorf("stack %s: config %s.%w", stack, naming.ConfigControlPlane, err)
		}
		if err := checkAdHocEnvironmentsProject(cfg); err != nil {
			return fmt.Errorf("stack %s: config %s: %w", stack, naming.ConfigAdHocEnvironmentsProject, err)
		}
	}
	if kind != naming.StackCluster && cfg.Cluster != LocalCluster && !naming.IsClusterStack(cfg.Cluster) {
		return fmt.Errorf("config %s is %q, which is not a cluster stack (cluster-<name>) or %q", naming.ConfigCluster, cfg.Cluster, LocalCluster)
	}
	if kind != naming.StackCluster && cfg.Cluster != LocalCluster {
		// Checked here, before the program registers anything, so that a wrong cluster never
		// gets as far as a StackReference to production's kubeconfig.
		if err := naming.CheckCluster(stack, cfg.Cluster); err != nil {
			return fmt.Errorf("stack %s: config %s is %s: %w", stack, naming.ConfigCluster, cfg.Cluster, err)
		}
	}
	return nil
}

// loadAsleep reads conveyor:asleep. Production never sleeps: a setting that would take it
// down is refused before anything is registered, naming the file a person fixes.
func loadAsleep(ctx *pulumi.Context, cfg *Config) (bool, error) {
	text := config.Get(ctx, naming.ConfigAsleep)
	if text == "" {
		return false, nil
	}
	file := stackfile.Name(cfg.Stack)
	asleep, err := strconv.ParseBool(text)
	if err != nil {
		return false, fmt.Errorf("%s: %s is %q: want true or false", file, naming.ConfigAsleep, text)
	}
	if asleep && cfg.Production {
		return false, fmt.Errorf("%s: %s: %s is a production environment, which never sleeps: remove the key", file, naming.ConfigAsleep, cfg.Stack)
	}
	return asleep, nil
}

// CatalogDir is where a stack's catalog is: the configured folder (or file), the default one
// when none is configured, relative to the project's root unless absolute. The program and
// the commands that read a catalog without running it (graph, status, logs) find it so.
func CatalogDir(root, configured string) string {
	dir := or(configured, DefaultCatalog)
	if !filepath.IsAbs(dir) && root != "" {
		dir = filepath.Join(root, dir)
	}
	return dir
}

func isMissing(err error) bool { return errors.Is(err, config.ErrMissingVar) }

func or(v, fallback string) string {
	if v == "" {
		return fallback
	}
	return v
}
