package components

import (
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/manifest"
	"github.com/conveyor-paas/conveyor/naming"
)

// runAsUser is the user every container runs as. Fixing it (rather than trusting the image's
// USER) makes runAsNonRoot hold for images built to run as root, like busybox.
const runAsUser = 10001

// podSpec is what a component's pods are built from.
type podSpec struct {
	scope          naming.Scope
	image          string
	command        []string
	args           []string
	port           int // 0 for components that serve nothing
	portName       string
	probes         *manifest.Probes
	resources      *manifest.Resources
	env            corev1.EnvVarArrayInput
	serviceAccount string
	restartPolicy  string // "" keeps the default (Always); jobs use Never
	// spread asks the scheduler to spread replicas across zones.
	spread bool
	// user overrides runAsUser, for images whose files belong to a particular user
	// (PostgreSQL's data directory must belong to the postgres user).
	user int
	// mounts are writable folders besides /tmp: an emptyDir, or a claim of a StatefulSet's
	// volumeClaimTemplates when claim is set.
	mounts []mount
	// probe replaces the HTTP probes, for servers that speak something else.
	probe *corev1.ProbeArgs
	// annotations go on the pods (the service mesh reads its settings there).
	annotations map[string]string
	// secrets is the volume of the component's secrets, mounted read-only at
	// naming.SecretsDir (module_secrets.go).
	secrets *corev1.VolumeArgs
	// sqlProxy, when set, is the connection name of the Cloud SQL instance the pod reaches
	// through the Cloud SQL Auth Proxy, its native sidecar (sqlproxy.go).
	sqlProxy *SQLProxy
}

// mount is a writable folder of a pod.
type mount struct {
	name, path string
	claim      bool
}

// template builds a pod template that satisfies the Pod Security Standards' restricted
// profile: non-root, no privilege escalation, every capability dropped, RuntimeDefault
// seccomp, and a read-only root filesystem with a writable /tmp.
func (p podSpec) template() *corev1.PodTemplateSpecArgs {
	container := corev1.ContainerArgs{
		Name:            pulumi.String(p.scope.Component),
		Image:           pulumi.String(p.image),
		ImagePullPolicy: pulumi.String(pullPolicy(p.image)),
		Env:             p.env,
		Resources:       resources(p.resources),
		SecurityContext: restrictedContainer(),
	}
	volumes := corev1.VolumeArray{corev1.VolumeArgs{
		Name:     pulumi.String("tmp"),
		EmptyDir: &corev1.EmptyDirVolumeSourceArgs{SizeLimit: pulumi.String("256Mi")},
	}}
	mounts := corev1.VolumeMountArray{corev1.VolumeMountArgs{Name: pulumi.String("tmp"), MountPath: pulumi.String("/tmp")}}
	for _, m := range p.mounts {
		mounts = append(mounts, corev1.VolumeMountArgs{Name: pulumi.String(m.name), MountPath: pulumi.String(m.path)})
		if !m.claim {
			volumes = append(volumes, corev1.VolumeArgs{Name: pulumi.String(m.name), EmptyDir: &corev1.EmptyDirVolumeSourceArgs{}})
		}
	}
	if p.secrets != nil {
		volumes = append(volumes, *p.secrets)
		mounts = append(mounts, corev1.VolumeMountArgs{Name: p.secrets.Name, MountPath: pulumi.String(naming.SecretsDir), ReadOnly: pulumi.Bool(true)})
	}
	container.VolumeMounts = mounts
	if len(p.command) > 0 {
		container.Command = pulumi.ToStringArray(p.command)
	}
	if len(p.args) > 0 {
		container.Args = pulumi.ToStringArray(p.args)
	}
	if p.port != 0 {
		name := p.portName
		if name == "" {
			name = portName
		}
		container.Ports = corev1.ContainerPortArray{corev1.ContainerPortArgs{
			Name:          pulumi.String(name),
			ContainerPort: pulumi.Int(p.port),
			Protocol:      pulumi.String("TCP"),
		}}
	}
	switch {
	case p.probe != nil:
		container.ReadinessProbe = p.probe
		container.LivenessProbe = p.probe
	case p.probes != nil && p.port != 0:
		container.ReadinessProbe = httpProbe(p.probes.Readiness, 5)
		container.LivenessProbe = httpProbe(p.probes.Liveness, 15)
	}
	user := runAsUser
	if p.user != 0 {
		user = p.user
	}
	spec := &corev1.PodSpecArgs{
		ServiceAccountName: pulumi.String(p.serviceAccount),
		// Workloads reach GCP through workload identity (the metadata server), not through a
		// Kubernetes token, so none is mounted.
		AutomountServiceAccountToken: pulumi.Bool(false),
		SecurityContext: &corev1.PodSecurityContextArgs{
			RunAsNonRoot:   pulumi.Bool(true),
			RunAsUser:      pulumi.Int(user),
			RunAsGroup:     pulumi.Int(user),
			FsGroup:        pulumi.Int(user),
			SeccompProfile: &corev1.SeccompProfileArgs{Type: pulumi.String("RuntimeDefault")},
		},
		Containers: corev1.ContainerArray{container},
		Volumes:    volumes,
	}
	if p.sqlProxy != nil {
		spec.InitContainers = corev1.ContainerArray{sqlProxyContainer(p.sqlProxy)}
	}
	if p.restartPolicy != "" {
		spec.RestartPolicy = pulumi.String(p.restartPolicy)
	}
	if p.spread {
		spec.TopologySpreadConstraints = corev1.TopologySpreadConstraintArray{corev1.TopologySpreadConstraintArgs{
			MaxSkew:           pulumi.Int(1),
			TopologyKey:       pulumi.String("topology.kubernetes.io/zone"),
			WhenUnsatisfiable: pulumi.String("ScheduleAnyway"),
			LabelSelector:     &metav1.LabelSelectorArgs{MatchLabels: pulumi.ToStringMap(naming.SelectorLabels(p.scope.Module, p.scope.Component))},
		}}
	}
	return &corev1.PodTemplateSpecArgs{
		Metadata: &metav1.ObjectMetaArgs{Labels: pulumi.ToStringMap(naming.KubernetesLabels(p.scope)), Annotations: podAnnotations(p.annotations)},
		Spec:     spec,
	}
}

