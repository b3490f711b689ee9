package components

import (
	"fmt"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	appsv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apps/v1"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/components/images"
	"github.com/conveyor-paas/conveyor/manifest"
	"github.com/conveyor-paas/conveyor/naming"
)

// The local cluster's stand-ins run the images of package images.
const (
	// postgresUser is the uid of the postgres user in the alpine image, who must own the
	// data directory.
	postgresUser = 70
	// localPostgresAdmin is the local server's superuser, which the image creates; the
	// setup jobs connect as it, as they connect to Cloud SQL as its admin.
	localPostgresAdmin = "postgres"
	emulatorPort       = 8085
	// LocalProject is the project id topics live under in the emulator.
	LocalProject = "conveyor-local"
)

// localServices creates, for one environment on a local cluster, what Cloud SQL and Pub/Sub
// provide elsewhere: a PostgreSQL StatefulSet and the Pub/Sub emulator, in the environment's
// platform namespace, reachable only from the environment's own namespaces.
func localServices(ctx *pulumi.Context, parent pulumi.Resource, env Environment, provider *kubernetes.Provider) (*LocalServices, *Platform, error) {
	opts := []pulumi.ResourceOption{pulumi.Parent(parent), pulumi.Provider(provider)}
	// In: from the environment's namespaces. Out: to each other (the setup jobs to the
	// services) and to DNS.
	ns, err := newPlatformNamespace(ctx, env, nil, []networkPolicy{defaultDeny(), allowFromEnvironment(env.Name), sameNamespace(), allowDNS()}, opts)
	if err != nil {
		return nil, nil, err
	}
	postgres, err := localPostgres(ctx, parent, ns.name, ns.ns, ns.scope, ns.in)
	if err != nil {
		return nil, nil, err
	}
	emulator, err := localEmulator(ctx, ns.name, ns.ns, ns.scope, ns.in)
	if err != nil {
		return nil, nil, err
	}
	local, platform := localByName(ns.name)
	local.EmulatorReady = append(append([]pulumi.Resource{}, ns.ready...), emulator)
	platform.Ready = append(append([]pulumi.Resource{}, ns.ready...), postgres)
	return local, platform, nil
}

// localByName are the stand-ins and the platform that localServices runs in the platform
// namespace ns, known by their names alone, with nothing to wait for: what a module stack,
// whose base runs them, uses of them.
func localByName(ns string) (*LocalServices, *Platform) {
	local := &LocalServices{
		PostgresHost:       naming.ServiceHost(naming.LocalPostgres(), ns),
		PubSubEmulatorHost: fmt.Sprintf("%s:%d", naming.ServiceHost(naming.LocalPubSubEmulator(), ns), emulatorPort),
	}
	return local, &Platform{Namespace: ns, AdminUser: localPostgresAdmin, AdminSecret: naming.LocalPostgresAdminSecret()}
}

// platformQuota bounds the platform namespace: the two stand-ins and every module's setup
// jobs, which run one at a time per module.
var platformQuota = manifest.Quota{CPU: "8", Memory: "8Gi", Pods: 40}

// platformResources are what the local stand-ins request and may use.
var platformResources = &manifest.Resources{
	Requests: &manifest.ResourceList{CPU: "100m", Memory: "256Mi"},
	Limits:   &manifest.ResourceList{CPU: "1", Memory: "1Gi"},
}

