package bootstrap

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/cel-go/cel"
	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/conveyor-paas/conveyor/naming"
)

const (
	envProject     = "acme-conveyor-adhoc"
	nonprodProject = "acme-conveyor-nonprod"
	prodProject    = "acme-conveyor-prod"
	adhocDeployer  = "conveyor-deploy-adhoc@" + nonprodProject + ".iam.gserviceaccount.com"
)

func accountName(id, project string) string {
	return "projects/" + project + "/serviceAccounts/" + id + "@" + project + ".iam.gserviceaccount.com"
}

// TestTheAdHocDeployersGrantsNameOnlyAdHocResources lists every grant the ad-hoc deployer
// holds, as made: each is on its environments' project, its own state and key, the one SQL
// account, or (viewing clusters) the non-production project, and none names a resource of
// dev, staging, a cluster or production.
func TestTheAdHocDeployersGrantsNameOnlyAdHocResources(t *testing.T) {
	rec, _ := run(t)
	var got []string
	for _, g := range grantsOf(rec) {
		if g.member == "serviceAccount:"+adhocDeployer {
			got = append(got, g.String())
		}
	}
	adhocBucket := "projects/_/buckets/acme-conveyor-nonprod-conveyor-state-adhoc"
	want := []string{
		"projects/" + envProject + "/roles/" + naming.AdHocEnvironmentRole + " on the project projects/" + envProject,
		"roles/container.clusterViewer on the project projects/" + nonprodProject,
		"projects/" + nonprodProject + "/roles/" + naming.AdHocSQLDelegationRole + " on " + accountName(naming.AdHocSQLAccount, nonprodProject),
		"roles/storage.objectViewer on " + adhocBucket,
		"roles/storage.objectAdmin on " + adhocBucket + " if " + NotFactsCondition("acme-conveyor-nonprod-conveyor-state-adhoc", []string{naming.NonprodCluster}),
		"roles/cloudkms.cryptoKeyEncrypterDecrypter on projects/" + nonprodProject + "/locations/europe-west1/keyRings/conveyor-adhoc/cryptoKeys/pulumi-state",
	}
	slices.Sort(want)
	slices.Sort(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("the ad-hoc deployer's grants (-want +got):\n%s", diff)
	}
	for _, g := range got {
		for _, word := range []string{"longlived", "-prod", "dev", "staging"} {
			if strings.Contains(g, word) {
				t.Errorf("the ad-hoc deployer's grant %q names %q", g, word)
			}
		}
	}
	roles := map[string][]string{}
	for _, r := range rec.of("gcp:projects/iAMCustomRole:IAMCustomRole") {
		for _, p := range r.inputs["permissions"].ArrayValue() {
			roles[r.inputs["roleId"].StringValue()] = append(roles[r.inputs["roleId"].StringValue()], p.StringValue())
		}
	}
	for role, perms := range roles {
		for _, p := range perms {
			if strings.HasSuffix(p, ".setIamPolicy") && strings.HasPrefix(p, "resourcemanager.") || strings.HasPrefix(p, "iam.roles.") ||
				strings.HasPrefix(p, "iam.serviceAccountKeys.") || strings.Contains(p, "getAccessToken") || strings.Contains(p, "actAs") {
				t.Errorf("role %s holds %s, which widens what the ad-hoc deployer holds", role, p)
			}
		}
	}
}

