package stacks

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/components"
	"github.com/conveyor-paas/conveyor/manifest"
	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/stacks/deployed"
)

// Outputs of an environment stack: what a person and CI need to find what was deployed. The
// cluster it ran on is naming.OutputCluster, which the command reads back for `env list`.
const (
	OutputEnvironment   = "environment"
	OutputNamespaces    = "namespaces"
	OutputDatabases     = "databases"
	OutputTopics        = "topics"
	OutputSubscriptions = "subscriptions"
	OutputEndpoints     = "endpoints"
	OutputMeshedSpaces  = "meshedSpaces"
	// OutputModuleStacks are the module stacks of a split environment, which its base
	// exports: where its modules are (naming.ModuleStack).
	OutputModuleStacks = "moduleStacks"
)

// environmentStack deploys the catalog as one environment onto its cluster; with teardown, it
// also drops the environment's databases and roles, once everything else is in place.
func environmentStack(ctx *pulumi.Context, cfg *Config, teardown bool) error {
	cat, err := manifest.Load(cfg.Catalog)
	if err != nil {
		var problems manifest.Errors
		if errors.As(err, &problems) {
			return fmt.Errorf("the catalog at %s is not valid; nothing was deployed:\n%w", cfg.Catalog, err)
		}
		return err
	}
	images, err := imagesOf(ctx, cfg, cat)
	if err != nil {
		return err
	}
	env := components.Environment{
		Name:       cfg.Stack,
		Production: cfg.Production,
		// A production environment is never cheap, whatever its name.
		AdHoc:  (cfg.Kind == naming.StackAdHoc || cfg.Kind == naming.StackLocal) && !cfg.Production,
		Asleep: cfg.Asleep,
	}
	var target *components.Target
	if cfg.Module != "" {
		target, err = moduleTarget(ctx, cfg, &env, cat)
	} else {
		target, err = clusterTarget(ctx, cfg, &env, cat)
	}
	if err != nil {
		return err
	}
	if err := components.CheckMesh(cat, target.Mesh); err != nil {
		return err
	}
	if err := warnUnmeshed(ctx, cfg, cat, target.Mesh); err != nil {
		return err
	}
	secrets, err := secretsOf(ctx, cfg.Stack)
	if err != nil {
		return err
	}
	events := components.NewEvents(ctx)
	namespaces := pulumi.StringMap{}
	spaceNS := map[string]pulumi.StringOutput{}
	modules, err := modulesOf(cfg, cat, events)
	if err != nil {
		return err
	}
	if err := spaces(ctx, cfg, env, cat, target, spaceNS, namespaces); err != nil {
		return err
	}
	databases, endpoints := pulumi.StringMap{}, pulumi.StringMap{}
	var topics, subscriptions pulumi.StringArrayArray
	for _, m := range modules {
		module, err := components.NewModule(ctx, m.Name, &components.ModuleArgs{
			Environment: env,
			Target:      target,
			Catalog:     cat,
			Spec:        m,
			Namespace:   spaceNS[m.Space],
			Events:      events,
			Images:      images[m.Name],
			Secrets:     secrets(m.Name),
		})
		if err != nil {
			return err
		}
		if m.HasDatabase() {
			databases[m.Name] = module.Database
		}
		for _, name := range m.ComponentNames() {
			if c := module.Components[name]; c.Kind == manifest.KindAPI {
				endpoints[m.Name+"/"+name] = c.Endpoint
			}
		}
		topics = append(topics, module.Topics)
		subscriptions = append(subscriptions, module.Subscriptions)
	}
	if err := events.Close(); err != nil {
		return err
	}
	if teardown {
		// The job depends on the platform only, not on the modules: the teardown update is
		// targeted at it (TeardownTargets), and a module the running code adds would be a
		// dependency the engine refuses to leave out; the modules of the state are all in
		// place already, since nothing else runs in that update.
		if err := components.NewDatabaseTeardown(ctx, env, target, nil); err != nil {
			return err
		}
	}
	if cfg.Split && cfg.Module == "" {
		ctx.Export(OutputModuleStacks, pulumi.ToStringArray(moduleStacks(cfg.Stack, cat)))
	}
	ctx.Export(OutputEnvironment, pulumi.String(cfg.Stack))
	ctx.Export(naming.OutputCluster, pulumi.String(cfg.Cluster))
	ctx.Export(OutputNamespaces, namespaces)
	ctx.Export(OutputDatabases, databases)
	ctx.Export(OutputTopics, flatten(topics))
	ctx.Export(OutputSubscriptions, flatten(subscriptions))
	ctx.Export(OutputEndpoints, endpoints)
	ctx.Export(OutputMeshedSpaces, pulumi.ToStringArray(target.Mesh.MeshedSpaces(cat)))
	return nil
}

