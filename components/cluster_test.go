package components_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/components"
	"github.com/conveyor-paas/conveyor/components/dbsetup"
	"github.com/conveyor-paas/conveyor/components/images"
	"github.com/conveyor-paas/conveyor/evaluation"
	"github.com/conveyor-paas/conveyor/evaluation/evaluationtest"
)

func gkeCluster(t *testing.T, production bool) *evaluation.Recording {
	t.Helper()
	return gkeClusterWith(t, production, components.ControlPlaneAccess{
		AuthorizedNetworks: []components.AuthorizedNetwork{{Name: "ci", CIDR: "198.51.100.0/24"}},
	})
}

func gkeClusterWith(t *testing.T, production bool, access components.ControlPlaneAccess) *evaluation.Recording {
	t.Helper()
	return gkeClusterOf(t, func(a *components.GKEClusterArgs) { a.Production, a.ControlPlane = production, access })
}

// gkeClusterOf evaluates a cluster of the test's project with its arguments changed by edit.
// The fixture is a production cluster (cluster-prod, project acme-prod) when edit leaves it
// production and a non-production one (cluster-nonprod, acme-nonprod) otherwise, so that a
// test of either names what it tests (fixture).
func gkeClusterOf(t *testing.T, edit func(*components.GKEClusterArgs)) *evaluation.Recording {
	t.Helper()
	args := &components.GKEClusterArgs{
		Region: "europe-west1", Network: components.DefaultNetworkRanges,
		NodePools:     []components.NodePool{{Name: "general", MachineType: "e2-standard-4", Min: 1, Max: 5}},
		SecurityGroup: "gke-security-groups@acme.io",
	}
	edit(args)
	name := fixture(args.Production)
	args.Name, args.Project = name, "acme-"+name
	program := func(ctx *pulumi.Context) error {
		provider, err := gcp.NewProvider(ctx, "gcp", &gcp.ProviderArgs{Project: pulumi.String(args.Project), Region: pulumi.String(args.Region)})
		if err != nil {
			return err
		}
		args.GCP = provider
		c, err := components.NewCluster(ctx, name, &components.ClusterArgs{GKE: args})
		if err != nil {
			return err
		}
		ctx.Export("kubeconfig", c.Kubeconfig)
		return nil
	}
	rec, err := evaluation.Run(program, evaluation.Options{Project: "conveyor", Stack: "cluster-" + name})
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// fixture is the name of gkeClusterOf's cluster: prod or nonprod.
func fixture(production bool) string {
	if production {
		return "prod"
	}
	return "nonprod"
}

func TestGKECluster(t *testing.T) {
	rec := gkeCluster(t, true)
	cluster := must(t, rec, "gcp:container/cluster:Cluster", "conveyor-prod")
	for path, want := range map[string]string{
		"privateClusterConfig.enablePrivateNodes":                    "true",
		"workloadIdentityConfig.workloadPool":                        "acme-prod.svc.id.goog",
		"releaseChannel.channel":                                     "REGULAR",
		"datapathProvider":                                           "ADVANCED_DATAPATH",
		"enableShieldedNodes":                                        "true",
		"enableLegacyAbac":                                           "false",
		"masterAuth.clientCertificateConfig.issueClientCertificate":  "false",
		"deletionProtection":                                         "true",
		"removeDefaultNodePool":                                      "true",
		"ipAllocationPolicy.clusterSecondaryRangeName":               "pods",
		"loggingConfig.enableComponents[1]":                          "WORKLOADS",
		"resourceLabels.conveyor-cluster":                            "prod",
		"authenticatorGroupsConfig.securityGroup":                    "gke-security-groups@acme.io",
		"masterAuthorizedNetworksConfig.cidrBlocks[0].cidrBlock":     "198.51.100.0/24",
		"masterAuthorizedNetworksConfig.gcpPublicCidrsAccessEnabled": "false",
		"privateClusterConfig.enablePrivateEndpoint":                 "false",
	} {
		if got, _ := lookupString(cluster, path); got != want {
			t.Errorf("cluster %s = %q, want %q", path, got, want)
		}
	}
	if !cluster.Protect {
		t.Errorf("the production cluster is not protected")
	}
	// The cluster's own node config would duplicate the pools' and force replacements.
	if _, ok := evaluationtest.Lookup(cluster.Inputs, "nodeConfig"); ok {
		t.Errorf("the cluster declares a nodeConfig of its own")
	}
	pool := must(t, rec, "gcp:container/nodePool:NodePool", "conveyor-prod-general")
	for path, want := range map[string]string{
		"management.autoRepair":                              "true",
		"management.autoUpgrade":                             "true",
		"autoscaling.totalMinNodeCount":                      "1",
		"autoscaling.totalMaxNodeCount":                      "5",
		"autoscaling.locationPolicy":                         "BALANCED",
		"nodeConfig.serviceAccount":                          "conveyor-prod-nodes@acme-prod.iam.gserviceaccount.com",
		"nodeConfig.shieldedInstanceConfig.enableSecureBoot": "true",
		"nodeConfig.workloadMetadataConfig.mode":             "GKE_METADATA",
	} {
		if got, _ := lookupString(pool, path); got != want {
			t.Errorf("node pool %s = %q, want %q", path, got, want)
		}
	}
	// Per-zone counts would make "1 to 5" 3 to 15 in a regional pool.
	for _, perZone := range []string{"autoscaling.minNodeCount", "autoscaling.maxNodeCount"} {
		if _, ok := evaluationtest.Lookup(pool.Inputs, perZone); ok {
			t.Errorf("node pool sets %s, which counts per zone", perZone)
		}
	}
	sql := must(t, rec, "gcp:sql/databaseInstance:DatabaseInstance", "conveyor-prod-pg")
	for path, want := range map[string]string{
		"settings.ipConfiguration.ipv4Enabled":                    "false",
		"settings.ipConfiguration.sslMode":                        "TRUSTED_CLIENT_CERTIFICATE_REQUIRED",
		"settings.ipConfiguration.requireSsl":                     "true",
		"settings.backupConfiguration.enabled":                    "true",
		"settings.backupConfiguration.pointInTimeRecoveryEnabled": "true",
		"settings.availabilityType":                               "REGIONAL",
		"deletionProtection":                                      "true",
		"databaseVersion":                                         "POSTGRES_16",
		"settings.edition":                                        "ENTERPRISE",
		"settings.tier":                                           "db-custom-1-3840",
	} {
		if got, _ := lookupString(sql, path); got != want {
			t.Errorf("sql %s = %q, want %q", path, got, want)
		}
	}
	peering := must(t, rec, "gcp:servicenetworking/connection:Connection", "conveyor-prod-private-services")
	if !dependsOn(sql, peering) {
		t.Errorf("the SQL instance does not wait for private services access")
	}
	// What refers to what, by id or by name: TestGKEClusterReferences.
	provider := must(t, rec, "pulumi:providers:kubernetes", "conveyor-prod")
	if !isSecret(provider, "kubeconfig") {
		t.Errorf("the kubeconfig is not a secret")
	}
	if kc := str(provider, "kubeconfig"); !strings.Contains(kc, "command: gke-gcloud-auth-plugin") || !strings.Contains(kc, "server: https://"+evaluation.SimulatedEndpoint) {
		t.Errorf("kubeconfig = %s", kc)
	}
	// Every GCP resource of the cluster goes through the explicit provider.
	for _, r := range rec.Custom() {
		if strings.HasPrefix(r.Type, "gcp:") && !strings.Contains(r.Provider, "pulumi:providers:gcp::gcp") {
			t.Errorf("%s %s uses provider %q, not the explicit one", r.Type, r.Name, r.Provider)
		}
	}
	// Every resource waits for the APIs it needs to be enabled.
	apis := evaluationtest.OfType(rec, "gcp:projects/service:Service")
	for _, api := range []string{"container", "sqladmin", "servicenetworking", "compute", "pubsub", "iam", "cloudresourcemanager"} {
		if !slices.ContainsFunc(apis, func(r evaluation.Resource) bool { return str(&r, "service") == api+".googleapis.com" }) {
			t.Errorf("the %s API is not enabled", api)
		}
	}
	for _, api := range apis {
		if got, _ := lookupString(&api, "disableOnDestroy"); got != "false" {
			t.Errorf("%s would be disabled when the stack is destroyed", str(&api, "service"))
		}
	}
	for _, r := range rec.Custom() {
		if strings.HasPrefix(r.Type, "gcp:") && r.Type != "gcp:projects/service:Service" {
			for _, api := range apis {
				if !dependsOn(&r, &api) {
					t.Errorf("%s %s does not wait for %s", r.Type, r.Name, str(&api, "service"))
				}
			}
		}
	}
	for _, r := range evaluationtest.OfType(rec, "gcp:projects/iAMMember:IAMMember") {
		if role := str(&r, "role"); role == "roles/editor" || role == "roles/owner" {
			t.Errorf("nodes get the basic role %s", role)
		}
	}
}

// A non-production cluster and its shared instance refuse deletion too (it costs nothing and
// they carry every other environment), but only production's are protected in the state.
func TestNonProductionClusterHasDeletionProtection(t *testing.T) {
	rec := gkeCluster(t, false)
	cluster := must(t, rec, "gcp:container/cluster:Cluster", "conveyor-nonprod")
	sql := must(t, rec, "gcp:sql/databaseInstance:DatabaseInstance", "conveyor-nonprod-pg")
	for _, c := range []struct {
		r    *evaluation.Resource
		path string
	}{{cluster, "deletionProtection"}, {sql, "deletionProtection"}, {sql, "settings.deletionProtectionEnabled"}} {
		if got, _ := lookupString(c.r, c.path); got != "true" {
			t.Errorf("%s %s = %q, want true", c.r.Type, c.path, got)
		}
		if c.r.Protect {
			t.Errorf("%s is protected in the state of a non-production cluster", c.r.Type)
		}
	}
	if got := str(sql, "settings.availabilityType"); got != "ZONAL" {
		t.Errorf("non-production availability = %q", got)
	}
}

// With the public endpoint off, the kubeconfig reaches the private one; with no authorized
// network at all, the list is still set, so that nothing outside the VPC gets in.
func TestPrivateControlPlane(t *testing.T) {
	rec := gkeClusterWith(t, false, components.ControlPlaneAccess{PrivateEndpoint: true})
	cluster := must(t, rec, "gcp:container/cluster:Cluster", "conveyor-nonprod")
	if got, _ := lookupString(cluster, "privateClusterConfig.enablePrivateEndpoint"); got != "true" {
		t.Errorf("enablePrivateEndpoint = %q", got)
	}
	if _, ok := evaluationtest.Lookup(cluster.Inputs, "masterAuthorizedNetworksConfig.gcpPublicCidrsAccessEnabled"); !ok {
		t.Errorf("no authorized networks config: every network would reach the control plane")
	}
	provider := must(t, rec, "pulumi:providers:kubernetes", "conveyor-nonprod")
	if kc := str(provider, "kubeconfig"); !strings.Contains(kc, "server: https://"+evaluation.SimulatedPrivateEndpoint) {
		t.Errorf("kubeconfig does not reach the private endpoint:\n%s", kc)
	}
}

func TestClusterAccessIsChecked(t *testing.T) {
	for _, tt := range []struct {
		name  string
		err   error
		wants string
	}{
		{"group", components.CheckSecurityGroup("platform@acme.io"), `"platform@acme.io" is not gke-security-groups@<your-domain>`},
		{"the placeholder", components.CheckSecurityGroup("gke-security-groups@example.com"), `"gke-security-groups@example.com" is a placeholder`},
		{"a test domain", components.CheckSecurityGroup("gke-security-groups@acme.test"), `"gke-security-groups@acme.test" is a placeholder`},
		{"open", components.CheckAuthorizedNetworks([]components.AuthorizedNetwork{{Name: "all", CIDR: "0.0.0.0/0"}}),
			"authorizedNetworks[0] (all): 0.0.0.0/0 is the whole internet: it may not reach the control plane"},
		{"v6", components.CheckAuthorizedNetworks([]components.AuthorizedNetwork{{Name: "ok", CIDR: "10.0.0.0/8"}, {Name: "all6", CIDR: "::/0"}}),
			"authorizedNetworks[1] (all6): ::/0 is the whole internet"},
		{"the internet in two halves", components.CheckAuthorizedNetworks([]components.AuthorizedNetwork{{Name: "low", CIDR: "0.0.0.0/1"}, {Name: "high", CIDR: "128.0.0.0/1"}}),
			"authorizedNetworks[0] (low): 0.0.0.0/1 is a public range wider than /24"},
		{"a public /23", components.CheckAuthorizedNetworks([]components.AuthorizedNetwork{{Name: "office", CIDR: "203.0.112.0/23"}}),
			"authorizedNetworks[0] (office): 203.0.112.0/23 is a public range wider than /24"},
		{"cidr", components.CheckAuthorizedNetworks([]components.AuthorizedNetwork{{Name: "x", CIDR: "10.0.0.1"}}), `"10.0.0.1" is not a CIDR range`},
	} {
		if tt.err == nil || !strings.Contains(tt.err.Error(), tt.wants) {
			t.Errorf("%s: %v, want %q", tt.name, tt.err, tt.wants)
		}
	}
	if err := components.CheckSecurityGroup("gke-security-groups@acme.io"); err != nil {
		t.Error(err)
	}
	if err := components.CheckAuthorizedNetworks([]components.AuthorizedNetwork{{Name: "pipeline", CIDR: "203.0.113.0/24"}, {Name: "vpc", CIDR: "10.0.0.0/8"}}); err != nil {
		t.Error(err)
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
		"spec.template.spec.containers[0].image":                                  images.LocalPostgres,
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
		if _, ok := evaluationtest.Lookup(secret.Inputs, "stringData."+key); !ok {
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
