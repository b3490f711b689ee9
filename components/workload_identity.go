package components

import (
	"fmt"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/serviceaccount"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// workloadIdentity is a GCP service account that a Kubernetes service account acts as
// (GKE's workload identity): a module's, or the platform's database jobs'.
type workloadIdentity struct {
	// id is the GCP account's id and the logical name of what is made for it.
	id, displayName, description string
	home                         gcpHome
	// ksa is the Kubernetes service account, made in namespace with meta and the logical
	// name logical.
	ksa, logical string
	namespace    pulumi.StringInput
	meta         *metav1.ObjectMetaArgs
}

// gcpHome is where a workload identity's GCP account is made (project), and the project of
// the cluster whose workload identity pool its Kubernetes service account belongs to (pool):
// the same but for an ad-hoc environment's (adhoc_gcp.go).
type gcpHome struct{ project, pool pulumi.StringInput }

// newWorkloadIdentity makes the GCP service account, the Kubernetes one annotated to act as
// it, and the binding that lets it. No token is mounted: pods reach GCP through the metadata
// server.
func newWorkloadIdentity(ctx *pulumi.Context, w workloadIdentity, gcpOpts, k8sOpts []pulumi.ResourceOption) (*serviceaccount.Account, *corev1.ServiceAccount, error) {
	account, err := serviceaccount.NewAccount(ctx, w.id, &serviceaccount.AccountArgs{
		AccountId:   pulumi.String(w.id),
		DisplayName: pulumi.String(w.displayName),
		Description: pulumi.String(w.description),
		Project:     w.home.project,
	}, gcpOpts...)
	if err != nil {
		return nil, nil, fmt.Errorf("gcp service account: %w", err)
	}
	annotations := managedAnnotations()
	annotations["iam.gke.io/gcp-service-account"] = account.Email
	meta := *w.meta
	meta.Annotations = annotations
	ksa, err := corev1.NewServiceAccount(ctx, w.logical, &corev1.ServiceAccountArgs{
		Metadata:                     &meta,
		AutomountServiceAccountToken: pulumi.Bool(false),
	}, k8sOpts...)
	if err != nil {
		return nil, nil, fmt.Errorf("kubernetes service account: %w", err)
	}
	member := pulumi.Sprintf("serviceAccount:%s.svc.id.goog[%s/%s]", w.home.pool, w.namespace, w.ksa)
	if _, err := serviceaccount.NewIAMMember(ctx, w.id+"-workload-identity", &serviceaccount.IAMMemberArgs{
		ServiceAccountId: account.Name,
		Role:             pulumi.String("roles/iam.workloadIdentityUser"),
		Member:           member,
	}, gcpOpts...); err != nil {
		return nil, nil, fmt.Errorf("workload identity binding: %w", err)
	}
	return account, ksa, nil
}