// localPostgres runs the environment's PostgreSQL: a StatefulSet with a volume, a Service,
// and a superuser password that exists only as a Pulumi secret and a Kubernetes Secret.
func localPostgres(ctx *pulumi.Context, parent pulumi.Resource, nsName string, ns pulumi.StringOutput, scope naming.Scope, opts []pulumi.ResourceOption) (pulumi.Resource, error) {
	scope.Component = naming.LocalPostgresComponent
	password, err := random.NewRandomPassword(ctx, nsName+"-postgres-admin", &random.RandomPasswordArgs{
		Length: pulumi.Int(passwordLength), Special: pulumi.Bool(false),
	}, pulumi.Parent(parent))
	if err != nil {
		return nil, fmt.Errorf("postgres admin password: %w", err)
	}
	secret, err := corev1.NewSecret(ctx, nsName+"/"+naming.LocalPostgresAdminSecret(), &corev1.SecretArgs{
		Metadata:   objectMeta(naming.LocalPostgresAdminSecret(), ns, scope),
		Type:       pulumi.String("Opaque"),
		StringData: pulumi.StringMap{SecretKeyPassword: password.Result},
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("postgres admin secret: %w", err)
	}
	pod := podSpec{
		scope:          scope,
		image:          images.LocalPostgres,
		port:           postgresPort,
		portName:       naming.LocalPostgresComponent,
		resources:      platformResources,
		serviceAccount: "default",
		user:           postgresUser,
		mounts: []mount{
			{name: "data", path: "/var/lib/postgresql/data", claim: true},
			{name: "run", path: "/var/run/postgresql"},
		},
		probe: &corev1.ProbeArgs{
			Exec:          &corev1.ExecActionArgs{Command: pulumi.ToStringArray([]string{"pg_isready", "-U", "postgres"})},
			PeriodSeconds: pulumi.Int(5),
		},
		env: corev1.EnvVarArray{
			corev1.EnvVarArgs{Name: pulumi.String("PGDATA"), Value: pulumi.String("/var/lib/postgresql/data/pgdata")},
			corev1.EnvVarArgs{Name: pulumi.String("POSTGRES_PASSWORD"), ValueFrom: &corev1.EnvVarSourceArgs{
				SecretKeyRef: &corev1.SecretKeySelectorArgs{Name: pulumi.String(naming.LocalPostgresAdminSecret()), Key: pulumi.String(SecretKeyPassword)},
			}},
		},
	}
	selector := pulumi.ToStringMap(naming.SelectorLabels(scope.Module, scope.Component))
	if err := newPlatformService(ctx, nsName, naming.LocalPostgres(), naming.LocalPostgresComponent, postgresPort, ns, scope, opts); err != nil {
		return nil, err
	}
	set, err := appsv1.NewStatefulSet(ctx, nsName+"/"+naming.LocalPostgres(), &appsv1.StatefulSetArgs{
		Metadata: objectMeta(naming.LocalPostgres(), ns, scope),
		Spec: &appsv1.StatefulSetSpecArgs{
			ServiceName: pulumi.String(naming.LocalPostgres()),
			Replicas:    pulumi.Int(1),
			Selector:    &metav1.LabelSelectorArgs{MatchLabels: selector},
			Template:    pod.template(),
			VolumeClaimTemplates: corev1.PersistentVolumeClaimTypeArray{corev1.PersistentVolumeClaimTypeArgs{
				Metadata: &metav1.ObjectMetaArgs{Name: pulumi.String("data"), Labels: pulumi.ToStringMap(naming.KubernetesLabels(scope))},
				Spec: &corev1.PersistentVolumeClaimSpecArgs{
					AccessModes: pulumi.StringArray{pulumi.String("ReadWriteOnce")},
					Resources:   &corev1.VolumeResourceRequirementsArgs{Requests: pulumi.StringMap{"storage": pulumi.String("1Gi")}},
				},
			}},
		},
	}, append(opts, pulumi.DependsOn([]pulumi.Resource{secret}))...)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return set, nil
}

// localEmulator runs the Google Cloud Pub/Sub emulator.
func localEmulator(ctx *pulumi.Context, nsName string, ns pulumi.StringOutput, scope naming.Scope, opts []pulumi.ResourceOption) (pulumi.Resource, error) {
	scope.Component = naming.LocalEmulatorComponent
	pod := podSpec{
		scope:   scope,
		image:   images.LocalEmulator,
		command: []string{"gcloud", "beta", "emulators", "pubsub", "start", fmt.Sprintf("--host-port=0.0.0.0:%d", emulatorPort), "--project=" + LocalProject},
		port:    emulatorPort,
		// The emulator answers "Ok" on its root path once it serves.
		probes:         &manifest.Probes{Readiness: "/", Liveness: "/"},
		resources:      platformResources,
		serviceAccount: "default",
		env: corev1.EnvVarArray{
			// gcloud writes its configuration under HOME; only /tmp is writable.
			corev1.EnvVarArgs{Name: pulumi.String("HOME"), Value: pulumi.String("/tmp")},
			corev1.EnvVarArgs{Name: pulumi.String("CLOUDSDK_CONFIG"), Value: pulumi.String("/tmp/gcloud")},
		},
	}
	if err := newPlatformService(ctx, nsName, naming.LocalPubSubEmulator(), portName, emulatorPort, ns, scope, opts); err != nil {
		return nil, err
	}
	deployment, err := appsv1.NewDeployment(ctx, nsName+"/"+naming.LocalPubSubEmulator(), &appsv1.DeploymentArgs{
		Metadata: objectMeta(naming.LocalPubSubEmulator(), ns, scope),
		Spec: &appsv1.DeploymentSpecArgs{
			Replicas: pulumi.Int(1),
			Selector: &metav1.LabelSelectorArgs{MatchLabels: pulumi.ToStringMap(naming.SelectorLabels(scope.Module, scope.Component))},
			Template: pod.template(),
		},
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("pub/sub emulator: %w", err)
	}
	if err := newDisruptionBudget(ctx, nsName+"/"+naming.LocalPubSubEmulator(), naming.LocalPubSubEmulator(), ns, scope, opts); err != nil {
		return nil, fmt.Errorf("pub/sub emulator: %w", err)
	}
	return deployment, nil
}

// newPlatformService makes the Service of a stand-in, name, on its port.
func newPlatformService(ctx *pulumi.Context, nsName, name, port string, number int, ns pulumi.StringOutput, scope naming.Scope, opts []pulumi.ResourceOption) error {
	_, err := corev1.NewService(ctx, nsName+"/"+name, &corev1.ServiceArgs{
		Metadata: objectMeta(name, ns, scope),
		Spec: &corev1.ServiceSpecArgs{
			Type:     pulumi.String("ClusterIP"),
			Selector: pulumi.ToStringMap(naming.SelectorLabels(scope.Module, scope.Component)),
			Ports: corev1.ServicePortArray{corev1.ServicePortArgs{
				Name: pulumi.String(port), Port: pulumi.Int(number), TargetPort: pulumi.String(port), Protocol: pulumi.String("TCP"),
			}},
		},
	}, opts...)
	if err != nil {
		return fmt.Errorf("service %s: %w", name, err)
	}
	return nil
}

// LocalModuleTarget is where a module stack of a local environment (naming.ModuleStack)
// deploys: the same cluster, reached through provider, and the stand-ins and platform
// namespace its environment's base runs (localServices), known by their names alone. Nothing
// it lists to wait for: the base is updated before the module stacks, so everything is in
// place.
func LocalModuleTarget(env Environment, provider *kubernetes.Provider, mesh MeshArgs) *Target {
	local, platform := localByName(naming.PlatformNamespace(env.Name))
	return &Target{
		Kubernetes:    provider,
		Project:       pulumi.String(LocalProject),
		ProjectNumber: pulumi.String(""),
		SQLInstance:   pulumi.String(""),
		SQLHost:       pulumi.String(local.PostgresHost),
		Local:         local,
		Platform:      platform,
		Mesh:          &Mesh{Mode: mesh.mode(), Origin: mesh.Origin, TrustDomain: pulumi.String(naming.MeshLocalTrustDomain), Unconfigured: mesh.Unconfigured},
	}
}

// LocalProvider is the Kubernetes provider of a local environment's stacks, for context
// ("" for the kubeconfig's current one). The base makes it under its Cluster component
// (newLocalCluster); a module stack at its root, under the same name and with the same
// inputs, so that the engine finds in either the provider its resources were made with.
func LocalProvider(ctx *pulumi.Context, kubeContext string, opts ...pulumi.ResourceOption) (*kubernetes.Provider, error) {
	providerArgs := &kubernetes.ProviderArgs{}
	if kubeContext != "" {
		providerArgs.Context = pulumi.String(kubeContext)
	}
	provider, err := kubernetes.NewProvider(ctx, "kubernetes", providerArgs, opts...)
	if err != nil {
		return nil, fmt.Errorf("kubernetes provider: %w", err)
	}
	return provider, nil
}
