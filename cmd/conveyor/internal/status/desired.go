package status

import (
	"fmt"
	"slices"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/conveyor-paas/conveyor/evaluation/kube"
	"github.com/conveyor-paas/conveyor/manifest"
	"github.com/conveyor-paas/conveyor/naming"
)

// Desired is what an environment should run: its modules' workloads as the program renders
// them, and the databases, topics and subscriptions the catalog gives each module.
type Desired struct {
	Environment string
	// Local is true for an environment on a local cluster: its databases and topics are
	// made by setup Jobs in PlatformNamespace.
	Local             bool
	PlatformNamespace string
	Modules           []DesiredModule
	// Platform are the local cluster's own services.
	Platform []Workload
	// Asleep: the program renders the environment asleep (conveyor:asleep).
	Asleep bool
}

// DesiredModule is one module of the catalog in the environment.
type DesiredModule struct {
	Name, Space, Namespace string
	// Database is the database's name, "" when the module has none.
	Database      string
	Topics        []string
	Subscriptions []string
	Workloads     []Workload
}

// Workload is one rendered Deployment, StatefulSet, Job or CronJob.
type Workload struct {
	Module, Component string
	// Kind is the component's kind in the catalog (api, handler, cron, job), or for the
	// platform's services the object's kind in lower case.
	Kind string
	// Object is the Kubernetes kind: Deployment, StatefulSet, Job or CronJob.
	Object          string
	Namespace, Name string
	// Container is the container that runs the component, and Image its image.
	Container, Image string
	// Selector selects the component's pods.
	Selector map[string]string
	// Schedule is a CronJob's schedule.
	Schedule string
	// Service and Port are an api's Service, which its Endpoint is.
	Service string
	Port    int
	// Asleep: the program renders it not to run, a Deployment at zero replicas or a
	// suspended CronJob; a manifest cannot ask for either (replicas are at least 1), so only
	// an asleep environment does (components.Environment.Asleep).
	Asleep bool
}

// Namespaces lists every namespace the desired state lives in, sorted.
func (d *Desired) Namespaces() []string {
	var out []string
	for _, m := range d.Modules {
		out = append(out, m.Namespace)
	}
	if d.Local {
		out = append(out, d.PlatformNamespace)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// setupComponents are the Jobs that create a module's database and events on a local
// cluster: the evidence that they exist, not components of the module.
var setupComponents = []string{naming.DatabaseSetupComponent, naming.TopicsSetupComponent, naming.SubscriptionsSetupComponent}

// NewDesired builds the desired state of env from its catalog and the objects the program
// renders for it (stacks.Evaluate, then kube.Objects).
func NewDesired(env string, local bool, cat *manifest.Catalog, objects []kube.Object) (*Desired, error) {
	d := &Desired{Environment: env, Local: local, PlatformNamespace: naming.PlatformNamespace(env)}
	byModule := map[string][]Workload{}
	services := map[string]corev1.Service{}
	for _, o := range objects {
		if o.Kind() == "Service" {
			var svc corev1.Service
			if err := fromObject(o, &svc); err != nil {
				return nil, err
			}
			services[o.Namespace()+"/"+o.Name()] = svc
		}
	}
	for _, o := range objects {
		w, ok, err := workload(o)
		if err != nil {
			return nil, err
		}
		if !ok || slices.Contains(setupComponents, w.Component) {
			continue
		}
		if m := cat.Module(w.Module); m != nil {
			if c := m.Components[w.Component]; c != nil {
				w.Kind = c.Kind
			}
			// An api's endpoint is its Service, of the workload's name.
			if svc, ok := services[w.Namespace+"/"+w.Name]; ok && w.Kind == manifest.KindAPI && len(svc.Spec.Ports) > 0 {
				w.Service, w.Port = svc.Name, int(svc.Spec.Ports[0].Port)
			}
			byModule[w.Module] = append(byModule[w.Module], w)
			d.Asleep = d.Asleep || w.Asleep
			continue
		}
		w.Kind = strings.ToLower(w.Object)
		d.Platform = append(d.Platform, w)
	}
	for _, m := range cat.Modules {
		dm := DesiredModule{Name: m.Name, Space: m.Space, Namespace: naming.Namespace(env, m.Space), Workloads: byModule[m.Name]}
		if m.HasDatabase() {
			dm.Database = naming.Database(env, m.Name)
		}
		for _, event := range m.Publishes {
			dm.Topics = append(dm.Topics, naming.Topic(env, m.Space, m.Name, event))
		}
		for _, ref := range m.ConsumedEvents() {
			fromSpace := cat.Module(ref.Module).Space
			dm.Subscriptions = append(dm.Subscriptions, naming.Subscription(env, m.Space, m.Name, fromSpace, ref.Module, ref.Event))
		}
		slices.SortFunc(dm.Workloads, func(a, b Workload) int { return strings.Compare(a.Component, b.Component) })
		d.Modules = append(d.Modules, dm)
	}
	return d, nil
}

// workload reads a rendered workload object; ok is false for other kinds.
func workload(o kube.Object) (Workload, bool, error) {
	var template corev1.PodTemplateSpec
	w := Workload{Object: o.Kind(), Namespace: o.Namespace(), Name: o.Name()}
	switch o.Kind() {
	case "Deployment":
		var d appsv1.Deployment
		if err := fromObject(o, &d); err != nil {
			return w, false, err
		}
		template = d.Spec.Template
		w.Asleep = d.Spec.Replicas != nil && *d.Spec.Replicas == 0
	case "StatefulSet":
		var s appsv1.StatefulSet
		if err := fromObject(o, &s); err != nil {
			return w, false, err
		}
		template = s.Spec.Template
	case "Job":
		var j batchv1.Job
		if err := fromObject(o, &j); err != nil {
			return w, false, err
		}
		template = j.Spec.Template
	case "CronJob":
		var c batchv1.CronJob
		if err := fromObject(o, &c); err != nil {
			return w, false, err
		}
		template = c.Spec.JobTemplate.Spec.Template
		w.Schedule = c.Spec.Schedule
		w.Asleep = c.Spec.Suspend != nil && *c.Spec.Suspend
	default:
		return w, false, nil
	}
	scope := naming.ScopeFromKubernetesLabels(template.Labels)
	if scope.Module == "" || scope.Component == "" {
		return w, false, fmt.Errorf("%s %s/%s: its pods carry no %s and %s labels", o.Kind(), o.Namespace(), o.Name(), naming.LabelModule, naming.LabelConveyorCmp)
	}
	w.Module, w.Component = scope.Module, scope.Component
	w.Selector = naming.SelectorLabels(scope.Module, scope.Component)
	if c := container(template.Spec.Containers, scope.Component); c != nil {
		w.Container, w.Image = c.Name, c.Image
	}
	return w, true, nil
}

// container is the container named after the component, or the first one.
func container(containers []corev1.Container, name string) *corev1.Container {
	for i := range containers {
		if containers[i].Name == name {
			return &containers[i]
		}
	}
	if len(containers) > 0 {
		return &containers[0]
	}
	return nil
}

func fromObject(o kube.Object, into any) error {
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(map[string]any(o), into); err != nil {
		return fmt.Errorf("reading the rendered %s %s/%s: %w", o.Kind(), o.Namespace(), o.Name(), err)
	}
	return nil
}