// portName is the name of the container port a component serves on; services and probes
// refer to it by name so the number lives in one place.
const portName = "http"

func httpProbe(path string, period int) *corev1.ProbeArgs {
	return &corev1.ProbeArgs{
		HttpGet:          &corev1.HTTPGetActionArgs{Path: pulumi.String(path), Port: pulumi.String(portName)},
		PeriodSeconds:    pulumi.Int(period),
		TimeoutSeconds:   pulumi.Int(2),
		FailureThreshold: pulumi.Int(3),
	}
}

func resources(r *manifest.Resources) *corev1.ResourceRequirementsArgs {
	list := func(l *manifest.ResourceList) pulumi.StringMap {
		return pulumi.StringMap{"cpu": pulumi.String(string(l.CPU)), "memory": pulumi.String(string(l.Memory))}
	}
	return &corev1.ResourceRequirementsArgs{Requests: list(r.Requests), Limits: list(r.Limits)}
}

// objectMeta names, labels and annotates an object of the scope in a namespace.
func objectMeta(name string, namespace pulumi.StringInput, scope naming.Scope) *metav1.ObjectMetaArgs {
	return &metav1.ObjectMetaArgs{
		Name:        pulumi.String(name),
		Namespace:   namespace,
		Labels:      pulumi.ToStringMap(naming.KubernetesLabels(scope)),
		Annotations: managedAnnotations(),
	}
}

// podAnnotations are a pod template's annotations; none is nil, so that an unmeshed pod's
// template stays as it was.
func podAnnotations(a map[string]string) pulumi.StringMapInput {
	if len(a) == 0 {
		return nil
	}
	return pulumi.ToStringMap(a)
}

// pullPolicy pulls a tag at every start, since it may have moved (CONV-IMG-003); a digest
// cannot change, so a node's copy serves.
func pullPolicy(image string) string {
	if naming.Pinned(image) {
		return "IfNotPresent"
	}
	return "Always"
}
