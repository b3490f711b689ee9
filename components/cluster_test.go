package components_test

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/components"
	"github.com/conveyor-paas/conveyor/components/dbsetup"
	"github.com/conveyor-paas/conveyor/components/offline"
)

func gkeCluster(t *testing.T, production bool) *offline.Recording {
	t.Helper()
	program := func(ctx *pulumi.Context) error {
		provider, err := gcp.NewProvider(ctx, "gcp", &gcp.ProviderArgs{Project: pulumi.String("acme-prod"), Region: pulumi.String("europe-west1")})
		if err != nil {
			return err
		}
		c, err := components.NewCluster(ctx, "prod", &components.ClusterArgs{
			Mode: components.ClusterGKE, Name: "prod", Production: production, GCP: provider,
			Project: "acme-prod", Region: "europe-west1", Network: components.DefaultNetworkRanges,
			NodePools: []components.NodePool{{Name: "general", MachineType: "e2-standard-4", Min: 1, Max: 5}},
		})
		if err != nil {
			return err
		}
		ctx.Export("kubeconfig", c.Kubeconfig)
		return nil
	}
	rec, err := offline.Run(program, offline.Options{Project: "conveyor", Stack: "cluster-prod"})
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func TestGKECluster(t *testing.T) {
	rec := gkeCluster(t, true)
	cluster := must(t, rec, "gcp:container/cluster:Cluster", "conveyor-prod")
	for path, want := range map[string]string{
		"privateClusterConfig.enablePrivateNodes":                   "true",
		"workloadIdentityConfig.workloadPool":                       "acme-prod.svc.id.goog",
		"releaseChannel.channel":                                    "REGULAR",
		"datapathProvider":                                          "ADVANCED_DATAPATH",
		"enableShieldedNodes":                                       "true",
		"enableLegacyAbac":                                          "false",
		"masterAuth.clientCertificateConfig.issueClientCertificate": "false",
		"deletionProtection":                                        "true",
		"removeDefaultNodePool":                                     "true",
		"ipAllocationPolicy.clusterSecondaryRangeName":              "pods",
		"loggingConfig.enableComponents[1]":                         "WORKLOADS",
		"resourceLabels.conveyor-cluster":                           "prod",
	} {
		if got, _ := lookupString(cluster, path); got != want {
			t.Errorf("cluster %s = %q, want %q", path, got, want)
		}
	}
	if !cluster.Protect {
		t.Errorf("the production cluster is not protected")
	}
	pool := must(t, rec, "gcp:container/nodePool:NodePool", "conveyor-prod-general")
	for path, want := range map[string]string{
		"management.autoRepair":                              "true",
		"management.autoUpgrade":                             "true",
		"autoscaling.minNodeCount":                           "1",
		"autoscaling.maxNodeCount":                           "5",
		"nodeConfig.serviceAccount":                          "conveyor-prod-nodes@acme-prod.iam.gserviceaccount.com",
		"nodeConfig.shieldedInstanceConfig.enableSecureBoot": "true",
		"nodeConfig.workloadMetadataConfig.mode":             "GKE_METADATA",
	} {
		if got, _ := lookupString(pool, path); got != want {
			t.Errorf("node pool %s = %q, want %q", path, got, want)
		}
	}
	sql := must(t, rec, "gcp:sql/databaseInstance:DatabaseInstance", "conveyor-prod-pg")
	for path, want := range map[string]string{
		"settings.ipConfiguration.ipv4Enabled":                    "false",
		"settings.ipConfiguration.sslMode":                        "ENCRYPTED_ONLY",
		"settings.backupConfiguration.enabled":                    "true",
		"settings.backupConfiguration.pointInTimeRecoveryEnabled": "true",
		"settings.availabilityType":                               "REGIONAL",
		"deletionProtection":                                      "true",
		"databaseVersion":                                         "POSTGRES_16",
	} {
		if got, _ := lookupString(sql, path); got != want {
			t.Errorf("sql %s = %q, want %q", path, got, want)
		}
	}
	peering := must(t, rec, "gcp:servicenetworking/connection:Connection", "conveyor-prod-private-services")
	if !dependsOn(sql, peering) {
		t.Errorf("the SQL instance does not wait for private services access")
	}
	if got := str(sql, "settings.ipConfiguration.privateNetwork"); got != "conveyor-prod" {
		t.Errorf("sql private network = %q", got)
	}
	provider := must(t, rec, "pulumi:providers:kubernetes", "conveyor-prod")
	if !isSecret(provider, "kubeconfig") {
		t.Errorf("the kubeconfig is not a secret")
	}
	if kc := str(provider, "kubeconfig"); !strings.Contains(kc, "command: gke-gcloud-auth-plugin") || !strings.Contains(kc, "server: https://"+offline.SimulatedEndpoint) {
		t.Errorf("kubeconfig = %s", kc)
	}
	// Every GCP resource of the cluster goes through the explicit provider.
	for _, r := range rec.Custom() {
		if strings.HasPrefix(r.Type, "gcp:") && !strings.Contains(r.Provider, "pulumi:providers:gcp::gcp") {
			t.Errorf("%s %s uses provider %q, not the explicit one", r.Type, r.Name, r.Provider)
		}
	}
	for _, r := range rec.OfType("gcp:projects/iAMMember:IAMMember") {
		if role := str(&r, "role"); role == "roles/editor" || role == "roles/owner" {
			t.Errorf("nodes get the basic role %s", role)
		}
	}
}

func TestNonProductionClusterIsNotProtected(t *testing.T) {
	rec := gkeCluster(t, false)
	cluster := must(t, rec, "gcp:container/cluster:Cluster", "conveyor-prod")
	if got, _ := lookupString(cluster, "deletionProtection"); got != "false" || cluster.Protect {
		t.Errorf("deletion protection %q, protect %v", got, cluster.Protect)
	}
}

// TestLocalCluster: on a local cluster, an environment gets its own PostgreSQL and Pub/Sub
// emulator, and modules get the same Secret and variables as on GCP.
func TestLocalCluster(t *testing.T) {
	rec := deploy(t, components.Environment{Name: "local", AdHoc: true}, true)
	for _, r := range rec.Resources {
		if strings.HasPrefix(r.Type, "gcp:") {
			t.Errorf("a local environment creates %s %s", r.Type, r.Name)
		}
	}
	postgres := must(t, rec, "kubernetes:apps/v1:StatefulSet", "local-conveyor/conveyor-postgres")
	for path, want := range map[string]string{
		"metadata.namespace":                                                      "local-conveyor",
		"spec.template.spec.securityContext.runAsUser":                            "70",
		"spec.template.spec.containers[0].image":                                  components.LocalPostgresImage,
		"spec.volumeClaimTemplates[0].spec.resources.requests.storage":            "1Gi",
		"spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem": "true",
	} {
		if got, _ := lookupString(postgres, path); got != want {
			t.Errorf("postgres %s = %q, want %q", path, got, want)
		}
	}
	must(t, rec, "kubernetes:apps/v1:Deployment", "local-conveyor/conveyor-pubsub-emulator")
	setup := must(t, rec, typeJob, "local-conveyor/quotes-database-setup")
	env := envOf(setup, "spec.template.spec.containers[0]")
	if env["DB_NAME"] != "local_quotes" || env["DB_PASSWORD_VERIFIER"] != "secret:quotes-database/verifier" ||
		env["PGUSER"] != "postgres" || env["PGPASSWORD"] != "secret:conveyor-postgres-admin/password" || env["PGSSLMODE"] != "disable" {
		t.Errorf("database setup env = %v", env)
	}
	if !dependsOn(setup, postgres) {
		t.Errorf("database setup does not wait for postgres")
	}
	if got := str(setup, "spec.template.spec.containers[0].command[2]"); got != dbsetup.Setup {
		t.Errorf("the local database setup does not run the SQL a GCP environment runs:\n%s", got)
	}
	// The Secret has the GCP shape; only the host differs.
	secret := must(t, rec, typeSecret, "local-sales/quotes-database")
	if got := str(secret, "stringData.host"); got != "conveyor-postgres.local-conveyor.svc.cluster.local" {
		t.Errorf("local database host = %q", got)
	}
	for _, key := range []string{"host", "port", "database", "user", "password", "url"} {
		if _, ok := offline.Lookup(secret.Inputs, "stringData."+key); !ok {
			t.Errorf("local database secret lacks %s", key)
		}
	}
	subs := must(t, rec, typeJob, "local-conveyor/claims-subscriptions-setup")
	topics := must(t, rec, typeJob, "local-conveyor/quotes-topics-setup")
	if !dependsOn(subs, topics) {
		t.Errorf("the consumer's subscriptions are created before the producer's topic")
	}
	script := str(subs, "spec.template.spec.containers[0].command[2]")
	for _, want := range []string{
		"put 'subscriptions/local.claims.claims.from.sales.quotes.quote-accepted'",
		`"deadLetterPolicy":{"deadLetterTopic":"projects/conveyor-local/topics/local.claims.claims.from.sales.quotes.quote-accepted.dead-letter","maxDeliveryAttempts":5}`,
		`"retryPolicy":{"maximumBackoff":"600s","minimumBackoff":"10s"}`,
	} {
		if !strings.Contains(script, want) {
			t.Errorf("subscription setup script lacks %s:\n%s", want, script)
		}
	}
	intake := envOf(must(t, rec, typeDeployment, "claims-intake"), "spec.template.spec.containers[0]")
	if intake["PUBSUB_EMULATOR_HOST"] != "conveyor-pubsub-emulator.local-conveyor.svc.cluster.local:8085" || intake["CONVEYOR_SUBSCRIPTION_QUOTES_QUOTE_ACCEPTED"] != "local.claims.claims.from.sales.quotes.quote-accepted" {
		t.Errorf("local handler env = %v", intake)
	}
}
