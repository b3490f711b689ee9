package naming

import (
	"go/ast"
	"go/parser"
	"go/token"
	"hash/maphash"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// tuple is one generated set of name parts.
type tuple struct {
	env, space, module, component, event, fromSpace, fromModule string
	cluster, pool, region                                       string
	// secret is a secret's name: a variable name, upper or lower case, up to twice the
	// length that still fits uncut.
	secret string
}

// lookalikes are the words the package itself writes into names ("conveyor-<cluster>-nodes",
// "<module>-database", "kube-system"...) and a few very short ones. Parts drawn from them join
// into strings that look like another kind's name: "conveyor-a" + "nodes" against cluster
// "a"'s node account, "kube" + "system" against Kubernetes' own namespace, "pr-a" + "b"
// against "pr" + "a-b".
var lookalikes = []string{
	"a", "b", "ab", "pr", "x1", "qa", "1",
	"conveyor", "nodes", "database", "setup", "topics", "subscriptions", "postgres", "admin",
	"pubsub", "emulator", "team", "edit", "from", "dead", "letter", "pg", "router", "nat",
	"private", "services", "default", "kube", "system", "public", "node", "lease", "gke",
	"gmp", "managed", "quota", "limits", "deny", "allow", "same", "space", "spaces",
	"environment", "template0", "template1", "cloudsqladmin",
}

// gen draws parts from the grammar of parts.go. Half of the words are look-alikes; the other
// half are random and long, up to twice the part limits, so that every name is also
// exercised past its target's limit.
type gen struct{ r *rand.Rand }

func (g gen) word(maxLen int) string {
	if g.r.IntN(2) == 0 {
		w := lookalikes[g.r.IntN(len(lookalikes))]
		for w[0] >= '0' && w[0] <= '9' {
			w = lookalikes[g.r.IntN(len(lookalikes))]
		}
		return w
	}
	const letters = "abcdefghijklmnopqrstuvwxyz"
	const alnum = letters + "0123456789"
	n := 1 + g.r.IntN(2*maxLen)
	var b strings.Builder
	b.WriteByte(letters[g.r.IntN(len(letters))])
	for b.Len() < n {
		b.WriteByte(alnum[g.r.IntN(len(alnum))])
	}
	return b.String()
}

func (g gen) dashed(maxLen int) string {
	parts := []string{g.word(maxLen)}
	for g.r.IntN(3) == 0 {
		w := g.word(maxLen / 2)
		if g.r.IntN(2) == 0 {
			w = "123"[:1+g.r.IntN(3)] // a word may start with a digit after a dash (pr-123)
		}
		parts = append(parts, w)
	}
	return strings.Join(parts, "-")
}

// secretName draws a variable name: a look-alike in upper or lower case, or random letters,
// digits and '_'.
func (g gen) secretName() string {
	if g.r.IntN(2) == 0 {
		w := g.word(10)
		if g.r.IntN(2) == 0 {
			w = strings.ToUpper(w)
		}
		return strings.ReplaceAll(w, "-", "_")
	}
	const first = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_"
	const rest = first + "0123456789"
	n := 1 + g.r.IntN(2*MaxSecretManagerID)
	var b strings.Builder
	b.WriteByte(first[g.r.IntN(len(first))])
	for b.Len() < n {
		b.WriteByte(rest[g.r.IntN(len(rest))])
	}
	return b.String()
}

var regions = []string{"europe-west1", "us-central1", "west1", "europe"}

func (g gen) tuple() tuple {
	return tuple{
		env: g.dashed(MaxEnvironmentLen), space: g.word(MaxSpaceLen), module: g.word(MaxModuleLen),
		component: g.dashed(MaxComponentLen), event: g.dashed(MaxEventLen),
		fromSpace: g.word(MaxSpaceLen), fromModule: g.word(MaxModuleLen),
		cluster: g.dashed(MaxClusterLen), pool: g.dashed(MaxClusterLen), region: regions[g.r.IntN(len(regions))],
		secret: g.secretName(),
	}
}

// platform says whether the platform would make names from u at all: a part it refuses (a
// reserved word, "goog") yields no name. Parts past their length limit are kept: Fit must
// keep their names apart too.
func (u tuple) platform() bool {
	return reservedWord(PartEnvironment, u.env) == nil && !strings.HasPrefix(u.env, "goog") &&
		reservedWord(PartModule, u.module) == nil && reservedWord(PartModule, u.fromModule) == nil &&
		u.space != ReservedSpace && u.fromSpace != ReservedSpace &&
		// The manifest refuses the reserved space's name as a module's too: the platform's own
		// accounts take it (PlatformServiceAccountID).
		u.module != ReservedSpace && u.fromModule != ReservedSpace
}

// kind is one kind of name: the function that makes it, the target it must be valid for,
// the inputs it depends on, and the domains it must be unique in (what a name is unique
// within where it lives: "Secret in namespace dev-sales", "GCP service account id").
type kind struct {
	fn      string // the function of this package that makes the name
	target  Target
	key     func(tuple) string
	make    func(tuple) string
	domains func(tuple) []string
}

func in(domains ...string) func(tuple) []string { return func(tuple) []string { return domains } }

// spaceNS and platformNS are the namespaces a kind's objects live in.
func spaceNS(kinds ...string) func(tuple) []string {
	return func(u tuple) []string { return prefixed(kinds, Namespace(u.env, u.space)) }
}

func platformNS(kinds ...string) func(tuple) []string {
	return func(u tuple) []string { return prefixed(kinds, PlatformNamespace(u.env)) }
}

func bothNS(kinds ...string) func(tuple) []string {
	return func(u tuple) []string {
		return append(prefixed(kinds, Namespace(u.env, u.space)), prefixed(kinds, PlatformNamespace(u.env))...)
	}
}

func prefixed(kinds []string, ns string) []string {
	out := make([]string, len(kinds))
	for i, k := range kinds {
		out[i] = k + " in " + ns
	}
	return out
}

func fixed(name string) func(tuple) string { return func(tuple) string { return name } }

// Names that Kubernetes, GKE and Cloud SQL make themselves, where ours live: a name of ours
// must never be one of theirs.
var systemNames = []struct {
	domain string
	names  []string
}{
	{"Namespace", []string{"default", "kube-system", "kube-public", "kube-node-lease", "gke-managed-system", "gke-managed-cim", "gke-gmp-system", "gmp-system", "gmp-public"}},
	{"postgres database", []string{"postgres", "template0", "template1", "cloudsqladmin"}},
	{"postgres role", []string{"postgres", "cloudsqlsuperuser", "cloudsqladmin", "cloudsqlagent", "cloudsqlreplica", "cloudsqliamuser", "cloudsqliamserviceaccount", "cloudsqlimportexport"}},
}

// kinds is every kind of name the package makes.
func kinds() []kind {
	ks := []kind{
		{"Namespace", TargetKubernetesLabel, func(u tuple) string { return u.env + "|" + u.space },
			func(u tuple) string { return Namespace(u.env, u.space) }, in("Namespace")},
		{"PlatformNamespace", TargetKubernetesLabel, func(u tuple) string { return u.env },
			func(u tuple) string { return PlatformNamespace(u.env) }, in("Namespace")},
		{"Workload", TargetKubernetesSvc, func(u tuple) string { return u.module + "|" + u.component },
			func(u tuple) string { return Workload(u.module, u.component) },
			spaceNS("Deployment", "Service", "Job", "HorizontalPodAutoscaler", "PodDisruptionBudget")},
		{"CronJob", TargetCronJob, func(u tuple) string { return u.module + "|" + u.component },
			func(u tuple) string { return CronJob(u.module, u.component) }, spaceNS("CronJob")},
		{"KubernetesServiceAccount", TargetKubernetesLabel, func(u tuple) string { return u.module },
			func(u tuple) string { return KubernetesServiceAccount(u.module) }, spaceNS("ServiceAccount")},
		// The Secret a component reads, and its copy for the local database setup job.
		{"DatabaseSecret", TargetKubernetesLabel, func(u tuple) string { return u.module },
			func(u tuple) string { return DatabaseSecret(u.module) }, bothNS("Secret")},
		{"TeamRoleBinding", TargetKubernetesLabel, func(u tuple) string { return u.space },
			func(u tuple) string { return TeamRoleBinding(u.space) }, spaceNS("RoleBinding")},
		{"DatabaseSetupJob", TargetKubernetesSvc, func(u tuple) string { return u.module },
			func(u tuple) string { return DatabaseSetupJob(u.module) }, platformNS("Job")},
		{"SetupJob", TargetKubernetesSvc, func(u tuple) string { return u.module + "|topics" },
			func(u tuple) string { return SetupJob(u.module, TopicsSetupComponent) }, platformNS("Job")},
		{"SetupJob", TargetKubernetesSvc, func(u tuple) string { return u.module + "|subscriptions" },
			func(u tuple) string { return SetupJob(u.module, SubscriptionsSetupComponent) }, platformNS("Job")},
		{"SetupJob", TargetKubernetesSvc, func(u tuple) string { return u.module + "|seed" },
			func(u tuple) string { return SetupJob(u.module, DatabaseSeedComponent) }, platformNS("CronJob")},
		{"DatabaseAdminSecret", TargetKubernetesLabel, fixed(""), func(tuple) string { return DatabaseAdminSecret() },
			platformNS("Secret")},
		{"DatabaseTeardownJob", TargetKubernetesSvc, fixed(""), func(tuple) string { return DatabaseTeardownJob() },
			platformNS("Job")},
		{"PrivateGoogleAPIsZone", TargetCompute, func(u tuple) string { return u.cluster },
			func(u tuple) string { return PrivateGoogleAPIsZone(u.cluster) }, in("dns managed zone")},
		{"LocalPostgres", TargetKubernetesSvc, fixed(""), func(tuple) string { return LocalPostgres() },
			platformNS("StatefulSet", "Service")},
		{"LocalPubSubEmulator", TargetKubernetesSvc, fixed(""), func(tuple) string { return LocalPubSubEmulator() },
			platformNS("Deployment", "Service", "PodDisruptionBudget")},
		{"LocalPostgresAdminSecret", TargetKubernetesLabel, fixed(""), func(tuple) string { return LocalPostgresAdminSecret() },
			platformNS("Secret")},
		{"ResourceQuota", TargetKubernetesLabel, fixed(""), fixed(ResourceQuota), bothNS("ResourceQuota")},
		{"LimitRange", TargetKubernetesLabel, fixed(""), fixed(LimitRange), bothNS("LimitRange")},
		// The service account every namespace has: no module's may be it.
		{"system", TargetKubernetesLabel, fixed("default"), fixed("default"), bothNS("ServiceAccount")},
		{"Database", TargetPostgres, func(u tuple) string { return u.env + "|" + u.module },
			func(u tuple) string { return Database(u.env, u.module) }, in("postgres database")},
		{"DatabaseUser", TargetPostgres, func(u tuple) string { return u.env + "|" + u.module },
			func(u tuple) string { return DatabaseUser(u.env, u.module) }, in("postgres role")},
		// A seeded module's template and the two databases of its seeding job, on the instance.
		{"SeedTemplate", TargetPostgres, func(u tuple) string { return "template|" + u.module },
			func(u tuple) string { return SeedTemplate(u.module) }, in("postgres database")},
		{"SeedBuild", TargetPostgres, func(u tuple) string { return "build|" + u.module },
			func(u tuple) string { return SeedBuild(u.module) }, in("postgres database")},
		{"SeedRetired", TargetPostgres, func(u tuple) string { return "retired|" + u.module },
			func(u tuple) string { return SeedRetired(u.module) }, in("postgres database")},
		{"Topic", TargetPubSub, func(u tuple) string { return u.env + "|" + u.space + "|" + u.module + "|" + u.event },
			func(u tuple) string { return Topic(u.env, u.space, u.module, u.event) }, in("pubsub topic")},
		{"Subscription", TargetPubSub, subscriptionKey,
			func(u tuple) string {
				return Subscription(u.env, u.space, u.module, u.fromSpace, u.fromModule, u.event)
			},
			in("pubsub subscription")},
		{"DeadLetterTopic", TargetPubSub, subscriptionKey,
			func(u tuple) string {
				return DeadLetterTopic(u.env, u.space, u.module, u.fromSpace, u.fromModule, u.event)
			}, in("pubsub topic")},
		{"DeadLetterSubscription", TargetPubSub, subscriptionKey,
			func(u tuple) string {
				return DeadLetterSubscription(u.env, u.space, u.module, u.fromSpace, u.fromModule, u.event)
			}, in("pubsub subscription")},
		// Every environment on a cluster creates its modules' accounts in the cluster's project,
		// where the cluster's node account is.
		{"ServiceAccountID", TargetServiceAccount, func(u tuple) string { return u.env + "|" + u.module },
			func(u tuple) string { return ServiceAccountID(u.env, u.module) }, in("gcp service account")},
		{"PlatformServiceAccountID", TargetServiceAccount, func(u tuple) string { return u.env },
			func(u tuple) string { return PlatformServiceAccountID(u.env) }, in("gcp service account")},
		{"NodeServiceAccountID", TargetServiceAccount, func(u tuple) string { return u.cluster },
			func(u tuple) string { return NodeServiceAccountID(u.cluster) }, in("gcp service account")},
		{"Cluster", TargetGKE, func(u tuple) string { return u.cluster },
			func(u tuple) string { return Cluster(u.cluster) }, in("gke cluster")},
		{"NodePool", TargetGKE, func(u tuple) string { return u.pool },
			func(u tuple) string { return NodePool(u.pool) }, func(u tuple) []string { return []string{"node pool of " + u.cluster} }},
		{"Network", TargetCompute, func(u tuple) string { return u.cluster },
			func(u tuple) string { return Network(u.cluster) }, in("compute network")},
		{"Subnetwork", TargetCompute, func(u tuple) string { return u.cluster + "|" + u.region },
			func(u tuple) string { return Subnetwork(u.cluster, u.region) }, in("compute subnetwork")},
		{"PrivateServicesRange", TargetCompute, func(u tuple) string { return u.cluster },
			func(u tuple) string { return PrivateServicesRange(u.cluster) }, in("compute global address")},
		{"Router", TargetCompute, func(u tuple) string { return u.cluster },
			func(u tuple) string { return Router(u.cluster) }, in("compute router")},
		{"NAT", TargetCompute, func(u tuple) string { return u.cluster },
			func(u tuple) string { return NAT(u.cluster) }, in("cloud nat")},
		{"SQLInstance", TargetSQLInstance, func(u tuple) string { return u.cluster },
			func(u tuple) string { return SQLInstance(u.cluster) }, in("cloud sql instance")},
		{"SQLInstanceOf", TargetSQLInstance, func(u tuple) string { return u.cluster + "|" + StagingScope },
			func(u tuple) string { return SQLInstanceOf(u.cluster, StagingScope) }, in("cloud sql instance")},
		{"DatabaseRootSecret", TargetKubernetesLabel, func(u tuple) string { return u.cluster },
			func(u tuple) string { return DatabaseRootSecret(SQLInstance(u.cluster)) }, in("Secret in " + ClusterPlatformNamespace)},
		{"system", TargetKubernetesLabel, fixed(ClusterPlatformNamespace), fixed(ClusterPlatformNamespace), in("Namespace")},
		// The admission policies that wall modules' Secrets off: one per local environment,
		// one for a GKE cluster (components/module_secrets_admission.go).
		{"ModuleSecretsPolicy", TargetKubernetesLabel, func(u tuple) string { return u.env },
			func(u tuple) string { return ModuleSecretsPolicy(u.env) }, in("ValidatingAdmissionPolicy")},
		{"system", TargetKubernetesLabel, fixed("gke"), func(tuple) string { return ModuleSecretsPolicy("") }, in("ValidatingAdmissionPolicy")},
		{"system", TargetPostgres, fixed(DatabaseAdminUser), fixed(DatabaseAdminUser), in("postgres role")},
		// Application secrets: an environment's and the ad-hoc tier's defaults share the
		// project's Secret Manager; a module's values on a local cluster, and a component's
		// SecretProviderClass on GKE.
		{"SecretManagerSecret", TargetSecretManager, func(u tuple) string { return u.env + "|" + u.module + "|" + u.secret },
			func(u tuple) string { return SecretManagerSecret(u.env, u.module, u.secret) }, in("secret manager secret")},
		{"AdHocDefaultSecret", TargetSecretManager, func(u tuple) string { return "ad-hoc tier|" + u.module + "|" + u.secret },
			func(u tuple) string { return AdHocDefaultSecret(u.module, u.secret) }, in("secret manager secret")},
		{"AppSecret", TargetKubernetesLabel, func(u tuple) string { return u.module },
			func(u tuple) string { return AppSecret(u.module) }, spaceNS("Secret")},
		{"SecretProviderClass", TargetKubernetesLabel, func(u tuple) string { return u.module + "|" + u.component },
			func(u tuple) string { return SecretProviderClass(u.module, u.component) }, spaceNS("SecretProviderClass")},
		// A container's variables: the module's topics and subscriptions beside the fixed ones.
		{"TopicEnvVar", "", func(u tuple) string { return u.event },
			func(u tuple) string { return TopicEnvVar(u.event) }, in("container variable")},
		{"SubscriptionEnvVar", "", func(u tuple) string { return u.fromModule + "|" + u.event },
			func(u tuple) string { return SubscriptionEnvVar(u.fromModule, u.event) }, in("container variable")},
	}
	for _, purpose := range []string{PolicyDefaultDeny, PolicyAllowSameSpace, PolicyAllowFromSpaces, PolicyAllowEnvironment} {
		ks = append(ks, kind{"NetworkPolicy", TargetKubernetesLabel, fixed(purpose),
			func(tuple) string { return NetworkPolicy(purpose) }, bothNS("NetworkPolicy")})
	}
	for _, scope := range append(DatabaseAdminScopes(true), DatabaseAdminScopes(false)...) {
		ks = append(ks,
			kind{"DatabaseAdmin", TargetPostgres, fixed(scope), func(tuple) string { return DatabaseAdmin(scope) }, in("postgres role")},
			kind{"DatabaseAdminNamespace", TargetKubernetesLabel, fixed(scope),
				func(tuple) string { return DatabaseAdminNamespace(scope) }, in("Namespace")},
			kind{"DatabaseAdminsJob", TargetKubernetesSvc, fixed(scope),
				func(tuple) string { return DatabaseAdminsJob(scope) }, in("Job in " + ClusterPlatformNamespace)})
		if scope != AdHocAdminScope && scope != ProductionStack {
			ks = append(ks, kind{"SeedOwner", TargetPostgres, fixed(scope), func(tuple) string { return SeedOwner(scope) }, in("postgres role")})
		}
	}
	for _, access := range []TeamAccess{TeamEdit, TeamView} {
		ks = append(ks, kind{"TeamRole", TargetKubernetesLabel, fixed(string(access)),
			func(tuple) string { return TeamRole(access) }, spaceNS("Role")})
	}
	for _, v := range []string{EnvEnvironment, EnvSpace, EnvModule, EnvComponent, EnvProject, EnvPubSubEmulator} {
		ks = append(ks, kind{"system", "", fixed(v), fixed(v), in("container variable")})
	}
	for _, s := range systemNames {
		for _, name := range s.names {
			ks = append(ks, kind{"system", "", fixed(name), fixed(name), in(s.domain)})
		}
	}
	return ks
}

func subscriptionKey(u tuple) string {
	return strings.Join([]string{u.env, u.space, u.module, u.fromSpace, u.fromModule, u.event}, "|")
}

// TestNamesAreInjectiveAndValid generates 100,000 tuples and checks every kind of name against
// every other: within each domain where names must be unique, no two kinds, and no two
// inputs of one kind, share a name; and every name is valid for its target.
func TestNamesAreInjectiveAndValid(t *testing.T) {
	const n = 100_000
	ks := kinds()
	// seen maps a hash of (domain, name) to the first (tuple, kind) that made it; the
	// tuples are kept to recompute and report both sides of a collision.
	type origin struct{ tuple, kind int32 }
	seed := maphash.MakeSeed()
	seen := make(map[uint64]origin, 8*n)
	tuples := make([]tuple, 0, n)
	namespaces := map[string]bool{}

	g := gen{rand.New(rand.NewPCG(1, 2))}
	for len(tuples) < n {
		u := g.tuple()
		if !u.platform() {
			continue
		}
		tuples = append(tuples, u)
		ti := int32(len(tuples) - 1)
		for ki, k := range ks {
			name, key := k.make(u), k.key(u)
			for _, domain := range k.domains(u) {
				h := maphash.String(seed, domain+"\x00"+name)
				prev, ok := seen[h]
				if !ok {
					seen[h] = origin{ti, int32(ki)}
					continue
				}
				pk, pu := ks[prev.kind], tuples[prev.tuple]
				if pk.make(pu) != name { // a collision of the hash, not of the names
					continue
				}
				if int(prev.kind) == ki && pk.key(pu) == key || pk.fn == k.fn && pk.key(pu) == key {
					continue // the same name of the same thing
				}
				t.Fatalf("%s: %s(%q) and %s(%q) both make %q", domain, pk.fn, pk.key(pu), k.fn, key, name)
			}
			if k.target == "" {
				continue
			}
			if errs := ValidateName(k.target, name); len(errs) > 0 {
				t.Fatalf("%s %q from %+v is not a valid %s: %v", k.fn, name, u, k.target, errs)
			}
		}
		namespaces[Namespace(u.env, u.space)] = true
		for key, v := range KubernetesLabels(Scope{u.env, u.space, u.module, u.component, "", "", ""}) {
			if errs := ValidateName(TargetLabelValue, v); len(errs) > 0 {
				t.Fatalf("label %s=%q is not a valid label value: %v", key, v, errs)
			}
		}
		for key, v := range GCPLabels(Scope{u.env, u.space, u.module, u.component, u.event, u.fromSpace, u.fromModule}) {
			if errs := ValidateName(TargetGCPLabelValue, v); len(errs) > 0 {
				t.Fatalf("GCP label %s=%q is not valid: %v", key, v, errs)
			}
		}
	}
	// The generator must actually have produced both look-alike and over-long inputs,
	// otherwise the test proves little.
	if len(namespaces) < n/10 {
		t.Fatalf("only %d distinct namespaces from %d tuples: the generator is too narrow", len(namespaces), n)
	}
}

// TestEveryNameIsChecked: every exported function of the package that makes a name is a kind
// of TestNamesAreInjectiveAndValid, so a new kind of name cannot skip the check against all
// the others. Functions that return a string but make no name of a resource say why.
func TestEveryNameIsChecked(t *testing.T) {
	notNames := map[string]string{
		"Fit":                       "the cutting every kind uses",
		"ServiceAccountDisplayName": "a display name, which GCP does not require to be unique",
		"DefaultCluster":            "names an existing stack, made by no one",
		"CIVariable":                "names a GitHub Actions variable, not a resource; TestCIVariablesAreTheTiersOwn keeps them apart",
		"TierIdentityPool":          "one per tier, made once by the bootstrap stack; TestTierNames keeps them apart",
		"TierDeployAccount":         "one per tier, made once by the bootstrap stack; TestTierNames keeps them apart",
		"TierStateBucket":           "one per tier, made once by the bootstrap stack; TestTierNames keeps them apart",
		"TierKeyRing":               "one per tier, made once by the bootstrap stack; TestTierNames keeps them apart",
		"DatabaseRoleComment":       "a mark on a role, made unique by the environment's name",
		"ServiceHost":               "the DNS name of a Service that is a kind already",
		"ServiceURL":                "the address of a Service that is a kind already",
		"MeshPrincipal":             "the mesh identity of a Kubernetes service account, which is a kind already",
		"JoinRegistries":            "an annotation's value: registries, which the platform names",
		"BudgetValue":               "an annotation's value: a space's monthly budget, not a name",
		"MeshTrustDomain":           "the fleet's workload identity pool, which Google names",
		"DatabaseAdminScope":        "the scope of an environment's database admin, a part of the names below",
		"DatabaseAdminComponent":    "a component label, the part of DatabaseAdminsJob that names the scope",
		"TierDeployer":              "the email Google gives a tier's deploy account (TierDeployAccount), which GKE uses as its user name",
		"AdHocSQLAccountEmail":      "the email Google gives AdHocSQLAccount, a fixed id the bootstrap makes",
		"Sleeper":                   "the email Google gives the sleeper's account (SleeperAccount, one per project), which GKE uses as its user name",
		"ClusterFactsStack":         "names a stack, one per cluster stack, whose name it extends; ClassifyStack tells them apart",
		"ClusterReference":          "names an existing stack: a cluster stack or its facts stack",
		"ModuleStack":               "names a stack, one per module of an environment, whose name it extends with a dot no other name has; ClassifyStack tells them apart",
		"EnvironmentOf":             "the environment of a stack: an existing name, made by no one",
	}
	checked := map[string]bool{}
	for _, k := range kinds() {
		checked[k.fn] = true
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var missing []string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		file, err := parser.ParseFile(fset, f, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range file.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv != nil || !fn.Name.IsExported() || fn.Type.Results == nil || len(fn.Type.Results.List) != 1 {
				continue
			}
			if id, ok := fn.Type.Results.List[0].Type.(*ast.Ident); !ok || id.Name != "string" {
				continue
			}
			if !checked[fn.Name.Name] && notNames[fn.Name.Name] == "" {
				missing = append(missing, fn.Name.Name)
			}
		}
	}
	slices.Sort(missing)
	if len(missing) > 0 {
		t.Errorf("functions that make names but are not kinds of the property test: %v", missing)
	}
}

// TestCutNamesAreNeverUncutNames: a name cut to fit its target must not be the uncut name of
// other parts. The GCP service account id is the one kind cut for valid parts: "<env>-<module>"
// of 31 characters or more becomes a prefix and a hash, and if that hash read as a module's
// name, the prefix as an environment, the id would be that module's too.
func TestCutNamesAreNeverUncutNames(t *testing.T) {
	g := gen{rand.New(rand.NewPCG(3, 4))}
	cut := 0
	for cut < 20_000 {
		// An environment of exactly 20 characters makes the kept prefix a whole environment.
		env := g.dashed(MaxEnvironmentLen)
		if len(env) < MaxEnvironmentLen {
			env += "-" + strings.Repeat("e", max(1, MaxEnvironmentLen-len(env)-1))
		}
		env = strings.TrimRight(env[:min(len(env), MaxEnvironmentLen)], "-")
		module := g.word(MaxModuleLen)
		if ValidatePart(PartEnvironment, env) != nil || ValidatePart(PartModule, module) != nil {
			continue
		}
		id := ServiceAccountID(env, module)
		if id == env+"-"+module {
			continue
		}
		cut++
		i := strings.LastIndexByte(id, '-')
		otherEnv, otherModule := id[:i], id[i+1:]
		if ValidatePart(PartEnvironment, otherEnv) == nil && ValidatePart(PartModule, otherModule) == nil &&
			ServiceAccountID(otherEnv, otherModule) == id {
			t.Fatalf("service account id %q of environment %q, module %q is also that of environment %q, module %q", id, env, module, otherEnv, otherModule)
		}
	}
}