// imagesOf are the images the stack runs, by module and component: the stack file's seed
// under what its last checkpoint recorded and the update's request (deployed.Record).
func imagesOf(ctx *pulumi.Context, cfg *Config, cat *manifest.Catalog) (deployed.Images, error) {
	record, err := deployed.Record(ctx)
	if err != nil {
		return nil, err
	}
	if err := checkImages(cfg.Images, cat); err != nil {
		return nil, err
	}
	// The deployed images may name a module or component that a later commit removed: it is
	// history, not a typo, so it is left out rather than refused.
	images := deployed.Layers{Seed: cfg.Images, Deployed: record}.Images()
	for m, comps := range images {
		for c := range comps {
			if mod := cat.Module(m); mod == nil || mod.Components[c] == nil {
				delete(comps, c)
			}
		}
	}
	return images, nil
}

// spaces makes the catalog's spaces, recording each one's namespace in spaceNS and, for the
// outputs, in namespaces; a module stack makes none (its base does) and knows its spaces'
// namespaces by name.
func spaces(ctx *pulumi.Context, cfg *Config, env components.Environment, cat *manifest.Catalog, target *components.Target,
	spaceNS map[string]pulumi.StringOutput, namespaces pulumi.StringMap) error {
	for _, s := range cat.Spaces {
		if cfg.Module != "" {
			spaceNS[s.Name] = pulumi.String(naming.Namespace(env.Name, s.Name)).ToStringOutput()
			continue
		}
		space, err := components.NewSpace(ctx, s.Name, &components.SpaceArgs{Environment: env, Spec: s, Catalog: cat, Target: target})
		if err != nil {
			return err
		}
		spaceNS[s.Name] = space.Namespace
		namespaces[s.Name] = space.Namespace
	}
	return nil
}

