package components_test

import (
	"fmt"
	"maps"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/conveyor-paas/conveyor/components"
	"github.com/conveyor-paas/conveyor/components/dbsetup"
	"github.com/conveyor-paas/conveyor/evaluation/evaluationtest"
	"github.com/conveyor-paas/conveyor/naming"
)

const (
	typeSQLDatabase     = "gcp:sql/database:Database"
	typeSQLUser         = "gcp:sql/user:User"
	typeSecret          = "kubernetes:core/v1:Secret"
	typeGCPAccount      = "gcp:serviceaccount/account:Account"
	typeKSA             = "kubernetes:core/v1:ServiceAccount"
	typeWorkloadID      = "gcp:serviceaccount/iAMMember:IAMMember"
	typeTopic           = "gcp:pubsub/topic:Topic"
	typeSubscription    = "gcp:pubsub/subscription:Subscription"
	typeTopicIAM        = "gcp:pubsub/topicIAMMember:TopicIAMMember"
	typeSubscriptionIAM = "gcp:pubsub/subscriptionIAMMember:SubscriptionIAMMember"
	typeRandomPassword  = "random:index/randomPassword:RandomPassword"
)

// TestModuleDatabase: a module's database and role are made by the platform's setup SQL, in a
// job of the environment's platform namespace that connects as the Cloud SQL admin, never
// through Cloud SQL's API (whose users are members of cloudsqlsuperuser). The module's
// credentials exist only once the setup ran: its Secret, and so every component, comes after
// the job, not the other way round.
func TestModuleDatabase(t *testing.T) {
	for _, env := range []components.Environment{{Name: "pr-42", AdHoc: true}, {Name: "prod", Production: true}} {
		t.Run(env.Name, func(t *testing.T) {
			rec := deploy(t, env, false)
			for _, typ := range []string{typeSQLDatabase, typeSQLUser} {
				if got := evaluationtest.OfType(rec, typ); len(got) > 0 {
					t.Errorf("the environment makes %d %s through Cloud SQL's API", len(got), typ)
				}
			}
			name := strings.ReplaceAll(env.Name, "-", "_") + "_quotes"
			platformNS := env.Name + "-conveyor"
			setup := must(t, rec, typeJob, platformNS+"/quotes-database-setup")
			if got := str(setup, "metadata.namespace"); got != platformNS {
				t.Errorf("the setup job runs in %q, not the platform namespace %s", got, platformNS)
			}
			if got := str(setup, "spec.template.spec.containers[0].command[2]"); got != dbsetup.Setup {
				t.Errorf("the setup job does not run dbsetup.Setup:\n%s", got)
			}
			scope := naming.DatabaseAdminScope(env.Name)
			wantEnv := map[string]string{
				"PGHOST": "127.0.0.1", "PGUSER": "conveyor_admin_" + scope, "PGSSLMODE": "disable",
				"DB_CONNECTION_LIMIT":  "20",
				"PGPASSWORD":           "secret:conveyor-database-admin/password",
				"DB_NAME":              name,
				"DB_USER":              name,
				"DB_MARKER":            "conveyor:environment=" + env.Name,
				"DB_PASSWORD_VERIFIER": "secret:quotes-database/verifier",
			}
			if got := envOf(setup, "spec.template.spec.containers[0]"); !maps.Equal(got, wantEnv) {
				t.Errorf("setup env = %v\nwant %v", got, wantEnv)
			}
			admin := must(t, rec, typeSecret, platformNS+"/conveyor-database-admin")
			if got := str(admin, "stringData.password"); got != testAdminPassword(scope) {
				t.Errorf("the admin secret holds %q, not the password of the %s admin that the cluster hands over", got, scope)
			}
			setupSecret := must(t, rec, typeSecret, platformNS+"/quotes-database")
			secret := must(t, rec, typeSecret, env.Name+"-sales/quotes-database")
			password := str(secret, "stringData.password")
			if !strings.HasPrefix(password, "simulated-") {
				t.Fatalf("the module's Secret holds %q, not its generated password", password)
			}
			// The role the setup makes logs in with the password the module's Secret holds.
			wantVerifier, err := dbsetup.Verifier(name, password)
			if err != nil {
				t.Fatal(err)
			}
			if got := str(setupSecret, "stringData.verifier"); got != wantVerifier {
				t.Errorf("the setup's verifier is %q, want dbsetup.Verifier of the module Secret's password", got)
			}
			if _, ok := evaluationtest.Lookup(setupSecret.Inputs, "stringData.password"); ok {
				t.Errorf("the platform namespace holds the module's password; the setup needs only its verifier")
			}
			if !dependsOn(setup, setupSecret) || !dependsOn(setup, admin) {
				t.Errorf("the setup job does not wait for its secrets")
			}

			if !dependsOn(secret, setup) {
				t.Errorf("the module's credentials do not wait for the setup that makes them private")
			}
			for _, workload := range []string{"quotes-api", "quotes-migrate"} {
				r := evaluationtest.Find(rec, typeDeployment, workload)
				if r == nil {
					r = must(t, rec, typeJob, workload)
				}
				if !dependsOn(r, setup) || !dependsOn(r, secret) {
					t.Errorf("%s does not wait for the database setup and its Secret", workload)
				}
			}
			for key, want := range map[string]string{
				"host": "127.0.0.1", "port": "5432", "database": name, "user": name, "password": password,
			} {
				if got := str(secret, "stringData."+key); got != want {
					t.Errorf("secret %s = %q, want %q", key, got, want)
				}
			}
			if url := str(secret, "stringData.url"); url != "postgres://"+name+":"+password+"@127.0.0.1:5432/"+name+"?sslmode=disable" {
				t.Errorf("url = %q", url)
			}
			api := must(t, rec, typeDeployment, "quotes-api")
			apiEnv := envOf(api, "spec.template.spec.containers[0]")
			if apiEnv["DATABASE_PASSWORD"] != "secret:quotes-database/password" || apiEnv["DATABASE_URL"] != "secret:quotes-database/url" {
				t.Errorf("api database env = %v", apiEnv)
			}
		})
	}
}