// TestTheAdHocDeployerCannotReachAnotherTier is the ad-hoc wall seen from the pull request's
// side: it holds the ad-hoc deployer's grants, as made, and tries each thing that would reach
// dev, staging, a cluster or production. GCP cannot run here, so iam below is a test double of
// GCP's IAM: a grant covers a permission if its role holds it, the resource is the grant's or
// under its project, and its condition (CEL, evaluated as IAM does on resource.name and
// resource.type) holds. Holding a resource's setIamPolicy is holding everything on it, and
// an account one may set the policy of, or get a token for, is one the attacker acts as.
func TestTheAdHocDeployerCannotReachAnotherTier(t *testing.T) {
	rec, _ := run(t)
	iam := newIAMDouble(t, rec)
	project := func(p string) resourceRef {
		return resourceRef{"projects/" + p, "cloudresourcemanager.googleapis.com/Project"}
	}
	account := func(id, p string) resourceRef {
		return resourceRef{accountName(id, p), "iam.googleapis.com/ServiceAccount"}
	}
	instance := func(p, name string) resourceRef {
		return resourceRef{"projects/" + p + "/instances/" + name, "sqladmin.googleapis.com/Instance"}
	}
	other := func(name string) resourceRef { return resourceRef{name, ""} }
	devTopic := other("projects/" + nonprodProject + "/topics/dev.sales.quotes.created")
	for _, tt := range []struct {
		attempt    string
		permission string
		on         resourceRef
		allowed    bool
	}{
		// What an ad-hoc environment needs.
		{"create pr-123's module account in its environments' project", "iam.serviceAccounts.create", project(envProject), true},
		{"bind pr-123's account to its Kubernetes service account", "iam.serviceAccounts.setIamPolicy", account("pr-123-quotes", envProject), true},
		{"create pr-123's topic", "pubsub.topics.create", project(envProject), true},
		{"grant pr-123's module its subscription", "pubsub.subscriptions.setIamPolicy", other("projects/" + envProject + "/subscriptions/pr-123.sales.billing.from.sales.quotes.created"), true},
		{"let pr-123's accounts act as the SQL account", "iam.serviceAccounts.setIamPolicy", account(naming.AdHocSQLAccount, nonprodProject), true},
		{"connect to the shared instance, as the SQL account", "cloudsql.instances.connect", instance(nonprodProject, "conveyor-nonprod-pg"), true},
		{"fetch the cluster's credentials", "container.clusters.get", other("projects/" + nonprodProject + "/locations/europe-west1/clusters/conveyor-nonprod"), true},
		{"write pr-123's state", "storage.objects.create", other("projects/_/buckets/acme-conveyor-nonprod-conveyor-state-adhoc/objects/.pulumi/stacks/conveyor/pr-123.json"), true},

		// What reaches another tier.
		{"create dev's module account dev-quotes", "iam.serviceAccounts.create", project(nonprodProject), false},
		{"create an account in production's project", "iam.serviceAccounts.create", project(prodProject), false},
		{"grant roles/cloudsql.client on the non-production project (dev's or staging's instance)", "resourcemanager.projects.setIamPolicy", project(nonprodProject), false},
		{"grant a role on production's project", "resourcemanager.projects.setIamPolicy", project(prodProject), false},
		{"grant itself a role on its environments' project", "resourcemanager.projects.setIamPolicy", project(envProject), false},
		{"widen its own role", "iam.roles.update", other("projects/" + envProject + "/roles/" + naming.AdHocEnvironmentRole), false},
		{"widen its delegation role", "iam.roles.update", other("projects/" + nonprodProject + "/roles/" + naming.AdHocSQLDelegationRole), false},
		{"bind itself to dev's module account", "iam.serviceAccounts.setIamPolicy", account("dev-quotes", nonprodProject), false},
		{"bind itself to dev's database jobs' account", "iam.serviceAccounts.setIamPolicy", account(naming.PlatformServiceAccountID("dev"), nonprodProject), false},
		{"act as the long-lived deployer", "iam.serviceAccounts.getAccessToken", account("conveyor-deploy-longlived", nonprodProject), false},
		{"bind itself to the long-lived deployer", "iam.serviceAccounts.setIamPolicy", account("conveyor-deploy-longlived", nonprodProject), false},
		{"bind itself to production's deployer", "iam.serviceAccounts.setIamPolicy", account("conveyor-deploy-prod", prodProject), false},
		{"bind itself to production's planner", "iam.serviceAccounts.setIamPolicy", account("conveyor-plan-prod", prodProject), false},
		{"bind itself to a prod module's account", "iam.serviceAccounts.setIamPolicy", account("prod-quotes", prodProject), false},
		{"connect to staging's instance", "cloudsql.instances.connect", instance(nonprodProject, "conveyor-nonprod-pg-staging"), false},
		{"connect to production's instance", "cloudsql.instances.connect", instance(prodProject, "conveyor-prod-pg"), false},
		{"administer the shared instance", "cloudsql.instances.update", instance(nonprodProject, "conveyor-nonprod-pg"), false},
		{"create a topic in the non-production project", "pubsub.topics.create", project(nonprodProject), false},
		{"publish to dev's topic", "pubsub.topics.publish", devTopic, false},
		{"set the IAM of dev's topic", "pubsub.topics.setIamPolicy", devTopic, false},
		{"pull from dev's subscription", "pubsub.subscriptions.consume", other("projects/" + nonprodProject + "/subscriptions/dev.sales.billing.from.sales.quotes.created"), false},
		{"change the cluster", "container.clusters.update", other("projects/" + nonprodProject + "/locations/europe-west1/clusters/conveyor-nonprod"), false},
		{"change its tier's GitHub provider", "iam.workloadIdentityPoolProviders.update", other("projects/" + nonprodProject + "/locations/global/workloadIdentityPools/github-adhoc/providers/github"), false},
		{"read the long-lived tier's state", "storage.objects.get", other("projects/_/buckets/acme-conveyor-nonprod-conveyor-state-longlived/objects/.pulumi/stacks/conveyor/dev.json"), false},
		{"overwrite the cluster facts", "storage.objects.create", other("projects/_/buckets/acme-conveyor-nonprod-conveyor-state-adhoc/objects/.pulumi/stacks/conveyor/cluster-nonprod-facts.json"), false},
	} {
		if got := iam.allowed(adhocDeployer, tt.permission, tt.on); got != tt.allowed {
			t.Errorf("the ad-hoc deployer may %s (%s on %s): %v, want %v", tt.attempt, tt.permission, tt.on.name, got, tt.allowed)
		}
	}
}

