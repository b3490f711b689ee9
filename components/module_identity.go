package components

import (
	"fmt"

	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/naming"
)

// identity gives the module a Kubernetes service account and, on GCP, a GCP service account
// the Kubernetes one acts as through workload identity. The GCP account gets no project-wide
// role: rights on the module's own topics and subscriptions (see events), and the Cloud SQL
// client role on its environment's instance only (databaseAccess).
func (b *moduleBuilder) identity() error {
	spec, env := b.args.Spec, b.args.Environment.Name
	b.ksa = naming.KubernetesServiceAccount(spec.Name)
	meta := objectMeta(b.ksa, b.args.Namespace, b.scope())
	// The module's topics and subscriptions are in its environment's resource project.
	b.addEnv(naming.EnvProject, b.args.Target.resourceProject())
	if b.args.Target.IsLocal() {
		b.m.ServiceAccount = pulumi.String("").ToStringOutput()
		_, err := corev1.NewServiceAccount(b.ctx, b.ksa, &corev1.ServiceAccountArgs{
			Metadata:                     meta,
			AutomountServiceAccountToken: pulumi.Bool(false),
		}, b.k8s()...)
		if err != nil {
			return fmt.Errorf("kubernetes service account: %w", err)
		}
		return nil
	}
	account, _, err := newWorkloadIdentity(b.ctx, workloadIdentity{
		id:          naming.ServiceAccountID(env, spec.Name),
		displayName: naming.ServiceAccountDisplayName(env, spec.Space, spec.Name),
		description: fmt.Sprintf("Workload identity of module %s in environment %s", spec.Name, env),
		home:        b.args.Target.gcpHome(),
		ksa:         b.ksa, logical: b.ksa, namespace: b.args.Namespace, meta: meta,
	}, b.gcp(), b.k8s())
	if err != nil {
		return err
	}
	b.m.ServiceAccount = account.Email
	return nil
}