// TestNoPasswordOutsideItsSecret: the module's password, the admin's and the verifier appear
// in no resource but the Secrets that hold them, secret or not, wherever in its inputs.
func TestNoPasswordOutsideItsSecret(t *testing.T) {
	rec := deploy(t, components.Environment{Name: "dev"}, false)
	password := str(must(t, rec, typeSecret, "dev-sales/quotes-database"), "stringData.password")
	verifier := str(must(t, rec, typeSecret, "dev-conveyor/quotes-database"), "stringData.verifier")
	holders := map[string]string{
		password:                 "dev-sales/quotes-database",
		verifier:                 "dev-conveyor/quotes-database",
		testAdminPassword("dev"): "dev-conveyor/conveyor-database-admin",
	}
	for value, holder := range holders {
		if value == "" {
			t.Fatal("a credential to look for is empty")
		}
		for _, r := range rec.Resources {
			if r.Name == holder || r.Type == typeRandomPassword {
				continue
			}
			if path, ok := findPlain(resource.NewObjectProperty(r.Inputs), value, ""); ok {
				t.Errorf("%s %s holds a credential at %s", r.Type, r.Name, path)
			}
		}
	}
	// The scan sees a credential wherever it is, a secret inside a pod's env included.
	planted := resource.NewPropertyMapFromMap(map[string]any{"spec": map[string]any{"containers": []any{map[string]any{
		"env": []any{map[string]any{"name": "X", "value": resource.MakeSecret(resource.NewProperty("pre " + password))}},
	}}}})
	if path, ok := findPlain(resource.NewObjectProperty(planted), password, ""); !ok || path != ".spec.containers[0].env[0].value" {
		t.Errorf("the scan misses a password in a secret env value (found %v at %q)", ok, path)
	}
}

