package stacks

import (
	"errors"
	"fmt"
	"maps"
	"slices"

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
	cat, err := loadCatalog(cfg)
	if err != nil {
		return err
	}
	images, err := imagesOf(ctx, cfg, cat)
	if err != nil {
		return err
	}
	env := environmentOf(cfg)
	target, err := targetOf(ctx, cfg, &env, cat)
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
	out := environmentOutputs{namespaces: pulumi.StringMap{}, databases: pulumi.StringMap{}, endpoints: pulumi.StringMap{}}
	spaceNS := map[string]pulumi.StringOutput{}
	modules, err := modulesOf(cfg, cat, events)
	if err != nil {
		return err
	}
	if err := spaces(ctx, cfg, env, cat, target, spaceNS, out.namespaces); err != nil {
		return err
	}
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
		out.add(m, module)
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
	out.export(ctx, cfg, cat, target)
	return nil
}

// environmentOf is the environment the stack deploys, as its configuration says; its
// cluster gives it its allowed registries (targetOf).
func environmentOf(cfg *Config) components.Environment {
	return components.Environment{
		Name:       cfg.Stack,
		Production: cfg.Production,
		// A production environment is never cheap, whatever its name.
		AdHoc:  (cfg.Kind == naming.StackAdHoc || cfg.Kind == naming.StackLocal) && !cfg.Production,
		Asleep: cfg.Asleep,
	}
}

// loadCatalog loads the catalog the stack deploys; an invalid one deploys nothing.
func loadCatalog(cfg *Config) (*manifest.Catalog, error) {
	cat, err := manifest.Load(cfg.Catalog)
	if err != nil {
		var problems manifest.Errors
		if errors.As(err, &problems) {
			return nil, fmt.Errorf("the catalog at %s is not valid; nothing was deployed:\n%w", cfg.Catalog, err)
		}
		return nil, err
	}
	return cat, nil
}

// environmentOutputs gather, module by module, what an environment stack exports.
type environmentOutputs struct {
	namespaces, databases, endpoints pulumi.StringMap
	topics, subscriptions            pulumi.StringArrayArray
}

// add records what module m, declared as module, exports: its database, its apis' endpoints,
// its topics and subscriptions.
func (o *environmentOutputs) add(m *manifest.Module, module *components.Module) {
	if m.HasDatabase() {
		o.databases[m.Name] = module.Database
	}
	for _, name := range m.ComponentNames() {
		if c := module.Components[name]; c.Kind == manifest.KindAPI {
			o.endpoints[m.Name+"/"+name] = c.Endpoint
		}
	}
	o.topics = append(o.topics, module.Topics)
	o.subscriptions = append(o.subscriptions, module.Subscriptions)
}

// export exports the environment's outputs; a split environment's base names its module
// stacks too.
func (o *environmentOutputs) export(ctx *pulumi.Context, cfg *Config, cat *manifest.Catalog, target *components.Target) {
	if cfg.Split && cfg.Module == "" {
		ctx.Export(OutputModuleStacks, pulumi.ToStringArray(moduleStacks(cfg.Stack, cat)))
	}
	ctx.Export(OutputEnvironment, pulumi.String(cfg.Stack))
	ctx.Export(naming.OutputCluster, pulumi.String(cfg.Cluster))
	ctx.Export(OutputNamespaces, o.namespaces)
	ctx.Export(OutputDatabases, o.databases)
	ctx.Export(OutputTopics, flatten(o.topics))
	ctx.Export(OutputSubscriptions, flatten(o.subscriptions))
	ctx.Export(OutputEndpoints, o.endpoints)
	ctx.Export(OutputMeshedSpaces, pulumi.ToStringArray(target.Mesh.MeshedSpaces(cat)))
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
