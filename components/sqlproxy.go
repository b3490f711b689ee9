package components

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/projects"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/components/images"
	"github.com/conveyor-paas/conveyor/manifest"
	"github.com/conveyor-paas/conveyor/naming"
)

// On GKE every connection to Cloud SQL goes through the Cloud SQL Auth Proxy, a native
// sidecar (an init container that keeps running) of the pod that connects: the application
// talks plain PostgreSQL to the proxy on the pod's loopback, and the proxy opens TLS to the
// instance with a client certificate it gets from the SQL Admin API for its workload identity,
// and verifies the server by the instance's own CA, which the same API hands it. verify-full
// against the private address is not possible (the server certificate names no IP), and
// sslmode=require verifies nothing, so the proxy is what verifies the server.
//
// The instance accepts only such connections (sslMode TRUSTED_CLIENT_CERTIFICATE_REQUIRED),
// and the namespaces reach it only on the proxy's port (cloudSQLProxyPort), so a pod without
// the proxy cannot connect at all; and only an identity granted roles/cloudsql.client on the
// instance (grantCloudSQLClient) gets a certificate.
const (
	// loopback is where the proxy listens and every client of Cloud SQL on GKE connects.
	loopback = "127.0.0.1"
	// cloudSQLProxyPort is where a Cloud SQL instance accepts the proxy's connections.
	cloudSQLProxyPort = 3307
	// sqlProxyHealthPort serves the proxy's /startup and /liveness checks to the kubelet.
	sqlProxyHealthPort = 9090
	// cloudSQLClientRole is the role that lets an identity connect through the proxy.
	cloudSQLClientRole = "roles/cloudsql.client"
)

// sqlProxyResources are the proxy's: it relays a pool's few connections and holds one
// certificate. Small, since every pod that connects runs one and counts it in its space's
// quota, halved in an ad-hoc environment.
var sqlProxyResources = &manifest.Resources{
	Requests: &manifest.ResourceList{CPU: "20m", Memory: "32Mi"},
	Limits:   &manifest.ResourceList{CPU: "100m", Memory: "128Mi"},
}

// sqlProxyContainer is the proxy for the instance of connectionName ("project:region:name"),
// on loopback at the PostgreSQL port. Its startup probe holds the pod's other containers until
// the proxy listens (a native sidecar's started state); on a Job it stops when the job's
// container ends, and leaves with code 0 so that the Job's outcome is the job's.
func sqlProxyContainer(proxy *SQLProxy) corev1.ContainerArgs {
	check := func(path string, failures int) *corev1.ProbeArgs {
		return &corev1.ProbeArgs{
			HttpGet:          &corev1.HTTPGetActionArgs{Path: pulumi.String(path), Port: pulumi.Int(sqlProxyHealthPort)},
			PeriodSeconds:    pulumi.Int(1),
			TimeoutSeconds:   pulumi.Int(2),
			FailureThreshold: pulumi.Int(failures),
		}
	}
	liveness := check("/liveness", 3)
	liveness.PeriodSeconds = pulumi.Int(10)
	args := pulumi.StringArray{
		pulumi.String("--private-ip"),
		pulumi.String("--address=" + loopback),
		pulumi.Sprintf("--port=%d", postgresPort),
		// The kubelet probes the pod's address, not its loopback.
		pulumi.String("--health-check"),
		pulumi.String("--http-address=0.0.0.0"),
		pulumi.Sprintf("--http-port=%d", sqlProxyHealthPort),
		pulumi.String("--exit-zero-on-sigterm"),
		pulumi.String("--structured-logs"),
	}
	if proxy.Impersonate != nil {
		args = append(args, pulumi.Sprintf("--impersonate-service-account=%s", proxy.Impersonate))
	}
	args = append(args, proxy.ConnectionName)
	return corev1.ContainerArgs{
		Name:            pulumi.String(naming.SQLProxyContainer),
		Image:           pulumi.String(images.CloudSQLProxy),
		ImagePullPolicy: pulumi.String(pullPolicy(images.CloudSQLProxy)),
		RestartPolicy:   pulumi.String("Always"),
		Args:            args,
		Resources:       resources(sqlProxyResources),
		StartupProbe:    check("/startup", 60),
		LivenessProbe:   liveness,
		SecurityContext: restrictedContainer(),
	}
}

// restrictedContainer is the security context of every container: the Pod Security
// Standards' restricted profile with a read-only root filesystem.
func restrictedContainer() *corev1.SecurityContextArgs {
	return &corev1.SecurityContextArgs{
		AllowPrivilegeEscalation: pulumi.Bool(false),
		ReadOnlyRootFilesystem:   pulumi.Bool(true),
		RunAsNonRoot:             pulumi.Bool(true),
		Capabilities:             &corev1.CapabilitiesArgs{Drop: pulumi.StringArray{pulumi.String("ALL")}},
		SeccompProfile:           &corev1.SeccompProfileArgs{Type: pulumi.String("RuntimeDefault")},
	}
}

// databaseHost is the address a client of the target's database server connects to: the
// proxy on loopback on GKE, the environment's own PostgreSQL on a local cluster.
func (t *Target) databaseHost() pulumi.StringInput {
	if t.IsLocal() {
		return t.SQLHost
	}
	return pulumi.String(loopback)
}

// SQLProxy is what a pod's Cloud SQL Auth Proxy serves: the instance of ConnectionName, as
// the pod's own workload identity or, when Impersonate is set, as that account (an ad-hoc
// environment's pods act as naming.AdHocSQLAccount, adhoc_gcp.go).
type SQLProxy struct {
	ConnectionName pulumi.StringInput
	Impersonate    pulumi.StringInput
}

