package components_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/components"
	"github.com/conveyor-paas/conveyor/components/images"
	"github.com/conveyor-paas/conveyor/evaluation"
	"github.com/conveyor-paas/conveyor/evaluation/evaluationtest"
	"github.com/conveyor-paas/conveyor/naming"
)

const (
	typeNetworkPolicy = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
	typeProjectIAM    = "gcp:projects/iAMMember:IAMMember"
)

// podPath is where a workload's pod spec is.
func podPath(r *evaluation.Resource) string {
	if r.Type == typeCronJob {
		return "spec.jobTemplate.spec.template.spec"
	}
	return "spec.template.spec"
}

// proxyOf is the Cloud SQL Auth Proxy sidecar of a workload's pod, and its arguments; ok is
// false when the pod has none.
func proxyOf(t *testing.T, r *evaluation.Resource) (args []string, ok bool) {
	t.Helper()
	spec := podPath(r)
	for i := 0; ; i++ {
		c := spec + ".initContainers[" + strconv.Itoa(i) + "]"
		if _, found := evaluationtest.Lookup(r.Inputs, c); !found {
			return nil, false
		}
		if str(r, c+".name") != naming.SQLProxyContainer {
			continue
		}
		if got := str(r, c+".image"); got != images.CloudSQLProxy {
			t.Errorf("%s: the proxy runs %q, not the pinned %s", r.Name, got, images.CloudSQLProxy)
		}
		if got := str(r, c+".restartPolicy"); got != "Always" {
			t.Errorf("%s: the proxy's restartPolicy is %q: it is not a native sidecar, so the application may start before it and a Job never completes", r.Name, got)
		}
		if got := str(r, c+".startupProbe.httpGet.path"); got != "/startup" {
			t.Errorf("%s: the proxy's startup probe is %q: the application would start before the proxy listens", r.Name, got)
		}
		for j := 0; ; j++ {
			a, found := evaluationtest.Lookup(r.Inputs, c+".args["+strconv.Itoa(j)+"]")
			if !found {
				break
			}
			args = append(args, a.StringValue())
		}
		return args, true
	}
}

// TestModulesReachCloudSQLThroughTheProxy: on GKE every pod that connects to Cloud SQL, a
// module's components and the platform's database jobs alike, runs the Cloud SQL Auth Proxy as
// a native sidecar for its environment's instance, and connects to it on loopback; the
// module's Secret names loopback, not the instance.
func TestModulesReachCloudSQLThroughTheProxy(t *testing.T) {
	rec := deploy(t, components.Environment{Name: "dev"}, false)
	var pods []*evaluation.Resource
	for _, typ := range []string{typeDeployment, typeJob, typeCronJob} {
		for _, r := range evaluationtest.OfType(rec, typ) {
			pods = append(pods, &r)
		}
	}
	if len(pods) < 6 {
		t.Fatalf("only %d workloads", len(pods))
	}
	for _, r := range pods {
		args, ok := proxyOf(t, r)
		if !ok {
			t.Errorf("%s %s connects to Cloud SQL without the Cloud SQL Auth Proxy", r.Type, r.Name)
			continue
		}
		for _, want := range []string{"--private-ip", "--address=127.0.0.1", "--port=5432", testConnectionName} {
			if !slices.Contains(args, want) {
				t.Errorf("%s: the proxy's args %q lack %q", r.Name, args, want)
			}
		}
		containers := podPath(r) + ".containers[0]"
		env := envOf(r, containers)
		if host, ok := env["PGHOST"]; ok && host != "127.0.0.1" {
			t.Errorf("%s: a platform job connects to %q, not to its proxy on loopback", r.Name, host)
		}
		if mode, ok := env["PGSSLMODE"]; ok && mode != "disable" {
			t.Errorf("%s: PGSSLMODE %q to the proxy on loopback, which serves no TLS", r.Name, mode)
		}
	}
	for _, module := range []string{"quotes", "claims"} {
		secret := must(t, rec, typeSecret, "dev-"+map[string]string{"quotes": "sales", "claims": "claims"}[module]+"/"+module+"-database")
		if got := str(secret, "stringData.host"); got != "127.0.0.1" {
			t.Errorf("the %s Secret's host is %q: its components would connect past the proxy", module, got)
		}
	}
}

