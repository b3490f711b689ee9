package naming

import "fmt"

// Kubernetes limits: names of namespaces, services and most workloads are DNS-1123 labels
// (63 characters); a CronJob's name is limited to 52 because the controller appends an
// 11-character suffix to name the Jobs it creates.
const (
	MaxKubernetesName = 63
	MaxCronJobName    = 52
)

// ManagedBy is the value of app.kubernetes.io/managed-by and of the GCP label managed-by.
const ManagedBy = "conveyor"

// ReservedSpace is the space name Conveyor keeps for its own per-environment namespace (the
// local PostgreSQL and Pub/Sub emulator live there), so no team may take it.
const ReservedSpace = "conveyor"

// Namespace is the namespace of a space in an environment: "<env>-<space>".
func Namespace(env, space string) string {
	return Fit(env+"-"+space, MaxKubernetesName, '-')
}

// PlatformNamespace is the namespace of Conveyor's own services in an environment.
func PlatformNamespace(env string) string {
	return Namespace(env, ReservedSpace)
}

// Workload names the Deployment, Job, Service, autoscaler and disruption budget of a
// component: "<module>-<component>". It is unique within a namespace because module names are
// unique in a catalog and contain no dash.
func Workload(module, component string) string {
	return Fit(module+"-"+component, MaxKubernetesName, '-')
}

// CronJob names the CronJob of a component; like Workload but fitted to 52 characters.
func CronJob(module, component string) string {
	return Fit(module+"-"+component, MaxCronJobName, '-')
}

// KubernetesServiceAccount names a module's Kubernetes service account: "<module>".
func KubernetesServiceAccount(module string) string {
	return Fit(module, MaxKubernetesName, '-')
}

// DatabaseSecret names the Secret holding a module's database credentials.
func DatabaseSecret(module string) string {
	return Fit(module+"-database", MaxKubernetesName, '-')
}

// TeamRoleBinding names the RoleBinding that gives a space's team its role (TeamRole).
func TeamRoleBinding(space string) string {
	return Fit(space+"-team", MaxKubernetesName, '-')
}

// NetworkPolicy names one of a space's network policies ("default-deny", "allow-space", ...).
func NetworkPolicy(purpose string) string {
	return Fit(purpose, MaxKubernetesName, '-')
}

// Scope is the set of facts a resource is named from and labelled with. Fields that do not
// apply to a resource stay empty: a namespace has no module, a service account no component.
type Scope struct {
	Environment string
	Space       string
	Module      string
	Component   string
	// Event is the event a topic carries, or a subscription reads.
	Event string
	// FromSpace and FromModule name the producer of the topic a subscription reads.
	FromSpace  string
	FromModule string
}

// Kubernetes label keys.
const (
	LabelName        = "app.kubernetes.io/name"
	LabelComponent   = "app.kubernetes.io/component"
	LabelPartOf      = "app.kubernetes.io/part-of"
	LabelManagedBy   = "app.kubernetes.io/managed-by"
	LabelEnvironment = "conveyor.io/environment"
	LabelSpace       = "conveyor.io/space"
	LabelModule      = "conveyor.io/module"
	LabelConveyorCmp = "conveyor.io/component"
)

// KubernetesLabels are the labels every Kubernetes object of the scope carries.
func KubernetesLabels(s Scope) map[string]string {
	return labelSet(LabelManagedBy, MaxKubernetesName,
		LabelEnvironment, s.Environment,
		LabelSpace, s.Space,
		LabelPartOf, s.Space,
		LabelModule, s.Module,
		LabelName, s.Module,
		LabelConveyorCmp, s.Component,
		LabelComponent, s.Component,
	)
}

// SelectorLabels are the labels a component's selectors match. They are a stable subset of
// KubernetesLabels: a Deployment's selector is immutable, so it must not include anything
// that could change over the component's life.
func SelectorLabels(module, component string) map[string]string {
	return map[string]string{LabelModule: module, LabelConveyorCmp: component}
}

// ScopeFromKubernetesLabels reads a scope back from an object's labels.
func ScopeFromKubernetesLabels(labels map[string]string) Scope {
	return Scope{
		Environment: labels[LabelEnvironment],
		Space:       labels[LabelSpace],
		Module:      labels[LabelModule],
		Component:   labels[LabelConveyorCmp],
	}
}

// On a local cluster, Jobs in the environment's platform namespace set up what Cloud SQL and
// Pub/Sub would provide. Each is a component of the module it sets up, so its name and labels
// follow the convention of every workload.
const (
	DatabaseSetupComponent      = "database-setup"
	TopicsSetupComponent        = "topics-setup"
	SubscriptionsSetupComponent = "subscriptions-setup"
	// DatabaseSeedComponent is the CronJob, in a seed source's platform namespace (dev's),
	// that keeps a seeded module's masked template (issue 29).
	DatabaseSeedComponent = "database-seed"
)

// DatabaseSetupJob names the Job that creates a module's database and user on a local cluster.
func DatabaseSetupJob(module string) string { return Workload(module, DatabaseSetupComponent) }

// SetupJob names the Job of one of the setup components above.
func SetupJob(module, component string) string { return Workload(module, component) }

// Names of every space's namespace-wide objects.
const (
	ResourceQuota = "quota"
	LimitRange    = "limits"
)

// The purposes of the network policies of a space and of the platform namespace.
const (
	PolicyDefaultDeny      = "default-deny"
	PolicyAllowSameSpace   = "allow-same-space"
	PolicyAllowFromSpaces  = "allow-from-spaces"
	PolicyAllowEnvironment = "allow-environment"
)

// The services a local cluster runs in each environment's platform namespace, in place of
// Cloud SQL and Pub/Sub, are components of the platform's own module (named like the reserved
// space), so their names follow the convention of every workload: "conveyor-postgres".
const (
	LocalPostgresComponent = "postgres"
	LocalEmulatorComponent = "pubsub-emulator"
)

// LocalPostgres names the local PostgreSQL's StatefulSet and Service.
func LocalPostgres() string { return Workload(ReservedSpace, LocalPostgresComponent) }

// LocalPubSubEmulator names the local Pub/Sub emulator's Deployment and Service.
func LocalPubSubEmulator() string { return Workload(ReservedSpace, LocalEmulatorComponent) }

// LocalPostgresAdminSecret names the Secret of the local PostgreSQL's superuser password.
func LocalPostgresAdminSecret() string { return Workload(ReservedSpace, "postgres-admin") }

// ServiceHost is the in-cluster DNS name of a Service: "<service>.<namespace>.svc.cluster.local".
func ServiceHost(service, namespace string) string {
	return service + "." + namespace + ".svc.cluster.local"
}

// ServiceURL is the in-cluster HTTP endpoint of a Service's port, as an api's endpoint is
// published: "http://<service>.<namespace>.svc.cluster.local:<port>".
func ServiceURL(service, namespace string, port int) string {
	return fmt.Sprintf("http://%s:%d", ServiceHost(service, namespace), port)
}