// SQLProxy is what the target's pods' proxy serves, or nil on a local cluster, whose
// PostgreSQL runs in the cluster with no proxy.
func (t *Target) SQLProxy() *SQLProxy {
	if t.IsLocal() {
		return nil
	}
	p := &SQLProxy{ConnectionName: t.SQLConnectionName}
	if t.AdHoc != nil {
		p.Impersonate = t.AdHoc.SQLAccount
	}
	return p
}

// checkSQLConnection refuses a GKE target without its instance's connection name: without it
// no pod could reach its database, and connecting without the proxy is what it must not do.
func (t *Target) checkSQLConnection() error {
	if !t.IsLocal() && t.SQLConnectionName == nil {
		return fmt.Errorf("the target has no Cloud SQL connection name (the cluster stack's %s): every connection to Cloud SQL goes through the Cloud SQL Auth Proxy, which needs it",
			OutputSQLConnectionName)
	}
	return nil
}

// grantCloudSQLClient lets a service account connect through the proxy to the one instance of
// connectionName, and no other: roles/cloudsql.client is granted on the project (Cloud SQL has
// no per-instance policy) under a condition on the instance's resource name.
func grantCloudSQLClient(ctx *pulumi.Context, name string, project, connectionName pulumi.StringInput, email pulumi.StringOutput,
	opts ...pulumi.ResourceOption) (pulumi.Resource, error) {
	instance := connectionName.ToStringOutput().ApplyT(func(c string) (string, error) { return sqlInstanceResource(c) }).(pulumi.StringOutput)
	grant, err := projects.NewIAMMember(ctx, name+"-cloudsql-client", &projects.IAMMemberArgs{
		Project: project,
		Role:    pulumi.String(cloudSQLClientRole),
		Member:  pulumi.Sprintf("serviceAccount:%s", email),
		Condition: &projects.IAMMemberConditionArgs{
			Title:      pulumi.String("its Cloud SQL instance only"),
			Expression: instance.ApplyT(sqlInstanceCondition).(pulumi.StringOutput),
		},
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("cloud sql client grant of %s: %w", name, err)
	}
	return grant, nil
}

// sqlInstanceResource is the IAM resource name of the instance of a connection name:
// "acme:europe-west1:conveyor-nonprod-pg" is "projects/acme/instances/conveyor-nonprod-pg".
func sqlInstanceResource(connectionName string) (string, error) {
	parts := strings.Split(connectionName, ":")
	if len(parts) != 3 || parts[0] == "" || parts[2] == "" {
		return "", fmt.Errorf("the connection name %q of a Cloud SQL instance is not project:region:instance", connectionName)
	}
	return "projects/" + parts[0] + "/instances/" + parts[2], nil
}

// sqlInstanceCondition is the IAM condition that holds on one instance only.
func sqlInstanceCondition(resource string) string {
	return fmt.Sprintf(`resource.type == "sqladmin.googleapis.com/Instance" && resource.name == %q`, resource)
}

// sqlGrants let the account of an email connect through the proxy, and return the grants.
type sqlGrants func(email pulumi.StringOutput) ([]pulumi.Resource, error)

// cloudSQLClientGrants grant roles/cloudsql.client on each instance of connectionNames (by a
// name for its grant) in project, and on no other.
func cloudSQLClientGrants(ctx *pulumi.Context, project pulumi.StringInput, connectionNames map[string]pulumi.StringInput, opts ...pulumi.ResourceOption) sqlGrants {
	return func(email pulumi.StringOutput) ([]pulumi.Resource, error) {
		var grants []pulumi.Resource
		for _, name := range slices.Sorted(maps.Keys(connectionNames)) {
			grant, err := grantCloudSQLClient(ctx, name, project, connectionNames[name], email, opts...)
			if err != nil {
				return nil, err
			}
			grants = append(grants, grant)
		}
		return grants, nil
	}
}

// newDatabaseJobsIdentity gives the platform's database jobs of a stack (an environment's, in
// its platform namespace; a cluster stack's, in its own) their workload identity, made in
// home, which may connect through the proxy as grants allow and do nothing else. What it
// returns is what the jobs wait for: their Kubernetes service account and the grants.
func newDatabaseJobsIdentity(ctx *pulumi.Context, stack string, ns *platformNamespace, home gcpHome, grants sqlGrants,
	gcpOpts, k8sOpts []pulumi.ResourceOption) ([]pulumi.Resource, error) {
	id := naming.PlatformServiceAccountID(stack)
	account, ksa, err := newWorkloadIdentity(ctx, workloadIdentity{
		id:          id,
		displayName: naming.ServiceAccountDisplayName(stack, naming.ReservedSpace, naming.ReservedSpace),
		description: fmt.Sprintf("Workload identity of the database jobs of %s", stack),
		home:        home,
		ksa:         naming.PlatformKubernetesServiceAccount,
		logical:     ns.name + "/" + naming.PlatformKubernetesServiceAccount,
		namespace:   ns.ns,
		meta:        objectMeta(naming.PlatformKubernetesServiceAccount, ns.ns, ns.scope),
	}, gcpOpts, k8sOpts)
	if err != nil {
		return nil, fmt.Errorf("database jobs' identity: %w", err)
	}
	granted, err := grants(account.Email)
	if err != nil {
		return nil, err
	}
	return append([]pulumi.Resource{ksa}, granted...), nil
}