// iamGrant is one IAM grant the bootstrap makes: role on resource (every resource under it when
// it is a project or a bucket), to member, if condition.
type iamGrant struct {
	member, role, resource, condition string
	project                           bool
}

func (g iamGrant) String() string {
	s := g.role + " on " + g.resource
	if g.project {
		s = g.role + " on the project " + g.resource
	}
	if g.condition != "" {
		s += " if " + g.condition
	}
	return s
}

// grantsOf are the IAM grants rec made.
func grantsOf(rec *recorder) []iamGrant {
	var out []iamGrant
	for typ, resourceOf := range map[string]func(r recorded) (string, bool){
		"gcp:projects/iAMMember:IAMMember":       func(r recorded) (string, bool) { return "projects/" + r.inputs["project"].StringValue(), true },
		"gcp:serviceaccount/iAMMember:IAMMember": func(r recorded) (string, bool) { return r.inputs["serviceAccountId"].StringValue(), false },
		"gcp:storage/bucketIAMMember:BucketIAMMember": func(r recorded) (string, bool) {
			return "projects/_/buckets/" + r.inputs["bucket"].StringValue(), false
		},
		"gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember":     func(r recorded) (string, bool) { return r.inputs["cryptoKeyId"].StringValue(), false },
		"gcp:containeranalysis/noteIamMember:NoteIamMember": func(r recorded) (string, bool) { return r.inputs["note"].StringValue(), false },
	} {
		for _, r := range rec.of(typ) {
			res, project := resourceOf(r)
			g := iamGrant{member: r.inputs["member"].StringValue(), role: r.inputs["role"].StringValue(), resource: res, project: project}
			if c, ok := r.inputs["condition"]; ok && c.IsObject() {
				g.condition = c.ObjectValue()["expression"].StringValue()
			}
			out = append(out, g)
		}
	}
	return out
}

// resourceRef is a GCP resource as IAM conditions see it.
type resourceRef struct{ name, typ string }

// iamDouble is a test double of GCP's IAM over the bootstrap's grants.
type iamDouble struct {
	t        *testing.T
	grants   []iamGrant
	roles    map[string][]string
	accounts []string // every account the bootstrap made, by resource name
}

