package bootstrap

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/cel-go/cel"
	"github.com/google/go-cmp/cmp"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"gopkg.in/yaml.v3"

	"github.com/conveyor-paas/conveyor/naming"
)

// GCP cannot be reached from tests: recorder is a test double of the GCP provider
// (pulumi.WithMocks) that records every resource's inputs and computes the outputs GCP would
// (names, emails, ids).
type recorder struct {
	mu        sync.Mutex
	resources []recorded
}

type recorded struct {
	typ, name string
	inputs    resource.PropertyMap
	outputs   resource.PropertyMap
}

// projectNumber is the number GCP gives every test project.
const projectNumber = "123456789"

func (r *recorder) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	in := args.Inputs
	out := in.Copy()
	str := func(k string) string { return in[resource.PropertyKey(k)].StringValue() }
	id := args.Name
	switch args.TypeToken {
	case "gcp:iam/workloadIdentityPool:WorkloadIdentityPool":
		out["name"] = resource.NewStringProperty(poolName(str("workloadIdentityPoolId")))
	case "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider":
		out["name"] = resource.NewStringProperty(poolName(str("workloadIdentityPoolId")) + "/providers/" + str("workloadIdentityPoolProviderId"))
	case "gcp:serviceaccount/account:Account":
		email := str("accountId") + "@" + str("project") + ".iam.gserviceaccount.com"
		out["email"] = resource.NewStringProperty(email)
		out["name"] = resource.NewStringProperty("projects/" + str("project") + "/serviceAccounts/" + email)
	case "gcp:projects/iAMCustomRole:IAMCustomRole":
		out["name"] = resource.NewStringProperty("projects/" + str("project") + "/roles/" + str("roleId"))
	case "gcp:kms/keyRing:KeyRing":
		id = fmt.Sprintf("projects/%s/locations/%s/keyRings/%s", str("project"), str("location"), str("name"))
	case "gcp:kms/cryptoKey:CryptoKey":
		id = str("keyRing") + "/cryptoKeys/" + str("name")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.resources = append(r.resources, recorded{typ: args.TypeToken, name: args.Name, inputs: in, outputs: out})
	return id, out, nil
}

func (r *recorder) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	return args.Args, nil
}

func poolName(id string) string {
	return "projects/" + projectNumber + "/locations/global/workloadIdentityPools/" + id
}

func (r *recorder) of(typ string) []recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []recorded
	for _, res := range r.resources {
		if res.typ == typ {
			out = append(out, res)
		}
	}
	return out
}

var testConfig = Config{
	Repository: "acme/conveyor",
	Region:     "europe-west1",
	Projects: map[naming.Tier]string{
		naming.TierProduction: "acme-conveyor-prod",
		naming.TierLongLived:  "acme-conveyor-nonprod",
		naming.TierAdHoc:      "acme-conveyor-nonprod",
	},
	AdHocEnvironmentsProject: "acme-conveyor-adhoc",
}

// run evaluates the bootstrap under mocks, and returns what it made and its outputs.
func run(t *testing.T) (*recorder, map[string]string) {
	t.Helper()
	rec := &recorder{}
	var mu sync.Mutex
	outputs := map[string]string{}
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		outs, err := New(ctx, testConfig)
		for name, v := range outs {
			v.ApplyT(func(s string) string {
				mu.Lock()
				defer mu.Unlock()
				outputs[name] = s
				return s
			})
		}
		return err
	}, pulumi.WithMocks(naming.Project, naming.BootstrapStack, rec))
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	return rec, outputs
}

// token is a GitHub Actions OIDC token's claims, as the provider's condition reads them.
type token struct {
	name                                string
	repository, ref, event, environment string
}

