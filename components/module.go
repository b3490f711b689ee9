package components

import (
	"fmt"

	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/manifest"
	"github.com/conveyor-paas/conveyor/naming"
)

// ModuleArgs describe one module in one environment.
type ModuleArgs struct {
	Environment Environment
	Target      *Target
	// Catalog is the loaded catalog the module belongs to: config is resolved through its
	// space, and consumed events through their producers.
	Catalog *manifest.Catalog
	Spec    *manifest.Module
	// Namespace is the module's space's namespace.
	Namespace pulumi.StringInput
	// Events connects the environment's producers and consumers.
	Events *Events
	// Images are this environment's images by component name; a component without one runs
	// its manifest's image.
	Images map[string]string
	// Secrets are the values of the module's secrets in this environment (module_secrets.go).
	Secrets ModuleSecrets
}

// Module is one microservice in an environment: its identity, its private database, its
// topics and subscriptions, and its components wired to all of them.
type Module struct {
	pulumi.ResourceState

	// ServiceAccount is the module's GCP service account email ("" on a local cluster).
	ServiceAccount pulumi.StringOutput `pulumi:"serviceAccount"`
	// Database is the module's database name ("" without a database).
	Database pulumi.StringOutput `pulumi:"database"`
	// Topics are the names of the module's topics, one per published event.
	Topics pulumi.StringArrayOutput `pulumi:"topics"`
	// Subscriptions are the names of the module's subscriptions, one per consumed event.
	Subscriptions pulumi.StringArrayOutput `pulumi:"subscriptions"`
	// Endpoints are the in-cluster URLs of the module's apis, by component.
	Endpoints pulumi.StringMapOutput `pulumi:"endpoints"`
	// Components by name.
	Components map[string]*Component
}

// NewModule creates a module and its components.
func NewModule(ctx *pulumi.Context, name string, args *ModuleArgs, opts ...pulumi.ResourceOption) (*Module, error) {
	if err := args.validate(); err != nil {
		return nil, fmt.Errorf("module %s: %w", name, err)
	}
	m := &Module{Components: map[string]*Component{}}
	if err := ctx.RegisterComponentResource(naming.TypeModule, name, m, opts...); err != nil {
		return nil, fmt.Errorf("registering module %s: %w", name, err)
	}
	b := &moduleBuilder{ctx: ctx, m: m, args: args}
	steps := []func() error{b.identity, b.secrets, b.database, b.seeding, b.events, b.components}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, fmt.Errorf("module %s: %w", args.Spec.Name, err)
		}
	}
	if err := ctx.RegisterResourceOutputs(m, pulumi.Map{
		"serviceAccount": m.ServiceAccount,
		"database":       m.Database,
		"topics":         m.Topics,
		"subscriptions":  m.Subscriptions,
		"endpoints":      m.Endpoints,
	}); err != nil {
		return nil, fmt.Errorf("module %s: %w", name, err)
	}
	return m, nil
}

func (a *ModuleArgs) validate() error {
	switch {
	case a == nil || a.Spec == nil || a.Catalog == nil:
		return fmt.Errorf("args with a spec and its catalog are required")
	case a.Target == nil || a.Target.Kubernetes == nil:
		return fmt.Errorf("a target with a Kubernetes provider is required")
	case a.Target.GCP == nil && a.Target.Local == nil:
		return fmt.Errorf("the target needs a GCP provider, or local services on a local cluster")
	case a.Target.Platform == nil:
		return fmt.Errorf("the target needs the environment's platform namespace, where the database setup runs")
	case a.Events == nil:
		return fmt.Errorf("an event registry is required")
	}
	return a.Target.checkSQLConnection()
}

// moduleBuilder carries what the steps of NewModule share.
type moduleBuilder struct {
	ctx  *pulumi.Context
	m    *Module
	args *ModuleArgs

	// ksa is the module's Kubernetes service account.
	ksa string
	// env are the variables every component gets besides its config.
	env corev1.EnvVarArray
	// ready are what the components wait for: the database and event setup.
	ready []pulumi.Resource
	// secretIDs are the Secret Manager secrets a component reads, by name (GKE only).
	secretIDs map[string]string
	// sqlProxy is the connection name of the instance the components reach through the
	// proxy: set for a module with a database on GKE.
	sqlProxy *SQLProxy
}

func (b *moduleBuilder) scope() naming.Scope {
	return naming.Scope{Environment: b.args.Environment.Name, Space: b.args.Spec.Space, Module: b.args.Spec.Name}
}

// k8s are the options of a Kubernetes child of the module.
func (b *moduleBuilder) k8s(extra ...pulumi.ResourceOption) []pulumi.ResourceOption {
	return append([]pulumi.ResourceOption{pulumi.Parent(b.m), pulumi.Provider(b.args.Target.Kubernetes)}, extra...)
}

// gcp are the options of a GCP child of the module.
func (b *moduleBuilder) gcp(extra ...pulumi.ResourceOption) []pulumi.ResourceOption {
	return append([]pulumi.ResourceOption{pulumi.Parent(b.m), pulumi.Provider(b.args.Target.GCP)}, extra...)
}

// components creates the module's components: jobs first, since the apis, handlers and crons
// roll out after them.
func (b *moduleBuilder) components() error {
	spec := b.args.Spec
	var jobs []pulumi.Resource
	ordered := spec.ComponentNames()
	for _, pass := range []bool{true, false} {
		for _, name := range ordered {
			c := spec.Components[name]
			if (c.Kind == manifest.KindJob) != pass {
				continue
			}
			runAfter := b.ready
			if c.Kind != manifest.KindJob {
				runAfter = append(append([]pulumi.Resource{}, b.ready...), jobs...)
			}
			image := c.Image
			if pinned, ok := b.args.Images[name]; ok {
				image = pinned
			}
			secrets, err := b.secretsVolumeOf(name)
			if err != nil {
				return err
			}
			comp, err := NewComponent(b.ctx, naming.Workload(spec.Name, name), &ComponentArgs{
				Environment:    b.args.Environment,
				Space:          spec.Space,
				Module:         spec.Name,
				Name:           name,
				Spec:           c,
				Image:          image,
				Namespace:      b.args.Namespace,
				ServiceAccount: b.ksa,
				Env:            b.componentEnv(name),
				Kubernetes:     b.args.Target.Kubernetes,
				RunAfter:       runAfter,
				PodAnnotations: b.meshAnnotations(),
				Secrets:        secrets,
				SQLProxy:       b.sqlProxy,
			}, pulumi.Parent(b.m))
			if err != nil {
				return err
			}
			b.m.Components[name] = comp
			if comp.runnable != nil {
				jobs = append(jobs, comp.runnable)
			}
		}
	}
	endpoints := pulumi.StringMap{}
	for name, comp := range b.m.Components {
		if comp.Kind == manifest.KindAPI {
			endpoints[name] = comp.Endpoint
		}
	}
	b.m.Endpoints = endpoints.ToStringMapOutput()
	return nil
}