// TestEachIdentityConnectsToItsInstanceOnly: the module's and the platform jobs' service
// accounts hold roles/cloudsql.client, without which the proxy gets no certificate, under a
// condition that names their environment's instance and no other.
func TestEachIdentityConnectsToItsInstanceOnly(t *testing.T) {
	rec := deploy(t, components.Environment{Name: "dev"}, false)
	wantCondition := `resource.type == "sqladmin.googleapis.com/Instance" && resource.name == "projects/acme-nonprod/instances/conveyor-nonprod-pg"`
	granted := map[string]bool{}
	for _, res := range evaluationtest.OfType(rec, typeProjectIAM) {
		r := &res
		if str(r, "role") != "roles/cloudsql.client" {
			continue
		}
		granted[str(r, "member")] = true
		if got := str(r, "condition.expression"); got != wantCondition {
			t.Errorf("%s: roles/cloudsql.client under condition %q, want %q", r.Name, got, wantCondition)
		}
	}
	for _, account := range []string{"dev-quotes", "dev-claims", naming.PlatformServiceAccountID("dev")} {
		if !granted["serviceAccount:"+account+"@acme-nonprod.iam.gserviceaccount.com"] {
			t.Errorf("%s is not granted roles/cloudsql.client on its instance (granted: %v)", account, granted)
		}
	}
	if len(granted) != 3 {
		t.Errorf("roles/cloudsql.client is granted to %v, want the two modules and the platform", granted)
	}
	setup := must(t, rec, typeJob, "dev-conveyor/quotes-database-setup")
	if got := str(setup, "spec.template.spec.serviceAccountName"); got != naming.PlatformKubernetesServiceAccount {
		t.Errorf("the setup job runs as %q, not the platform's workload identity", got)
	}
	ksa := must(t, rec, typeKSA, "dev-conveyor/"+naming.PlatformKubernetesServiceAccount)
	if got := labelsOf(ksa, "metadata.annotations")["iam.gke.io/gcp-service-account"]; got != naming.PlatformServiceAccountID("dev")+"@acme-nonprod.iam.gserviceaccount.com" {
		t.Errorf("the platform's Kubernetes service account acts as %q", got)
	}
}

// TestNamespacesReachCloudSQLOnTheProxysPortOnly: the network lets no pod reach the instance on
// PostgreSQL's port, so nothing connects past the proxy; the platform namespace reaches the
// metadata server and Google's APIs, where the proxy gets its token and certificate.
func TestNamespacesReachCloudSQLOnTheProxysPortOnly(t *testing.T) {
	rec := deploy(t, components.Environment{Name: "dev"}, false)
	for _, ns := range []string{"dev-sales", "dev-claims", "dev-conveyor"} {
		p := must(t, rec, typeNetworkPolicy, ns+"/"+naming.NetworkPolicy(naming.PolicyAllowDatabase))
		if got := str(p, "spec.egress[0].to[0].ipBlock.cidr"); got != "10.100.0.3/32" {
			t.Errorf("%s reaches the database at %q", ns, got)
		}
		if port, _ := evaluationtest.Lookup(p.Inputs, "spec.egress[0].ports[0].port"); !port.IsNumber() || port.NumberValue() != 3307 {
			t.Errorf("%s reaches the instance on port %v, want only the proxy's 3307", ns, port)
		}
		if _, more := evaluationtest.Lookup(p.Inputs, "spec.egress[0].ports[1]"); more {
			t.Errorf("%s reaches the instance on more than the proxy's port", ns)
		}
	}
	for _, purpose := range []string{naming.PolicyAllowMetadataServer, naming.PolicyAllowGoogleAPIs} {
		must(t, rec, typeNetworkPolicy, "dev-conveyor/"+naming.NetworkPolicy(purpose))
	}
}