// tokens are what anyone can get GitHub to sign: a pull request's job, in its own version of
// a workflow, names any GitHub environment and runs on pull_request from refs/pull/<n>/merge;
// anyone with push access pushes a branch whose workflow runs on push in any environment;
// another repository's workflows are someone else's. Only main's jobs are reviewed code.
func tokens() []token {
	var out []token
	envs := []string{"adhoc", "longlived", "staging", "prod-plan", "prod", "nonprod"}
	for _, env := range envs {
		out = append(out,
			token{"a pull request in " + env, "acme/conveyor", "refs/pull/7/merge", "pull_request", env},
			token{"a pull_request_target run in " + env, "acme/conveyor", "refs/heads/main", "pull_request_target", env},
			token{"a pushed branch in " + env, "acme/conveyor", "refs/heads/feature", "push", env},
			token{"a dispatch of a branch in " + env, "acme/conveyor", "refs/heads/feature", "workflow_dispatch", env},
			token{"another repository's main in " + env, "evil/conveyor", "refs/heads/main", "push", env},
			token{"a fork named like main in " + env, "acme/conveyor-fork", "refs/heads/main", "workflow_dispatch", env},
		)
		for _, event := range []string{"push", "workflow_dispatch", "schedule"} {
			out = append(out, token{"main's " + event + " in " + env, "acme/conveyor", "refs/heads/main", event, env})
		}
	}
	return out
}

// admitted evaluates a provider's attribute condition, as Google's STS does, on a token.
func admitted(t *testing.T, condition string, tok token) bool {
	t.Helper()
	env, err := cel.NewEnv(cel.Variable("assertion", cel.MapType(cel.StringType, cel.DynType)))
	if err != nil {
		t.Fatal(err)
	}
	ast, issues := env.Compile(condition)
	if issues != nil && issues.Err() != nil {
		t.Fatalf("condition %q: %v", condition, issues.Err())
	}
	prg, err := env.Program(ast)
	if err != nil {
		t.Fatal(err)
	}
	val, _, err := prg.Eval(map[string]any{"assertion": map[string]any{
		"repository": tok.repository, "ref": tok.ref, "event_name": tok.event, "environment": tok.environment, "sub": "repo:" + tok.repository,
	}})
	if err != nil {
		t.Fatalf("condition %q on %s: %v", condition, tok.name, err)
	}
	ok, _ := val.Value().(bool)
	return ok
}

// TestEachProviderAdmitsOnlyItsTier evaluates each tier's provider condition, as made, on
// every token anyone can get GitHub to sign: a pull request's tokens (whatever environment it
// names) reach only the ad-hoc tier; a pushed branch, a branch's dispatch, another
// repository and pull_request_target reach none; main reaches the long-lived tier on push,
// dispatch and schedule, production on dispatch and schedule, each only in its own
// environments.
func TestEachProviderAdmitsOnlyItsTier(t *testing.T) {
	rec, _ := run(t)
	providers := rec.of("gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider")
	if len(providers) != len(naming.Tiers()) {
		t.Fatalf("%d providers, want one per tier", len(providers))
	}
	got := map[string][]string{}
	for _, p := range providers {
		pool := p.inputs["workloadIdentityPoolId"].StringValue()
		if issuer := p.inputs["oidc"].ObjectValue()["issuerUri"].StringValue(); issuer != GitHubIssuer {
			t.Errorf("%s trusts %s", pool, issuer)
		}
		for _, tok := range tokens() {
			if admitted(t, p.inputs["attributeCondition"].StringValue(), tok) {
				got[pool] = append(got[pool], tok.name)
			}
		}
	}
	want := map[string][]string{
		"github-adhoc": {"a pull request in adhoc", "main's schedule in adhoc", "main's workflow_dispatch in adhoc"},
		"github-longlived": {"main's push in longlived", "main's workflow_dispatch in longlived", "main's schedule in longlived",
			"main's push in staging", "main's workflow_dispatch in staging", "main's schedule in staging"},
		"github-prod": {"main's workflow_dispatch in prod-plan", "main's schedule in prod-plan", "main's workflow_dispatch in prod", "main's schedule in prod"},
	}
	for pool := range want {
		slices.Sort(want[pool])
		slices.Sort(got[pool])
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("tokens each pool admits (-want +got):\n%s", diff)
	}
}