// findPlain looks for s in every string of v, through secrets, and says where.
func findPlain(v resource.PropertyValue, s, path string) (string, bool) {
	switch {
	case v.IsSecret():
		return findPlain(v.SecretValue().Element, s, path)
	case v.IsString():
		return path, strings.Contains(v.StringValue(), s)
	case v.IsArray():
		for i, e := range v.ArrayValue() {
			if p, ok := findPlain(e, s, fmt.Sprintf("%s[%d]", path, i)); ok {
				return p, true
			}
		}
	case v.IsObject():
		for _, k := range v.ObjectValue().StableKeys() {
			if p, ok := findPlain(v.ObjectValue()[k], s, path+"."+string(k)); ok {
				return p, true
			}
		}
	}
	return "", false
}

func TestModuleIdentity(t *testing.T) {
	rec := deploy(t, components.Environment{Name: "dev"}, false)
	account := must(t, rec, typeGCPAccount, "dev-claims")
	if str(account, "accountId") != "dev-claims" || str(account, "displayName") != "Conveyor dev/claims/claims" {
		t.Errorf("gcp service account = %v", account.Inputs)
	}
	ksa := must(t, rec, typeKSA, "claims")
	if got := labelsOf(ksa, "metadata.annotations")["iam.gke.io/gcp-service-account"]; got != "dev-claims@acme-nonprod.iam.gserviceaccount.com" {
		t.Errorf("workload identity annotation = %q", got)
	}
	binding := must(t, rec, typeWorkloadID, "dev-claims-workload-identity")
	if str(binding, "role") != "roles/iam.workloadIdentityUser" || str(binding, "member") != "serviceAccount:acme-nonprod.svc.id.goog[dev-claims/claims]" {
		t.Errorf("workload identity binding = %v", binding.Inputs)
	}
	if str(binding, "serviceAccountId") != "projects/acme-nonprod/serviceAccounts/dev-claims@acme-nonprod.iam.gserviceaccount.com" {
		t.Errorf("binding is not on the module's account: %q", str(binding, "serviceAccountId"))
	}
}

