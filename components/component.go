package components

import (
	"fmt"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/manifest"
	"github.com/conveyor-paas/conveyor/naming"
)

// ComponentArgs describe one runtime part of a module.
type ComponentArgs struct {
	Environment Environment
	Space       string
	Module      string
	// Name is the component's name in its manifest; Spec.Kind says what it is.
	Name string
	// Spec is the component from a loaded manifest (defaults applied).
	Spec *manifest.Component
	// Image is the image this environment runs: the stack's pinned version or the
	// manifest's default.
	Image     string
	Namespace pulumi.StringInput
	// ServiceAccount is the module's Kubernetes service account.
	ServiceAccount string
	// Env is every environment variable of the component (config, database, topics).
	Env corev1.EnvVarArrayInput
	// Kubernetes is the provider of the cluster the component runs on.
	Kubernetes *kubernetes.Provider
	// RunAfter are resources the component must wait for: its module's database and event
	// setup and, for every kind but a job, its module's jobs.
	RunAfter []pulumi.Resource
	// PodAnnotations go on the component's pods (the service mesh's, in a meshed space).
	PodAnnotations map[string]string
	// Secrets is the volume of the secrets the component reads, mounted read-only at
	// naming.SecretsDir; nil when it reads none.
	Secrets *corev1.VolumeArgs
	// SQLProxy, when set, is the connection name of the Cloud SQL instance the component
	// reaches through the Cloud SQL Auth Proxy, run beside it (sqlproxy.go).
	SQLProxy *SQLProxy
}

// Component is a running part of a module: an api (Deployment, Service, autoscaler or fixed
// replicas, disruption budget), a cron (CronJob), a handler (Deployment and autoscaler or
// fixed replicas) or a job (Job).
type Component struct {
	pulumi.ResourceState

	Kind string
	// Workload is the name of the Deployment, CronJob or Job.
	Workload pulumi.StringOutput `pulumi:"workload"`
	// Endpoint is an api's in-cluster URL; empty for the other kinds.
	Endpoint pulumi.StringOutput `pulumi:"endpoint"`

	// runnable is the resource others wait for (the Job of a job component).
	runnable pulumi.Resource
}

// NewComponent creates a component of any kind.
func NewComponent(ctx *pulumi.Context, name string, args *ComponentArgs, opts ...pulumi.ResourceOption) (*Component, error) {
	if args == nil || args.Spec == nil || args.Kubernetes == nil {
		return nil, fmt.Errorf("component %s: args with a spec and a Kubernetes provider are required", name)
	}
	c := &Component{Kind: args.Spec.Kind}
	if err := ctx.RegisterComponentResource(naming.TypeComponent, name, c, opts...); err != nil {
		return nil, fmt.Errorf("registering component %s: %w", name, err)
	}
	child := []pulumi.ResourceOption{pulumi.Parent(c), pulumi.Provider(args.Kubernetes)}
	var err error
	switch args.Spec.Kind {
	case manifest.KindAPI:
		err = newAPI(ctx, c, args, child)
	case manifest.KindHandler:
		err = newHandler(ctx, c, args, child)
	case manifest.KindCron:
		err = newCron(ctx, c, args, child)
	case manifest.KindJob:
		err = newJob(ctx, c, args, child)
	default:
		err = fmt.Errorf("unknown component kind %q", args.Spec.Kind)
	}
	if err != nil {
		return nil, fmt.Errorf("component %s/%s: %w", args.Module, args.Name, err)
	}
	if c.Endpoint.OutputState == nil {
		c.Endpoint = pulumi.String("").ToStringOutput()
	}
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{"workload": c.Workload, "endpoint": c.Endpoint}); err != nil {
		return nil, fmt.Errorf("component %s: %w", name, err)
	}
	return c, nil
}

func (a *ComponentArgs) scope() naming.Scope {
	return naming.Scope{Environment: a.Environment.Name, Space: a.Space, Module: a.Module, Component: a.Name}
}

func (a *ComponentArgs) pod() podSpec {
	return podSpec{
		scope:          a.scope(),
		image:          a.Image,
		command:        a.Spec.Command,
		args:           a.Spec.Args,
		resources:      a.Spec.Resources,
		env:            a.Env,
		serviceAccount: a.ServiceAccount,
		annotations:    a.PodAnnotations,
		secrets:        a.Secrets,
		sqlProxy:       a.SQLProxy,
	}
}

// Replica defaults: production runs more, ad-hoc environments run one and never autoscale.
const (
	DefaultReplicas           = 2
	DefaultProductionReplicas = 3
)

// scaling decides a Deployment's replicas: a fixed count, or nil and an autoscaling range.
func (a *ComponentArgs) scaling() (replicas int, autoscaling *manifest.Autoscaling) {
	switch {
	case a.Environment.Asleep:
		// Zero, and no autoscaler: an autoscaler would scale the Deployment back up.
		return 0, nil
	case a.Environment.AdHoc:
		return 1, nil
	case a.Spec.Autoscaling != nil:
		return 0, a.Spec.Autoscaling
	case a.Spec.Replicas != nil:
		return *a.Spec.Replicas, nil
	case a.Environment.Production:
		return DefaultProductionReplicas, nil
	}
	return DefaultReplicas, nil
}