// TestNoOtherPoolBindsAnAccount: each service account is impersonable only from its own
// tier's pool, and only by its own GitHub environments: no principal the ad-hoc or
// long-lived pool admits may act as production's deployer or planner, and the planner's
// environment may not act as the deployer.
func TestNoOtherPoolBindsAnAccount(t *testing.T) {
	rec, _ := run(t)
	got := map[string][]string{}
	for _, b := range rec.of("gcp:serviceaccount/iAMMember:IAMMember") {
		account := b.inputs["serviceAccountId"].StringValue()
		got[account] = append(got[account], b.inputs["role"].StringValue()+" "+b.inputs["member"].StringValue())
	}
	principals := func(tier string, envs ...string) []string {
		var out []string
		for _, env := range envs {
			out = append(out, "roles/iam.workloadIdentityUser principalSet://iam.googleapis.com/"+poolName("github-"+tier)+"/attribute.environment/"+env)
		}
		return out
	}
	account := func(id, project string) string {
		return "projects/" + project + "/serviceAccounts/" + id + "@" + project + ".iam.gserviceaccount.com"
	}
	want := map[string][]string{
		account("conveyor-deploy-prod", "acme-conveyor-prod"):         principals("prod", "prod"),
		account("conveyor-plan-prod", "acme-conveyor-prod"):           principals("prod", "prod-plan"),
		account("conveyor-deploy-longlived", "acme-conveyor-nonprod"): principals("longlived", "longlived", "staging"),
		account("conveyor-deploy-adhoc", "acme-conveyor-nonprod"):     principals("adhoc", "adhoc"),
		// The ad-hoc deployer lets its environments' accounts act as the account that reaches
		// their shared instance only (TestTheAdHocDeployerCannotReachAnotherTier).
		account(naming.AdHocSQLAccount, "acme-conveyor-nonprod"): {
			"projects/acme-conveyor-nonprod/roles/" + naming.AdHocSQLDelegationRole + " serviceAccount:conveyor-deploy-adhoc@acme-conveyor-nonprod.iam.gserviceaccount.com",
		},
	}
	for k := range got {
		slices.Sort(got[k])
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("who may act as each account (-want +got):\n%s", diff)
	}
}

// TestStateAndKeysOfATierAreItsOwn: the ad-hoc account holds no role on the long-lived or
// production tier's state bucket or key, the long-lived one none on production's; production
// reads the long-lived tier's (a promotion reads staging); the planner writes only locks.
func TestStateAndKeysOfATierAreItsOwn(t *testing.T) {
	rec, _ := run(t)
	got := map[string][]string{}
	add := func(member, what string) {
		who := strings.TrimSuffix(strings.TrimPrefix(member, "serviceAccount:"), ".iam.gserviceaccount.com")
		who, _, _ = strings.Cut(who, "@")
		got[who] = append(got[who], what)
	}
	for _, b := range rec.of("gcp:storage/bucketIAMMember:BucketIAMMember") {
		what := b.inputs["role"].StringValue() + " on " + b.inputs["bucket"].StringValue()
		if c, ok := b.inputs["condition"]; ok && c.IsObject() {
			what += " if " + c.ObjectValue()["expression"].StringValue()
		}
		add(b.inputs["member"].StringValue(), what)
	}
	for _, b := range rec.of("gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember") {
		add(b.inputs["member"].StringValue(), b.inputs["role"].StringValue()+" on "+b.inputs["cryptoKeyId"].StringValue())
	}
	key := func(project, word string) string {
		return "projects/" + project + "/locations/europe-west1/keyRings/conveyor-" + word + "/cryptoKeys/pulumi-state"
	}
	const prodBucket, longLivedBucket, adhocBucket = "acme-conveyor-prod-conveyor-state-prod", "acme-conveyor-nonprod-conveyor-state-longlived", "acme-conveyor-nonprod-conveyor-state-adhoc"
	clusters := []string{naming.NonprodCluster}
	want := map[string][]string{
		"conveyor-deploy-adhoc": {
			"roles/storage.objectViewer on " + adhocBucket,
			"roles/storage.objectAdmin on " + adhocBucket + " if " + NotFactsCondition(adhocBucket, clusters),
			"roles/cloudkms.cryptoKeyEncrypterDecrypter on " + key("acme-conveyor-nonprod", "adhoc"),
		},
		"conveyor-deploy-longlived": {
			"roles/storage.objectAdmin on " + longLivedBucket,
			"roles/cloudkms.cryptoKeyEncrypterDecrypter on " + key("acme-conveyor-nonprod", "longlived"),
			"roles/storage.objectAdmin on " + adhocBucket + " if " + FactsPublisherCondition(adhocBucket, clusters),
			"roles/cloudkms.cryptoKeyEncrypterDecrypter on " + key("acme-conveyor-nonprod", "adhoc"),
		},
		"conveyor-deploy-prod": {
			"roles/storage.objectAdmin on " + prodBucket,
			"roles/cloudkms.cryptoKeyEncrypterDecrypter on " + key("acme-conveyor-prod", "prod"),
			"roles/storage.objectViewer on " + longLivedBucket,
			"roles/cloudkms.cryptoKeyDecrypter on " + key("acme-conveyor-nonprod", "longlived"),
		},
		"conveyor-plan-prod": {
			"roles/storage.objectViewer on " + prodBucket,
			"roles/cloudkms.cryptoKeyDecrypter on " + key("acme-conveyor-prod", "prod"),
			"roles/storage.objectViewer on " + longLivedBucket,
			"roles/cloudkms.cryptoKeyDecrypter on " + key("acme-conveyor-nonprod", "longlived"),
			"roles/storage.objectAdmin on " + prodBucket + ` if resource.name.startsWith("projects/_/buckets/` + prodBucket + `/objects/.pulumi/locks/")`,
		},
	}
	for k := range want {
		slices.Sort(want[k])
		slices.Sort(got[k])
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("who holds which state and key (-want +got):\n%s", diff)
	}
	for _, b := range rec.of("gcp:storage/bucket:Bucket") {
		if !b.inputs["uniformBucketLevelAccess"].BoolValue() || b.inputs["publicAccessPrevention"].StringValue() != "enforced" {
			t.Errorf("bucket %s: uniform access %v, public access prevention %v", b.name, b.inputs["uniformBucketLevelAccess"], b.inputs["publicAccessPrevention"])
		}
	}
}

