package naming

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
)

func TestNames(t *testing.T) {
	long := strings.Repeat("a", 40)
	tests := []struct {
		name   string
		got    string
		want   string
		target Target
	}{
		{"namespace", Namespace("dev", "sales"), "dev-sales", TargetKubernetesLabel},
		{"namespace ad-hoc", Namespace("pr-123", "sales"), "pr-123-sales", TargetKubernetesLabel},
		{"namespace at limit", Namespace(strings.Repeat("e", 31), strings.Repeat("s", 31)), strings.Repeat("e", 31) + "-" + strings.Repeat("s", 31), TargetKubernetesLabel},
		{"namespace past limit", Namespace(strings.Repeat("e", 31), strings.Repeat("s", 32)), strings.Repeat("e", 31) + "-" + strings.Repeat("s", 22) + "-" + hashOf(strings.Repeat("e", 31)+"-"+strings.Repeat("s", 32)), TargetKubernetesLabel},
		{"platform namespace", PlatformNamespace("local"), "local-conveyor", TargetKubernetesLabel},
		{"workload", Workload("quotes", "api"), "quotes-api", TargetKubernetesSvc},
		{"workload dashed component", Workload("quotes", "nightly-report"), "quotes-nightly-report", TargetKubernetesSvc},
		{"cronjob at 52", CronJob(strings.Repeat("m", 26), strings.Repeat("c", 25)), strings.Repeat("m", 26) + "-" + strings.Repeat("c", 25), TargetCronJob},
		{"cronjob past 52", CronJob(strings.Repeat("m", 26), strings.Repeat("c", 26)), strings.Repeat("m", 26) + "-" + strings.Repeat("c", 16) + "-" + hashOf(strings.Repeat("m", 26)+"-"+strings.Repeat("c", 26)), TargetCronJob},
		{"kubernetes service account", KubernetesServiceAccount("quotes"), "quotes", TargetKubernetesLabel},
		{"database secret", DatabaseSecret("quotes"), "quotes-database", TargetKubernetesLabel},
		{"database", Database("dev", "quotes"), "dev_quotes", TargetPostgres},
		{"database ad-hoc", Database("pr-123", "quotes"), "pr_123_quotes", TargetPostgres},
		{"database user", DatabaseUser("pr-123", "quotes"), "pr_123_quotes", TargetPostgres},
		{"database past 63", Database(long, long), long + "_" + strings.Repeat("a", 13) + "_" + hashOf(long+"_"+long), TargetPostgres},
		{"topic", Topic("dev", "sales", "quotes", "quote-accepted"), "dev.sales.quotes.quote-accepted", TargetPubSub},
		{"subscription", Subscription("dev", "claims", "claims", "sales", "policies", "policy-issued"), "dev.claims.claims.from.sales.policies.policy-issued", TargetPubSub},
		{"dead-letter topic", DeadLetterTopic("dev", "claims", "claims", "sales", "policies", "policy-issued"), "dev.claims.claims.from.sales.policies.policy-issued.dead-letter", TargetPubSub},
		{"service account", ServiceAccountID("dev", "quotes"), "dev-quotes", TargetServiceAccount},
		{"service account at 30", ServiceAccountID("pr-1234567890", "quotesquotesquot"), "pr-1234567890-quotesquotesquot", TargetServiceAccount},
		{"service account past 30", ServiceAccountID("pr-1234567890", "quotesquotesquote"), "pr-1234567890-quotesq-" + hashOf("pr-1234567890-quotesquotesquote"), TargetServiceAccount},
		{"service account padded from 3", ServiceAccountID("a", "b"), "a-b-00", TargetServiceAccount},
		{"service account padded from 4", ServiceAccountID("qa", "x"), "qa-x-0", TargetServiceAccount},
		{"service account padded from 5", ServiceAccountID("qa", "xy"), "qa-xy-0", TargetServiceAccount},
		{"service account at 6", ServiceAccountID("qa", "xyz"), "qa-xyz", TargetServiceAccount},
		{"cluster", Cluster("nonprod"), "conveyor-nonprod", TargetGKE},
		{"cluster past 40", Cluster(strings.Repeat("n", 32)), "conveyor-" + strings.Repeat("n", 22) + "-" + hashOf("conveyor-"+strings.Repeat("n", 32)), TargetGKE},
		{"node pool", NodePool("general"), "general", TargetGKE},
		{"network", Network("nonprod"), "conveyor-nonprod", TargetCompute},
		{"subnetwork", Subnetwork("nonprod", "europe-west1"), "conveyor-nonprod-europe-west1", TargetCompute},
		{"sql instance", SQLInstance("prod"), "conveyor-prod-pg", TargetSQLInstance},
		{"node service account", NodeServiceAccountID("nonprod"), "conveyor-nonprod-nodes", TargetServiceAccount},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
			if errs := ValidateName(tt.target, tt.got); len(errs) > 0 {
				t.Errorf("%q is not a valid %s: %v", tt.got, tt.target, errs)
			}
		})
	}
}