// clusterTarget finds the cluster an environment deploys onto: the current kubeconfig's for a
// local environment, otherwise what ReadCluster reads of the cluster stack (an ad-hoc
// environment: of its facts). It sets the environment's allowed
// registries from the cluster: a local stack's own setting, or the cluster stack's.
func clusterTarget(ctx *pulumi.Context, cfg *Config, env *components.Environment, cat *manifest.Catalog) (*components.Target, error) {
	if cfg.Cluster == LocalCluster {
		env.AllowedRegistries = cfg.AllowedRegistries
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
	target, err := gkeTarget(ctx, cfg, env, cat)
	if err != nil {
		return nil, err
	}
	target.Platform, err = components.NewPlatform(ctx, *env, target)
	if err != nil {
		return nil, err
	}
	return target, nil
}

// gkeTarget is the cluster stack's cluster as ReadCluster reads it, with the providers of an
// environment's stacks (a module stack's too: the same names and inputs as its base's), but
// the platform namespace, which the base makes.
func gkeTarget(ctx *pulumi.Context, cfg *Config, env *components.Environment, cat *manifest.Catalog) (*components.Target, error) {
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

// checkImages rejects stack config that pins an image for a module or component that does not
// exist, or an image reference that is not valid: a typo must not be silently ignored.
func checkImages(images deployed.Images, cat *manifest.Catalog) error {
	var errs []error
	for _, module := range slices.Sorted(maps.Keys(images)) {
		m := cat.Module(module)
		if m == nil {
			errs = append(errs, fmt.Errorf("config %s:images.%s: there is no module %q in the catalog", naming.Project, module, module))
			continue
		}
		for _, component := range slices.Sorted(maps.Keys(images[module])) {
			key := fmt.Sprintf("%s:images.%s.%s", naming.Project, module, component)
			if _, ok := m.Components[component]; !ok {
				errs = append(errs, fmt.Errorf("config %s: module %s has no component %q (it has %v)", key, module, component, m.ComponentNames()))
				continue
			}
			if err := manifest.CheckImage(images[module][component]); err != nil {
				errs = append(errs, fmt.Errorf("config %s: %w", key, err))
			}
		}
	}
	return errors.Join(errs...)
}

func flatten(arrays pulumi.StringArrayArray) pulumi.StringArrayOutput {
	return arrays.ToStringArrayArrayOutput().ApplyT(func(all [][]string) []string {
		var out []string
		for _, a := range all {
			out = append(out, a...)
		}
		return out
	}).(pulumi.StringArrayOutput)
}

// ClusterRead is what an environment reads of the cluster stack it deploys onto.
type ClusterRead struct {
	// Stack is the stack read: the cluster stack, or for an ad-hoc environment its facts
	// stack (naming.ClusterReference).
	Stack   string
	Outputs components.ClusterOutputs
	// AllowedRegistries and Domain are the cluster's, as plain values: the program decides
	// with them (the namespaces' annotation, the teams' check).
	AllowedRegistries []string
	Domain            string
	mesh              components.MeshMode
	cluster           string
}

// ReadCluster reads the cluster stack an environment of env deploys onto, through the stack
// its tier may read (naming.ClusterReference) in its own backend: the long-lived and
// production tiers the cluster stack itself; the ad-hoc tier only the cluster's facts, which
// the long-lived tier publishes into the ad-hoc tier's backend and which hold no credential.
// Its kubeconfig, made of the endpoint and CA, authenticates as the ad-hoc deployer itself.
func ReadCluster(ctx *pulumi.Context, env, cluster string) (*ClusterRead, error) {
	stack := naming.ClusterReference(env, cluster)
	ref, err := pulumi.NewStackReference(ctx, fmt.Sprintf("%s/%s/%s", ctx.Organization(), ctx.Project(), stack), nil)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", describeClusterStack(stack), err)
	}
	read := &ClusterRead{Stack: stack, cluster: cluster}
	if stack == cluster {
		read.Outputs = components.ReadClusterOutputs(ref)
	} else {
		read.Outputs = components.ReadClusterFacts(ref)
	}
	if read.AllowedRegistries, err = clusterRegistries(ref, stack); err != nil {
		return nil, err
	}
	if read.Domain, err = clusterDomain(ref, stack); err != nil {
		return nil, err
	}
	if read.mesh, err = clusterMeshMode(ref, stack); err != nil {
		return nil, err
	}
	return read, nil
}

// Mesh is the cluster's service mesh, its trust domain the project's.
func (c *ClusterRead) Mesh(project pulumi.StringOutput) *components.Mesh {
	return &components.Mesh{
		Mode:        c.mesh,
		Origin:      meshOrigin(c.cluster),
		TrustDomain: project.ApplyT(naming.MeshTrustDomain).(pulumi.StringOutput),
	}
}

// describeClusterStack names a stack an environment reads its cluster from, for messages.
func describeClusterStack(stack string) string {
	if cluster, ok := naming.ClusterOfFactsStack(stack); ok {
		return fmt.Sprintf("the facts of cluster stack %s (stack %s)", cluster, stack)
	}
	return "cluster stack " + stack
}

// updateHint says how to give a stack an environment reads the output it lacks.
func updateHint(stack string) string {
	if cluster, ok := naming.ClusterOfFactsStack(stack); ok {
		return fmt.Sprintf("update %s and publish its facts (conveyor cluster-facts --cluster %s, main's job)", cluster, cluster)
	}
	return fmt.Sprintf("update it (conveyor up --env %s)", stack)
}