// predefinedRoles are the permissions of the predefined roles the ad-hoc deployer's reach
// could meet, as far as these tests ask; a predefined role not listed here holds every
// permission (the double fails closed: an unknown role is assumed to open everything).
var predefinedRoles = map[string][]string{
	"roles/container.clusterViewer": {"container.clusters.get", "container.clusters.list"},
	"roles/browser":                 {"resourcemanager.projects.get", "resourcemanager.folders.get", "resourcemanager.folders.list", "resourcemanager.organizations.get"},
	"roles/cloudsql.client":         {"cloudsql.instances.connect", "cloudsql.instances.get"},
	"roles/iam.serviceAccountAdmin": {"iam.serviceAccounts.create", "iam.serviceAccounts.delete", "iam.serviceAccounts.disable", "iam.serviceAccounts.enable",
		"iam.serviceAccounts.get", "iam.serviceAccounts.getIamPolicy", "iam.serviceAccounts.list", "iam.serviceAccounts.setIamPolicy",
		"iam.serviceAccounts.undelete", "iam.serviceAccounts.update"},
	"roles/iam.workloadIdentityUser":             {"iam.serviceAccounts.getAccessToken", "iam.serviceAccounts.getOpenIdToken"},
	"roles/storage.objectViewer":                 {"storage.objects.get", "storage.objects.list"},
	"roles/storage.objectAdmin":                  {"storage.objects.create", "storage.objects.delete", "storage.objects.get", "storage.objects.list", "storage.objects.update"},
	"roles/cloudkms.cryptoKeyEncrypterDecrypter": {"cloudkms.cryptoKeyVersions.useToEncrypt", "cloudkms.cryptoKeyVersions.useToDecrypt"},
	"roles/cloudkms.cryptoKeyDecrypter":          {"cloudkms.cryptoKeyVersions.useToDecrypt"},
}

func newIAMDouble(t *testing.T, rec *recorder) *iamDouble {
	t.Helper()
	d := &iamDouble{t: t, grants: grantsOf(rec), roles: map[string][]string{}}
	for role, perms := range predefinedRoles {
		d.roles[role] = perms
	}
	for _, r := range rec.of("gcp:projects/iAMCustomRole:IAMCustomRole") {
		name := "projects/" + r.inputs["project"].StringValue() + "/roles/" + r.inputs["roleId"].StringValue()
		for _, p := range r.inputs["permissions"].ArrayValue() {
			d.roles[name] = append(d.roles[name], p.StringValue())
		}
	}
	for _, a := range rec.of("gcp:serviceaccount/account:Account") {
		d.accounts = append(d.accounts, a.outputs["name"].StringValue())
	}
	return d
}

// allowed says whether email, acting as itself or as any account it can take over, may do
// permission on r.
func (d *iamDouble) allowed(email, permission string, r resourceRef) bool {
	principals := map[string]bool{"serviceAccount:" + email: true}
	for grown := true; grown; {
		grown = false
		for _, a := range d.accounts {
			member := "serviceAccount:" + a[strings.LastIndex(a, "/")+1:]
			acc := resourceRef{a, "iam.googleapis.com/ServiceAccount"}
			if !principals[member] && (d.holds(principals, "iam.serviceAccounts.setIamPolicy", acc) || d.holds(principals, "iam.serviceAccounts.getAccessToken", acc)) {
				principals[member], grown = true, true
			}
		}
	}
	if d.holds(principals, permission, r) {
		return true
	}
	// Whoever may set a resource's IAM policy, or its project's, may grant itself anything on it.
	for _, admin := range administrators(r) {
		if d.holds(principals, admin.permission, admin.on) {
			return true
		}
	}
	return false
}

// administrators are the permissions that set the IAM policy of r (by its kind, told by its
// name) and of its project.
func administrators(r resourceRef) []struct {
	permission string
	on         resourceRef
} {
	type admin = struct {
		permission string
		on         resourceRef
	}
	var out []admin
	if parts := strings.Split(r.name, "/"); len(parts) >= 2 && parts[0] == "projects" && parts[1] != "_" {
		out = append(out, admin{"resourcemanager.projects.setIamPolicy", resourceRef{"projects/" + parts[1], "cloudresourcemanager.googleapis.com/Project"}})
	}
	for kind, permission := range map[string]string{
		"/serviceAccounts/": "iam.serviceAccounts.setIamPolicy", "/topics/": "pubsub.topics.setIamPolicy",
		"/subscriptions/": "pubsub.subscriptions.setIamPolicy", "/buckets/": "storage.buckets.setIamPolicy", "/cryptoKeys/": "cloudkms.cryptoKeys.setIamPolicy",
	} {
		if strings.Contains(r.name, kind) {
			out = append(out, admin{permission, r})
		}
	}
	return out
}

// holds says whether a grant to one of principals covers permission on r.
func (d *iamDouble) holds(principals map[string]bool, permission string, r resourceRef) bool {
	for _, g := range d.grants {
		under := r.name == g.resource || strings.HasPrefix(r.name, g.resource+"/")
		if !principals[g.member] || !under {
			continue
		}
		perms, known := d.roles[g.role]
		if known && !slices.Contains(perms, permission) {
			continue
		}
		if g.condition != "" && !d.condition(g.condition, r) {
			continue
		}
		return true
	}
	return false
}