// TestLocalClustersKeepTheirPostgreSQL: a local cluster runs no proxy and grants nothing; its
// pods connect to the environment's PostgreSQL as before.
func TestLocalClustersKeepTheirPostgreSQL(t *testing.T) {
	rec := deploy(t, components.Environment{Name: "local", AdHoc: true}, true)
	for _, typ := range []string{typeDeployment, typeJob, typeCronJob} {
		for _, r := range evaluationtest.OfType(rec, typ) {
			if _, ok := evaluationtest.Lookup(r.Inputs, podPath(&r)+".initContainers"); ok {
				t.Errorf("%s %s runs init containers on a local cluster", typ, r.Name)
			}
		}
	}
	if got := evaluationtest.OfType(rec, typeProjectIAM); len(got) > 0 {
		t.Errorf("a local cluster grants %d project roles", len(got))
	}
	secret := must(t, rec, typeSecret, "local-sales/quotes-database")
	if got := str(secret, "stringData.host"); got == "127.0.0.1" || got == "" {
		t.Errorf("the local Secret's host is %q, not the environment's PostgreSQL", got)
	}
}

// TestAGKETargetNeedsItsConnectionName: without the instance's connection name no pod could
// connect through the proxy; the environment is refused rather than let connect without it.
func TestAGKETargetNeedsItsConnectionName(t *testing.T) {
	env := components.Environment{Name: "dev"}
	for _, tc := range []struct {
		name    string
		edit    func(*components.Target)
		refused bool
	}{
		{"with its connection name", nil, false},
		{"without it", func(t *components.Target) { t.SQLConnectionName = nil }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := evaluation.Run(func(ctx *pulumi.Context) error {
				_, err := gcpTargetEdited(ctx, env, tc.edit)
				return err
			}, evaluation.Options{Project: "conveyor", Stack: "dev", Read: readAdminSecret})
			if refused := err != nil && strings.Contains(err.Error(), "no Cloud SQL connection name"); refused != tc.refused || (err != nil && !refused) {
				t.Errorf("refused %v, want %v: %v", refused, tc.refused, err)
			}
		})
	}
}

// TestTheClustersJobsReachEachInstanceThroughTheProxy: the cluster stack's admin jobs connect
// to each instance through the proxy too, as the cluster's own identity, which holds
// roles/cloudsql.client on its instances only.
func TestTheClustersJobsReachEachInstanceThroughTheProxy(t *testing.T) {
	rec := gkeCluster(t, false)
	jobs := 0
	for _, res := range evaluationtest.OfType(rec, typeJob) {
		r := &res
		if str(r, "metadata.namespace") != naming.ClusterPlatformNamespace {
			continue
		}
		jobs++
		args, ok := proxyOf(t, r)
		if !ok {
			t.Errorf("%s connects to Cloud SQL without the proxy", r.Name)
			continue
		}
		instance := naming.SQLInstanceOf("nonprod", naming.AdHocAdminScope)
		if strings.Contains(r.Name, naming.StagingScope) {
			instance = naming.SQLInstanceOf("nonprod", naming.StagingScope)
		}
		if want := "acme-nonprod:europe-west1:" + instance; !slices.Contains(args, want) {
			t.Errorf("%s's proxy serves %q, not %s", r.Name, args, want)
		}
		if got := envOf(r, "spec.template.spec.containers[0]")["PGHOST"]; got != "127.0.0.1" {
			t.Errorf("%s connects to %q, not its proxy", r.Name, got)
		}
		if got := str(r, "spec.template.spec.serviceAccountName"); got != naming.PlatformKubernetesServiceAccount {
			t.Errorf("%s runs as %q", r.Name, got)
		}
	}
	if jobs == 0 {
		t.Fatal("the cluster runs no admin job")
	}
	grants := 0
	for _, res := range evaluationtest.OfType(rec, typeProjectIAM) {
		r := &res
		if str(r, "role") != "roles/cloudsql.client" {
			continue
		}
		grants++
		if !strings.HasPrefix(str(r, "member"), "serviceAccount:"+naming.PlatformServiceAccountID("cluster-nonprod")+"@") {
			t.Errorf("roles/cloudsql.client granted to %s", str(r, "member"))
		}
		if !strings.Contains(str(r, "condition.expression"), `resource.name == "projects/acme-nonprod/instances/`) {
			t.Errorf("%s: roles/cloudsql.client on %q", r.Name, str(r, "condition.expression"))
		}
	}
	if grants != 2 {
		t.Errorf("%d roles/cloudsql.client grants, want one per instance of cluster-nonprod (2)", grants)
	}
}
