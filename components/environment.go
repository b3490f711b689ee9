package components

import (
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Environment is what every component knows about the environment it deploys into.
type Environment struct {
	// Name is the environment (the stack): dev, staging, prod, local, pr-123...
	Name string
	// Production protects data (deletion protection, retained databases).
	Production bool
	// AdHoc environments are cheap: one replica, no autoscaling, smaller quotas.
	AdHoc bool
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
	// SQLHost is the address components connect to for PostgreSQL.
	SQLHost pulumi.StringInput
	// Local is set on a local cluster.
	Local *LocalServices
	// Mesh is the cluster's service mesh (nil or MeshOff: none).
	Mesh *Mesh
}

// LocalServices are the stand-ins a local cluster runs for Cloud SQL and Pub/Sub.
type LocalServices struct {
	// Namespace is the environment's platform namespace, where they run.
	Namespace string
	// PostgresHost is the in-cluster address of the environment's PostgreSQL.
	PostgresHost string
	// AdminSecret is the Secret in Namespace whose "password" key is the superuser's.
	AdminSecret string
	// PubSubEmulatorHost is host:port of the emulator (PUBSUB_EMULATOR_HOST).
	PubSubEmulatorHost string
	// Ready is what a module's setup jobs wait for (the database and the emulator).
	Ready []pulumi.Resource
}

// IsLocal says whether the target is a local cluster.
func (t *Target) IsLocal() bool { return t.Local != nil }