// hashOf computes the suffix Fit appends independently of Fit: the first 8 hex digits of the
// SHA-256 of the full name, the first one a decimal digit (a-f read as 0-5).
func hashOf(full string) string {
	sum := sha256.Sum256([]byte(full))
	h := hex.EncodeToString(sum[:])[:8]
	if i := strings.IndexByte("abcdef", h[0]); i >= 0 {
		h = string(rune('0'+i)) + h[1:]
	}
	return h
}

func TestFitIsDeterministicAndDistinguishes(t *testing.T) {
	a := strings.Repeat("x", 100) + "a"
	b := strings.Repeat("x", 100) + "b"
	if first, again := Fit(a, 63, '-'), Fit(a, 63, '-'); first != again {
		t.Fatal("Fit is not deterministic")
	}
	if Fit(a, 63, '-') == Fit(b, 63, '-') {
		t.Fatalf("two long names with the same prefix share %q", Fit(a, 63, '-'))
	}
	if got := Fit("short", 63, '-'); got != "short" {
		t.Fatalf("a name within the limit was changed to %q", got)
	}
	if got := Fit("abcdefghij-"+strings.Repeat("z", 60), 20, '-'); strings.Contains(got, "--") {
		t.Fatalf("cut name %q keeps a dangling separator", got)
	}
}

