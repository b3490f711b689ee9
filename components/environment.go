package components

import (
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/naming"
)

// Environment is what every component knows about the environment it deploys into.
type Environment struct {
	// Name is the environment (the stack): dev, staging, prod, local, pr-123...
	Name string
	// Production protects data (deletion protection, retained databases).
	Production bool
	// AdHoc environments are cheap: one replica, no autoscaling, smaller quotas.
	AdHoc bool
	// Asleep runs none of the environment's module pods (conveyor:asleep): Deployments at zero
	// replicas without autoscalers, CronJobs suspended. Every other object stays, so waking is
	// the program again with Asleep off. Never set on production (stacks.LoadConfig refuses it).
	Asleep bool
	// AllowedRegistries are where its images may come from: its cluster's
	// conveyor:allowedRegistries, written on each of its namespaces for the policy pack.
	AllowedRegistries []string
}

// namespaceAnnotations are the annotations of every namespace of the environment.
func (e Environment) namespaceAnnotations() pulumi.StringMap {
	return namespaceAnnotations(e.AllowedRegistries)
}

// namespaceAnnotations are every namespace's annotations: the field manager's, and where its
// images may come from (CONV-IMG-002 reads it), for an environment's namespaces and a cluster
// stack's own alike.
func namespaceAnnotations(allowedRegistries []string) pulumi.StringMap {
	a := managedAnnotations()
	a[naming.AllowedRegistriesAnnotation] = pulumi.String(naming.JoinRegistries(allowedRegistries))
	return a
}

// TeamAccess is what the teams may do in their spaces' namespaces: what the environment's
// name allows (naming.TeamAccessOf), and only view in any production environment.
func (e Environment) TeamAccess() naming.TeamAccess {
	if e.Production {
		return naming.TeamView
	}
	return naming.TeamAccessOf(e.Name)
}

// Target is where an environment's resources go: the providers of the cluster it runs on and
// the services the cluster shares. On GCP it is read from the cluster stack's outputs; for a
// local cluster, NewCluster in local mode provides it.
type Target struct {
	Kubernetes *kubernetes.Provider
	// GCP is the provider for GCP resources; nil on a local cluster, where databases and
	// topics live in the cluster itself.
	GCP *gcp.Provider
	// Project is the GCP project, or the Pub/Sub emulator's project on a local cluster.
	Project pulumi.StringInput
	// ProjectNumber names the Pub/Sub service agent, which needs rights on dead-letter
	// topics and on subscriptions to forward undeliverable messages.
	ProjectNumber pulumi.StringInput
	// SQLInstance is the name of the Cloud SQL instance the environments share.
	SQLInstance pulumi.StringInput
	// SQLHost is the address of the environment's database server: Cloud SQL's private
	// address on GKE (where pods connect through the proxy on loopback, and only the network
	// policies name it), the environment's PostgreSQL on a local cluster.
	SQLHost pulumi.StringInput
	// SQLConnectionName is the environment's Cloud SQL instance as the Cloud SQL Auth Proxy
	// names it ("project:region:instance"); required on GKE, nil on a local cluster.
	SQLConnectionName pulumi.StringInput
	// Platform is the environment's platform namespace, where the jobs that set up its
	// databases run. On GCP, NewPlatform creates it; on a local cluster, NewCluster.
	Platform *Platform
	// Local is set on a local cluster.
	Local *LocalServices
	// Mesh is the cluster's service mesh (nil or MeshOff: none).
	Mesh *Mesh
	// Deployer is the ad-hoc tier's deployer (naming.TierDeployer) for an ad-hoc environment
	// on a shared cluster, which binds it its rights in each of the environment's namespaces
	// (namespaceWall.bindDeployer); nil otherwise.
	Deployer pulumi.StringInput
	// AdHoc is where an ad-hoc environment on GKE makes its GCP resources (adhoc_gcp.go); nil
	// otherwise, where they are in Project.
	AdHoc *AdHocGCP
}

// Platform is an environment's own namespace for what the platform runs there, which no team
// owns: the jobs that set up and tear down the environment's databases as the database
// server's admin, and on a local cluster the stand-ins for Cloud SQL and Pub/Sub.
type Platform struct {
	// Namespace is the environment's platform namespace.
	Namespace string
	// AdminUser is the database server's admin role, which the setup jobs connect as.
	AdminUser string
	// AdminSecret is the Secret in Namespace whose "password" key is the admin's password.
	AdminSecret string
	// ServiceAccount is the Kubernetes service account the database jobs run as: on GKE the
	// platform's workload identity, which the proxy connects as; "" runs them as "default".
	ServiceAccount string
	// SQLProxy is what the jobs' proxy serves (Target.SQLProxy), nil on a local cluster.
	SQLProxy *SQLProxy
	// Ready is what the database jobs wait for: the namespace and its network policies, the
	// admin's Secret, and on a local cluster the PostgreSQL server.
	Ready []pulumi.Resource
}

// LocalServices are the stand-ins a local cluster runs for Cloud SQL and Pub/Sub.
type LocalServices struct {
	// PostgresHost is the in-cluster address of the environment's PostgreSQL.
	PostgresHost string
	// PubSubEmulatorHost is host:port of the emulator (PUBSUB_EMULATOR_HOST).
	PubSubEmulatorHost string
	// EmulatorReady is what a module's topic and subscription jobs wait for.
	EmulatorReady []pulumi.Resource
}

// IsLocal says whether the target is a local cluster.
func (t *Target) IsLocal() bool { return t.Local != nil }