// condition evaluates an IAM condition, as IAM does, on r.
func (d *iamDouble) condition(expression string, r resourceRef) bool {
	d.t.Helper()
	env, err := cel.NewEnv(cel.Variable("resource", cel.MapType(cel.StringType, cel.DynType)))
	if err != nil {
		d.t.Fatal(err)
	}
	ast, issues := env.Compile(expression)
	if issues != nil && issues.Err() != nil {
		d.t.Fatalf("condition %q: %v", expression, issues.Err())
	}
	prg, err := env.Program(ast)
	if err != nil {
		d.t.Fatal(err)
	}
	val, _, err := prg.Eval(map[string]any{"resource": map[string]any{"name": r.name, "type": r.typ}})
	if err != nil {
		d.t.Fatalf("condition %q on %s: %v", expression, r.name, err)
	}
	ok, _ := val.Value().(bool)
	return ok
}

// TestTheShippedClustersAreWhereTheAdHocGrantsPointAt: the ad-hoc deployer views clusters, and
// the SQL account reaches instances, in the long-lived tier's project, so the shipped
// non-production cluster stack is there; and no cluster stack is in the ad-hoc environments'
// project, whose accounts the ad-hoc deployer administers.
func TestTheShippedClustersAreWhereTheAdHocGrantsPointAt(t *testing.T) {
	read := func(stack string) map[string]any {
		t.Helper()
		data, err := os.ReadFile(filepath.Join("..", "Pulumi."+stack+".yaml"))
		if err != nil {
			t.Fatal(err)
		}
		var file struct {
			Config map[string]any `yaml:"config"`
		}
		if err := yaml.Unmarshal(data, &file); err != nil {
			t.Fatal(err)
		}
		return file.Config
	}
	bootstrap := read(naming.BootstrapStack)
	longLived, _ := bootstrap["conveyor:tierProjects"].(map[string]any)[string(naming.TierLongLived)].(string)
	envProject, _ := bootstrap["conveyor:adHocEnvironmentsProject"].(string)
	if got, _ := read(naming.NonprodCluster)["conveyor:gcpProject"].(string); got != longLived || got == "" {
		t.Errorf("%s is in project %q, the long-lived tier's is %q", naming.NonprodCluster, got, longLived)
	}
	if got, _ := read(naming.NonprodCluster)[naming.ConfigAdHocEnvironmentsProject].(string); got != envProject || got == "" {
		t.Errorf("%s publishes %q as the ad-hoc environments' project, where the bootstrap grants the ad-hoc deployer is %q", naming.NonprodCluster, got, envProject)
	}
	if got, _ := read(naming.ProdCluster)["conveyor:gcpProject"].(string); got == envProject {
		t.Errorf("%s is in the ad-hoc environments' project %q", naming.ProdCluster, got)
	}
}

// TestTheLongLivedDeployerOnlyFindsTheAdHocProject: the cluster stack reads the ad-hoc
// environments' project's number to publish it as a fact, and its deployer is granted nothing
// else there. (It can still act there as the ad-hoc deployer, whose account it administers in
// the non-production project with roles/iam.serviceAccountAdmin: a higher tier may do what a
// lower one does, the walls keep the lower from the higher.)
func TestTheLongLivedDeployerOnlyFindsTheAdHocProject(t *testing.T) {
	rec, _ := run(t)
	iam := newIAMDouble(t, rec)
	longLived := naming.TierDeployer(naming.TierLongLived, nonprodProject)
	var roles []string
	for _, g := range iam.grants {
		if g.member == "serviceAccount:"+longLived && (g.resource == "projects/"+envProject || strings.HasPrefix(g.resource, "projects/"+envProject+"/")) {
			roles = append(roles, g.role)
		}
	}
	if diff := cmp.Diff([]string{"roles/browser"}, roles); diff != "" {
		t.Errorf("the long-lived deployer's grants on the ad-hoc environments' project (-want +got):\n%s", diff)
	}
	on := resourceRef{"projects/" + envProject, "cloudresourcemanager.googleapis.com/Project"}
	if !iam.allowed(longLived, "resourcemanager.projects.get", on) {
		t.Error("the long-lived deployer cannot read the ad-hoc environments' project, whose number it publishes")
	}
}