func TestValidatePart(t *testing.T) {
	tests := []struct {
		part    Part
		value   string
		wantErr string
	}{
		{PartEnvironment, "dev", ""},
		{PartEnvironment, "pr-123", ""},
		{PartEnvironment, "local-alice", ""},
		{PartEnvironment, "", "environment name is empty"},
		{PartEnvironment, "Dev", "must be lowercase words"},
		{PartEnvironment, "pr--1", "must be lowercase words"},
		{PartEnvironment, "-pr", "must be lowercase words"},
		{PartEnvironment, "1pr", "must be lowercase words"},
		{PartEnvironment, "google-test", `must not start with "goog"`},
		{PartEnvironment, strings.Repeat("e", 20), ""},
		{PartEnvironment, strings.Repeat("e", 21), "is 21 characters; at most 20"},
		{PartSpace, "sales", ""},
		{PartSpace, "customer-care", "must be one lowercase word"},
		{PartSpace, strings.Repeat("s", 21), "at most 20"},
		{PartModule, "quotes2", ""},
		{PartModule, "quote-engine", "must be one lowercase word"},
		{PartModule, "quote_engine", "must be one lowercase word"},
		{PartComponent, "nightly-report", ""},
		{PartComponent, "api", ""},
		{PartComponent, "API", "must be lowercase words"},
		{PartEvent, "quote-created", ""},
		{PartEvent, strings.Repeat("v", 41), "at most 40"},
		{PartCluster, "nonprod", ""},
		// Reserved words: the first word of an environment, a module's whole name.
		{PartEnvironment, "conveyor-nonprod", `must not start with the word "conveyor"`},
		{PartEnvironment, "conveyor", `must not start with the word "conveyor"`},
		{PartEnvironment, "kube", `must not start with the word "kube"`},
		{PartEnvironment, "gke-managed", `must not start with the word "gke"`},
		{PartEnvironment, "gmp", `must not start with the word "gmp"`},
		// The namespaces the mesh, Config Connector, Config Sync and Policy Controller make.
		{PartEnvironment, "istio", `must not start with the word "istio"`},
		{PartEnvironment, "istio-system", `must not start with the word "istio"`},
		{PartEnvironment, "asm-system", `must not start with the word "asm"`},
		{PartEnvironment, "config-management-x", `must not start with the word "config-management"`},
		{PartEnvironment, "config-management", `must not start with the word "config-management"`},
		{PartEnvironment, "cnrm-system", `must not start with the word "cnrm"`},
		{PartEnvironment, "gatekeeper-system", `must not start with the word "gatekeeper"`},
		{PartEnvironment, "bootstrap", `must not start with the word "bootstrap"`},
		{PartEnvironment, "config", ""},
		{PartEnvironment, "config-managed", ""},
		{PartEnvironment, "istiod", ""},
		{PartEnvironment, "conveyors", ""},
		{PartEnvironment, "pr-conveyor", ""},
		{PartEnvironment, "kubernetes", ""},
		{PartModule, "default", "is reserved"},
		{PartModule, "defaults", ""},
		{PartModule, "nodes", ""},
	}
	for _, tt := range tests {
		t.Run(string(tt.part)+"/"+tt.value, func(t *testing.T) {
			err := ValidatePart(tt.part, tt.value)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.wantErr != "" && err == nil:
				t.Fatalf("no error, want one containing %q", tt.wantErr)
			case tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr):
				t.Fatalf("error %q does not contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestLabels(t *testing.T) {
	s := Scope{Environment: "pr-123", Space: "sales", Module: "quotes", Component: "api"}
	k := KubernetesLabels(s)
	want := map[string]string{
		"app.kubernetes.io/name": "quotes", "app.kubernetes.io/component": "api",
		"app.kubernetes.io/part-of": "sales", "app.kubernetes.io/managed-by": "conveyor",
		"conveyor.io/environment": "pr-123", "conveyor.io/space": "sales",
		"conveyor.io/module": "quotes", "conveyor.io/component": "api",
	}
	if len(k) != len(want) {
		t.Fatalf("got %d labels %v, want %v", len(k), k, want)
	}
	for key, v := range want {
		if k[key] != v {
			t.Errorf("label %s = %q, want %q", key, k[key], v)
		}
	}
	if got := ScopeFromKubernetesLabels(k); got != s {
		t.Errorf("scope read back from labels = %+v, want %+v", got, s)
	}
	ns := KubernetesLabels(Scope{Environment: "dev", Space: "sales"})
	if _, ok := ns[LabelModule]; ok {
		t.Errorf("a namespace's labels name a module: %v", ns)
	}
	sub := Scope{Environment: "dev", Space: "claims", Module: "claims", Event: "policy-issued", FromSpace: "sales", FromModule: "policies"}
	g := GCPLabels(sub)
	if g["managed-by"] != "conveyor" || g["conveyor-from-module"] != "policies" {
		t.Errorf("GCP labels %v lack the facts of %+v", g, sub)
	}
	if got := ScopeFromGCPLabels(g); got != sub {
		t.Errorf("scope read back from GCP labels = %+v, want %+v", got, sub)
	}
}

func TestCheck(t *testing.T) {
	s := Scope{Environment: "dev", Space: "sales", Module: "quotes", Component: "api", Event: "quote-created"}
	tests := []struct {
		kind    NameKind
		scope   Scope
		name    string
		wantErr string
	}{
		{KindNamespace, s, "dev-sales", ""},
		{KindNamespace, s, "sales", `namespace "sales" does not follow the naming convention: it should be "dev-sales"`},
		{KindWorkload, s, "quotes-api", ""},
		{KindWorkload, s, "quotes", `it should be "quotes-api"`},
		{KindDatabase, s, "dev_quotes", ""},
		{KindDatabase, s, "quotes", `it should be "dev_quotes"`},
		{KindTopic, s, "dev.sales.quotes.quote-created", ""},
		{KindTopic, s, "staging.sales.quotes.quote-created", `it should be "dev.sales.quotes.quote-created"`},
		{KindServiceAccount, s, "dev-quotes", ""},
		{KindSubscription, s, "x", "labels do not say its from-space, from-module"},
		{KindNamespace, Scope{Space: "sales"}, "dev-sales", "labels do not say its environment"},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind)+"/"+tt.name, func(t *testing.T) {
			err := Check(tt.kind, tt.scope, tt.name)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestClassifyStack(t *testing.T) {
	tests := []struct {
		stack       string
		want        StackKind
		collectable bool
		cluster     string
		wantErr     bool
	}{
		{"cluster-nonprod", StackCluster, false, "", false},
		{"prod", StackProduction, false, "cluster-prod", false},
		{"staging", StackLongLived, false, "cluster-nonprod", false},
		{"dev", StackLongLived, false, "cluster-nonprod", false},
		{"local", StackLocal, false, "", false},
		{"local-alice", StackLocal, false, "", false},
		{"pr-123", StackAdHoc, true, "cluster-nonprod", false},
		{"production", StackAdHoc, true, "cluster-nonprod", false},
		{"cluster-", "", false, "", true},
		{"PR-1", "", false, "", true},
		{"pr_1", "", false, "", true},
		{"conveyor-nonprod", "", false, "", true}, // its module accounts would be the cluster's
		{"kube", "", false, "", true},             // its space "system" would be kube-system
	}
	for _, tt := range tests {
		t.Run(tt.stack, func(t *testing.T) {
			got, err := ClassifyStack(tt.stack)
			if (err != nil) != tt.wantErr {
				t.Fatalf("error = %v, want error %v", err, tt.wantErr)
			}
			if got != tt.want || got.Collectable() != tt.collectable {
				t.Errorf("kind = %q (collectable %v), want %q (%v)", got, got.Collectable(), tt.want, tt.collectable)
			}
			if tt.cluster != "" && DefaultCluster(tt.stack) != tt.cluster {
				t.Errorf("default cluster = %q, want %q", DefaultCluster(tt.stack), tt.cluster)
			}
		})
	}
}

// The policy pack's default level and every "is this a cluster stack" question read these
// two, so a stack is a cluster, and enforced, in one sense only.
func TestClusterOfStackAndEnforced(t *testing.T) {
	tests := []struct {
		stack    string
		cluster  string
		isClust  bool
		enforced bool
	}{
		{"cluster-nonprod", "nonprod", true, true},
		{"cluster-prod", "prod", true, true},
		{"cluster-", "", false, false},
		{"cluster-Bad", "", false, false},
		{"prod", "", false, true},
		{"staging", "", false, true},
		{"dev", "", false, true},
		{"local", "", false, false},
		{"pr-123", "", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.stack, func(t *testing.T) {
			cluster, ok := ClusterOfStack(tt.stack)
			if cluster != tt.cluster || ok != tt.isClust || IsClusterStack(tt.stack) != tt.isClust {
				t.Errorf("ClusterOfStack = %q, %v (IsClusterStack %v), want %q, %v",
					cluster, ok, IsClusterStack(tt.stack), tt.cluster, tt.isClust)
			}
			kind, _ := ClassifyStack(tt.stack)
			if kind.Enforced() != tt.enforced {
				t.Errorf("kind %q enforced = %v, want %v", kind, kind.Enforced(), tt.enforced)
			}
		})
	}
}

func TestEnvVarNames(t *testing.T) {
	tests := []struct{ got, want string }{
		{TopicEnvVar("quote-accepted"), "CONVEYOR_TOPIC_QUOTE_ACCEPTED"},
		{SubscriptionEnvVar("policies", "policy-issued"), "CONVEYOR_SUBSCRIPTION_POLICIES_POLICY_ISSUED"},
		{DatabaseSetupJob("quotes"), "quotes-database-setup"},
		{SetupJob("quotes", TopicsSetupComponent), "quotes-topics-setup"},
		{SetupJob("quotes", SubscriptionsSetupComponent), "quotes-subscriptions-setup"},
		{DeadLetterSubscription("dev", "claims", "claims", "sales", "policies", "policy-issued"), "dev.claims.claims.from.sales.policies.policy-issued.dead-letter"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}
