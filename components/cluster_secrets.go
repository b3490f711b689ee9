package components

import (
	"fmt"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	helmv3 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/helm/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// A GKE cluster mounts its environments' Secret Manager secrets into pods with the Secrets
// Store CSI driver (kubernetes-sigs) and Google's Secret Manager provider for it, both from
// their official Helm charts at pinned versions. Not GKE's own Secret Manager add-on: a new
// version must reach running pods without a restart, and the add-on's rotation setting is
// not in the pinned pulumi-gcp (v7.38's ClusterSecretManagerConfig has only enabled). The
// driver re-reads every mounted secret each SecretsRotationInterval and rewrites the files
// whose version changed; it syncs nothing into Kubernetes Secrets, so a value exists only in
// Secret Manager and in the pods' in-memory volumes. The provider authenticates as the pod's
// own Kubernetes service account through workload identity, with a token the driver requests
// for the workload pool's audience: a pod reads exactly what its module's account may.

// Charts of the Secrets Store CSI driver and its Secret Manager provider.
const (
	SecretsStoreChartRepository = "https://kubernetes-sigs.github.io/secrets-store-csi-driver/charts"
	SecretsStoreChartVersion    = "1.4.6"
	SecretsStoreGCPRepository   = "https://googlecloudplatform.github.io/secrets-store-csi-driver-provider-gcp"
	SecretsStoreGCPVersion      = "1.7.0"
	// SecretsRotationInterval is how often the driver looks for a new version.
	SecretsRotationInterval = "2m"
	secretsStoreNamespace   = "kube-system"
)

// secretsStore installs the driver and the provider into the cluster, and the admission
// policy that keeps each module's Secrets to its own pods (module_secrets_admission.go).
func (g *gke) secretsStore(provider *kubernetes.Provider) error {
	if err := g.moduleSecretsWall(); err != nil {
		return err
	}
	driver, err := helmv3.NewRelease(g.ctx, "secrets-store-csi-driver", &helmv3.ReleaseArgs{
		Name:           pulumi.String("secrets-store-csi-driver"),
		Chart:          pulumi.String("secrets-store-csi-driver"),
		Version:        pulumi.String(SecretsStoreChartVersion),
		Namespace:      pulumi.String(secretsStoreNamespace),
		RepositoryOpts: &helmv3.RepositoryOptsArgs{Repo: pulumi.String(SecretsStoreChartRepository)},
		Values: pulumi.Map{
			"enableSecretRotation": pulumi.Bool(true),
			"rotationPollInterval": pulumi.String(SecretsRotationInterval),
			"syncSecret":           pulumi.Map{"enabled": pulumi.Bool(false)},
			"tokenRequests": pulumi.MapArray{pulumi.Map{
				"audience": pulumi.Sprintf("%s.svc.id.goog", g.args.Project),
			}},
		},
	}, pulumi.Parent(g.c), pulumi.Provider(provider))
	if err != nil {
		return fmt.Errorf("secrets store CSI driver: %w", err)
	}
	if _, err := helmv3.NewRelease(g.ctx, "secrets-store-csi-driver-provider-gcp", &helmv3.ReleaseArgs{
		Name:           pulumi.String("secrets-store-csi-driver-provider-gcp"),
		Chart:          pulumi.String("secrets-store-csi-driver-provider-gcp"),
		Version:        pulumi.String(SecretsStoreGCPVersion),
		Namespace:      pulumi.String(secretsStoreNamespace),
		RepositoryOpts: &helmv3.RepositoryOptsArgs{Repo: pulumi.String(SecretsStoreGCPRepository)},
	}, pulumi.Parent(g.c), pulumi.Provider(provider), pulumi.DependsOn([]pulumi.Resource{driver})); err != nil {
		return fmt.Errorf("secrets store provider for Secret Manager: %w", err)
	}
	return nil
}
