package components

import (
	"fmt"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/serviceaccount"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/naming"
)

// identity gives the module a Kubernetes service account and, on GCP, a GCP service account
// the Kubernetes one acts as through workload identity. The GCP account gets no project
// role: only rights on the module's own topics and subscriptions (see events).
func (b *moduleBuilder) identity() error {
	spec, env := b.args.Spec, b.args.Environment.Name
	b.ksa = naming.KubernetesServiceAccount(spec.Name)
	meta := objectMeta(b.ksa, b.args.Namespace, b.scope())
	b.addEnv(naming.EnvProject, b.args.Target.Project)
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
	account, err := serviceaccount.NewAccount(b.ctx, naming.ServiceAccountID(env, spec.Name), &serviceaccount.AccountArgs{
		AccountId:   pulumi.String(naming.ServiceAccountID(env, spec.Name)),
		DisplayName: pulumi.String(naming.ServiceAccountDisplayName(env, spec.Space, spec.Name)),
		Description: pulumi.String(fmt.Sprintf("Workload identity of module %s in environment %s", spec.Name, env)),
		Project:     b.args.Target.Project,
	}, b.gcp()...)
	if err != nil {
		return fmt.Errorf("gcp service account: %w", err)
	}
	b.m.ServiceAccount = account.Email
	annotations := managedAnnotations()
	annotations["iam.gke.io/gcp-service-account"] = account.Email
	meta.Annotations = annotations
	if _, err := corev1.NewServiceAccount(b.ctx, b.ksa, &corev1.ServiceAccountArgs{
		Metadata:                     meta,
		AutomountServiceAccountToken: pulumi.Bool(false),
	}, b.k8s()...); err != nil {
		return fmt.Errorf("kubernetes service account: %w", err)
	}
	member := pulumi.Sprintf("serviceAccount:%s.svc.id.goog[%s/%s]", b.args.Target.Project, b.args.Namespace, b.ksa)
	if _, err := serviceaccount.NewIAMMember(b.ctx, naming.ServiceAccountID(env, spec.Name)+"-workload-identity", &serviceaccount.IAMMemberArgs{
		ServiceAccountId: account.Name,
		Role:             pulumi.String("roles/iam.workloadIdentityUser"),
		Member:           member,
	}, b.gcp()...); err != nil {
		return fmt.Errorf("workload identity binding: %w", err)
	}
	return nil
}