// TestTheAdHocAccountHoldsNoProjectRoleOfTheLongLivedTier: the ad-hoc tier shares the
// non-production project with dev and staging; its account holds no role there that reaches
// their resources (it views the clusters), its custom role on its environments' own project,
// and no tier's account but production's any role on production's project.
func TestTheAdHocAccountHoldsNoProjectRoleOfTheLongLivedTier(t *testing.T) {
	rec, _ := run(t)
	got := map[string][]string{}
	for _, b := range rec.of("gcp:projects/iAMMember:IAMMember") {
		who, _, _ := strings.Cut(strings.TrimPrefix(b.inputs["member"].StringValue(), "serviceAccount:"), "@")
		got[who] = append(got[who], b.inputs["role"].StringValue()+" on "+b.inputs["project"].StringValue())
	}
	adhoc := []string{"projects/acme-conveyor-adhoc/roles/" + naming.AdHocEnvironmentRole + " on acme-conveyor-adhoc", "roles/container.clusterViewer on acme-conveyor-nonprod"}
	slices.Sort(got["conveyor-deploy-adhoc"])
	if diff := cmp.Diff(adhoc, got["conveyor-deploy-adhoc"]); diff != "" {
		t.Errorf("the ad-hoc account's project roles (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"roles/viewer on acme-conveyor-prod"}, got["conveyor-plan-prod"]); diff != "" {
		t.Errorf("the planner's project roles (-want +got):\n%s", diff)
	}
	for who, roles := range got {
		for _, r := range roles {
			if strings.HasSuffix(r, "acme-conveyor-prod") && !strings.HasSuffix(who, "-prod") {
				t.Errorf("%s holds %s", who, r)
			}
		}
	}
}

// TestOutputsAreTheWorkflowsVariables: the bootstrap exports exactly the variables the
// workflows read (tests/workflows checks they read no other), with the backend and key
// URLs conveyor takes.
func TestOutputsAreTheWorkflowsVariables(t *testing.T) {
	_, outputs := run(t)
	var want []string
	for _, tier := range naming.Tiers() {
		for _, v := range naming.CIVariables(tier) {
			want = append(want, v.Name)
		}
	}
	var got []string
	for name := range outputs {
		got = append(got, name)
	}
	slices.Sort(want)
	slices.Sort(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("outputs (-want +got):\n%s", diff)
	}
	checks := map[string]string{
		"PULUMI_BACKEND_URL_ADHOC":                 "gs://acme-conveyor-nonprod-conveyor-state-adhoc",
		"CONVEYOR_SECRETS_PROVIDER_PROD":           "gcpkms://projects/acme-conveyor-prod/locations/europe-west1/keyRings/conveyor-prod/cryptoKeys/pulumi-state",
		"GCP_SERVICE_ACCOUNT_PROD_PLANNER":         "conveyor-plan-prod@acme-conveyor-prod.iam.gserviceaccount.com",
		"GCP_WORKLOAD_IDENTITY_PROVIDER_LONGLIVED": poolName("github-longlived") + "/providers/github",
		// The long-lived tier publishes the facts into the ad-hoc tier's backend, with its key.
		"CONVEYOR_FACTS_BACKEND_URL_LONGLIVED":      "gs://acme-conveyor-nonprod-conveyor-state-adhoc",
		"CONVEYOR_FACTS_SECRETS_PROVIDER_LONGLIVED": "gcpkms://projects/acme-conveyor-nonprod/locations/europe-west1/keyRings/conveyor-adhoc/cryptoKeys/pulumi-state",
	}
	for name, value := range checks {
		if outputs[name] != value {
			t.Errorf("%s = %q, want %q", name, outputs[name], value)
		}
	}
}

func TestConfigIsChecked(t *testing.T) {
	shared := testConfig
	shared.Projects = map[naming.Tier]string{naming.TierProduction: "p", naming.TierLongLived: "p", naming.TierAdHoc: "n"}
	noRepo := testConfig
	noRepo.Repository = "conveyor"
	noEnvProject := testConfig
	noEnvProject.AdHocEnvironmentsProject = ""
	configs := map[string]Config{"production shares a project": shared, "no owner": noRepo, "no ad-hoc environments' project": noEnvProject}
	for _, tier := range naming.Tiers() {
		c := testConfig
		c.AdHocEnvironmentsProject = c.Projects[tier]
		configs["the ad-hoc environments' project is the "+string(tier)+" tier's"] = c
	}
	for name, c := range configs {
		if err := c.validate(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// TestTheShippedStackFileRuns: stacks/Pulumi.bootstrap.yaml is a configuration the program
// takes, as `pulumi up -s bootstrap` hands it over.
func TestTheShippedStackFileRuns(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "Pulumi.bootstrap.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Config map[string]any `yaml:"config"`
	}
	if err := yaml.Unmarshal(data, &file); err != nil {
		t.Fatal(err)
	}
	config := map[string]string{}
	for k, v := range file.Config {
		if s, ok := v.(string); ok {
			config[k] = s
			continue
		}
		encoded, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		config[k] = string(encoded)
	}
	encoded, err := json.Marshal(config)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("PULUMI_CONFIG", string(encoded))
	rec := &recorder{}
	if err := pulumi.RunErr(Program, pulumi.WithMocks(naming.Project, naming.BootstrapStack, rec)); err != nil {
		t.Fatal(err)
	}
	if pools := rec.of("gcp:iam/workloadIdentityPool:WorkloadIdentityPool"); len(pools) != len(naming.Tiers()) {
		t.Errorf("%d pools, want one per tier", len(pools))
	}
	t.Setenv("PULUMI_CONFIG", `{"conveyor:githubRepository": "acme/conveyor"}`)
	if err := pulumi.RunErr(Program, pulumi.WithMocks(naming.Project, naming.BootstrapStack, &recorder{})); err == nil || !strings.Contains(err.Error(), "conveyor:gcpRegion") {
		t.Errorf("a stack without its region and projects: %v", err)
	}
}

// TestOnlyTheLongLivedTierWritesTheClusterFacts evaluates the bucket IAM of the ad-hoc tier's
// bucket, as made, on the objects a DIY backend keeps there (naming.FactsStateObjects, which
// a stackops test holds to what the Pulumi CLI writes): the ad-hoc deployer reads the facts
// but writes none of them, nor the backend's metadata, and writes its own stacks; the
// long-lived deployer writes the facts, and neither reads nor writes an ad-hoc stack.
func TestOnlyTheLongLivedTierWritesTheClusterFacts(t *testing.T) {
	rec, _ := run(t)
	const bucket = "acme-conveyor-nonprod-conveyor-state-adhoc"
	object := func(name string) string { return "projects/_/buckets/" + bucket + "/objects/" + name }
	facts := "cluster-nonprod-facts"
	objects := map[string]string{
		"the bucket (a listing)":    "projects/_/buckets/" + bucket,
		"the facts' checkpoint":     object(".pulumi/stacks/conveyor/" + facts + ".json"),
		"the facts' checkpoint, gz": object(".pulumi/stacks/conveyor/" + facts + ".json.gz"),
		"the facts' backup":         object(".pulumi/stacks/conveyor/" + facts + ".json.bak"),
		"the facts' history":        object(".pulumi/history/conveyor/" + facts + "/" + facts + "-1.history.json"),
		"the facts' lock":           object(".pulumi/locks/organization/conveyor/" + facts + "/x.json"),
		"the backend's metadata":    object(".pulumi/meta.yaml"),
		"pr-123's checkpoint":       object(".pulumi/stacks/conveyor/pr-123.json"),
		"pr-123's lock":             object(".pulumi/locks/organization/conveyor/pr-123/x.json"),
		"a look-alike facts stack":  object(".pulumi/stacks/conveyor/cluster-nonprod-factsx.json"),
		"another cluster's facts":   object(".pulumi/stacks/conveyor/cluster-other-facts.json"),
	}
	// can is what member may do (read, write) with what, from the bindings on the bucket.
	can := func(member, name string) (read, write bool) {
		for _, b := range rec.of("gcp:storage/bucketIAMMember:BucketIAMMember") {
			if b.inputs["bucket"].StringValue() != bucket || !strings.Contains(b.inputs["member"].StringValue(), member+"@") {
				continue
			}
			if c, ok := b.inputs["condition"]; ok && c.IsObject() && !resourceAdmitted(t, c.ObjectValue()["expression"].StringValue(), name) {
				continue
			}
			switch b.inputs["role"].StringValue() {
			case "roles/storage.objectAdmin":
				read, write = true, true
			case "roles/storage.objectViewer":
				read = true
			}
		}
		return read, write
	}
	type access struct{ read, write bool }
	want := map[string]map[string]access{
		"conveyor-deploy-adhoc": {
			"the bucket (a listing)": {true, true}, "the facts' checkpoint": {true, false}, "the facts' checkpoint, gz": {true, false},
			"the facts' backup": {true, false}, "the facts' history": {true, false}, "the facts' lock": {true, false},
			"the backend's metadata": {true, false}, "pr-123's checkpoint": {true, true}, "pr-123's lock": {true, true},
			"a look-alike facts stack": {true, true}, "another cluster's facts": {true, true},
		},
		"conveyor-deploy-longlived": {
			"the bucket (a listing)": {true, true}, "the facts' checkpoint": {true, true}, "the facts' checkpoint, gz": {true, true},
			"the facts' backup": {true, true}, "the facts' history": {true, true}, "the facts' lock": {true, true},
			"the backend's metadata": {true, true}, "pr-123's checkpoint": {false, false}, "pr-123's lock": {false, false},
			"a look-alike facts stack": {false, false}, "another cluster's facts": {false, false},
		},
	}
	for member, objs := range want {
		got := map[string]access{}
		for what, name := range objects {
			r, w := can(member, name)
			got[what] = access{r, w}
		}
		if diff := cmp.Diff(objs, got, cmp.AllowUnexported(access{})); diff != "" {
			t.Errorf("what %s may do in the ad-hoc bucket (-want +got):\n%s", member, diff)
		}
	}
}

// resourceAdmitted evaluates a bucket IAM condition, as Cloud Storage does, on a resource.
func resourceAdmitted(t *testing.T, condition, name string) bool {
	t.Helper()
	env, err := cel.NewEnv(cel.Variable("resource", cel.MapType(cel.StringType, cel.DynType)))
	if err != nil {
		t.Fatal(err)
	}
	ast, issues := env.Compile(condition)
	if issues != nil && issues.Err() != nil {
		t.Fatalf("condition %q: %v", condition, issues.Err())
	}
	prg, err := env.Program(ast)
	if err != nil {
		t.Fatal(err)
	}
	val, _, err := prg.Eval(map[string]any{"resource": map[string]any{"name": name}})
	if err != nil {
		t.Fatalf("condition %q on %s: %v", condition, name, err)
	}
	ok, _ := val.Value().(bool)
	return ok
}