// TestEventWiring checks a producer and a consumer in two spaces: topics, subscriptions with
// dead-lettering and retries, and IAM that gives each module rights on its own only.
func TestEventWiring(t *testing.T) {
	rec := deploy(t, components.Environment{Name: "dev"}, false)
	topic := must(t, rec, typeTopic, "dev.sales.quotes.quote-accepted")
	sub := must(t, rec, typeSubscription, "dev.claims.claims.from.sales.quotes.quote-accepted")
	dlq := must(t, rec, typeTopic, "dev.claims.claims.from.sales.quotes.quote-accepted.dead-letter")
	must(t, rec, typeSubscription, "dev.claims.claims.from.sales.quotes.quote-accepted.dead-letter")
	if str(sub, "topic") != "dev.sales.quotes.quote-accepted" || !dependsOn(sub, topic) {
		t.Errorf("subscription reads %q (depends on the topic: %v)", str(sub, "topic"), dependsOn(sub, topic))
	}
	for path, want := range map[string]string{
		"deadLetterPolicy.deadLetterTopic": "projects/acme-nonprod/topics/dev.claims.claims.from.sales.quotes.quote-accepted.dead-letter",
		"retryPolicy.minimumBackoff":       "10s",
		"retryPolicy.maximumBackoff":       "600s",
		"expirationPolicy.ttl":             "",
		"labels.conveyor-from-module":      "quotes",
		"labels.conveyor-event":            "quote-accepted",
	} {
		if got := str(sub, path); got != want {
			t.Errorf("subscription %s = %q, want %q", path, got, want)
		}
	}
	if got, _ := lookupString(sub, "deadLetterPolicy.maxDeliveryAttempts"); got != "5" {
		t.Errorf("max delivery attempts = %q", got)
	}
	if !dependsOn(sub, dlq) {
		t.Errorf("the subscription does not depend on its dead-letter topic")
	}
	if labelsOf(dlq, "labels")["conveyor-purpose"] != "dead-letter" {
		t.Errorf("dead-letter topic labels = %v", labelsOf(dlq, "labels"))
	}

	// Publisher rights only on the module's own topics, subscriber rights only on its own
	// subscriptions; the Pub/Sub service agent only where dead-lettering needs it.
	agent := "serviceAccount:service-123456789012@gcp-sa-pubsub.iam.gserviceaccount.com"
	for _, m := range append(evaluationtest.OfType(rec, typeTopicIAM), evaluationtest.OfType(rec, typeSubscriptionIAM)...) {
		member, role := str(&m, "member"), str(&m, "role")
		target := str(&m, "topic") + str(&m, "subscription")
		switch {
		case member == agent:
			if !strings.Contains(target, ".from.") {
				t.Errorf("the Pub/Sub agent has %s on %s", role, target)
			}
		case strings.HasPrefix(member, "serviceAccount:dev-"):
			owner := strings.TrimSuffix(strings.TrimPrefix(member, "serviceAccount:dev-"), "@acme-nonprod.iam.gserviceaccount.com")
			// dev.<space>.<owner>.<...>: the resource must belong to the member's module.
			if parts := strings.Split(target, "."); len(parts) < 3 || parts[2] != owner {
				t.Errorf("module %s has %s on %s, which is not its own", owner, role, target)
			}
			wantRole := map[string]string{typeTopicIAM: "roles/pubsub.publisher", typeSubscriptionIAM: "roles/pubsub.subscriber"}[m.Type]
			if role != wantRole {
				t.Errorf("module %s has %s on %s, want %s", owner, role, target, wantRole)
			}
		default:
			t.Errorf("unexpected member %s with %s on %s", member, role, target)
		}
	}
	if n := len(evaluationtest.OfType(rec, typeTopicIAM)); n != 3 { // 2 publishers + 1 dead-letter agent
		t.Errorf("%d topic IAM members, want 3", n)
	}

	intake := must(t, rec, typeDeployment, "claims-intake")
	env := envOf(intake, "spec.template.spec.containers[0]")
	for key, want := range map[string]string{
		"CONVEYOR_SUBSCRIPTION_QUOTES_QUOTE_ACCEPTED": "dev.claims.claims.from.sales.quotes.quote-accepted",
		"CONVEYOR_TOPIC_CLAIM_FILED":                  "dev.claims.claims.claim-filed",
		"CONVEYOR_ENVIRONMENT":                        "dev",
		"CONVEYOR_COMPONENT":                          "intake",
		"GOOGLE_CLOUD_PROJECT":                        "acme-nonprod",
	} {
		if env[key] != want {
			t.Errorf("handler env %s = %q, want %q", key, env[key], want)
		}
	}
	if _, ok := env["PUBSUB_EMULATOR_HOST"]; ok {
		t.Errorf("a GCP environment points at the emulator")
	}
}

// TestConfigLevels: space config reaches every component, the module's overrides it.
func TestConfigLevels(t *testing.T) {
	rec := deploy(t, components.Environment{Name: "dev"}, false)
	env := envOf(must(t, rec, typeDeployment, "quotes-api"), "spec.template.spec.containers[0]")
	if env["LOG_FORMAT"] != "json" || env["LOG_LEVEL"] != "warn" {
		t.Errorf("quotes-api config = LOG_FORMAT %q LOG_LEVEL %q, want json (space) and warn (module)", env["LOG_FORMAT"], env["LOG_LEVEL"])
	}
	if _, ok := envOf(must(t, rec, typeDeployment, "claims-api"), "spec.template.spec.containers[0]")["LOG_FORMAT"]; ok {
		t.Errorf("the sales space's config leaked into the claims space")
	}
}
