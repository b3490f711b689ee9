package components_test

import (
	"strings"
	"testing"

	"github.com/conveyor-paas/conveyor/components"
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

func TestModuleDatabase(t *testing.T) {
	tests := []struct {
		env         components.Environment
		wantProtect bool
	}{
		{components.Environment{Name: "pr-42", AdHoc: true}, false},
		{components.Environment{Name: "prod", Production: true}, true},
	}
	for _, tt := range tests {
		t.Run(tt.env.Name, func(t *testing.T) {
			rec := deploy(t, tt.env, false)
			name := strings.ReplaceAll(tt.env.Name, "-", "_") + "_quotes"
			db := must(t, rec, typeSQLDatabase, name)
			user := must(t, rec, typeSQLUser, name)
			if str(db, "name") != name || str(db, "instance") != "conveyor-nonprod-pg" || str(user, "name") != name {
				t.Errorf("database %v / user %v", db.Inputs, user.Inputs)
			}
			if !dependsOn(user, db) {
				t.Errorf("the database user does not depend on the database")
			}
			if db.Protect != tt.wantProtect || user.Protect != tt.wantProtect {
				t.Errorf("protect = %v/%v, want %v", db.Protect, user.Protect, tt.wantProtect)
			}
			if got := str(user, "deletionPolicy"); (got == "ABANDON") != tt.wantProtect {
				t.Errorf("deletion policy = %q", got)
			}
			password := must(t, rec, typeRandomPassword, name+"-password")
			if chain := parentChain(rec, password); len(chain) == 0 || chain[0] != "conveyor:platform:Module::quotes" {
				t.Errorf("password parents = %v", chain)
			}
			secret := must(t, rec, typeSecret, tt.env.Name+"-sales/quotes-database")
			for key, want := range map[string]string{
				"host": "10.100.0.3", "port": "5432", "database": name, "user": name,
			} {
				if got := str(secret, "stringData."+key); got != want {
					t.Errorf("secret %s = %q, want %q", key, got, want)
				}
			}
			if url := str(secret, "stringData.url"); !strings.HasPrefix(url, "postgres://"+name+":") || !strings.HasSuffix(url, "@10.100.0.3:5432/"+name+"?sslmode=require") {
				t.Errorf("url = %q", url)
			}
			api := must(t, rec, typeDeployment, "quotes-api")
			env := envOf(api, "spec.template.spec.containers[0]")
			if env["DATABASE_PASSWORD"] != "secret:quotes-database/password" || env["DATABASE_URL"] != "secret:quotes-database/url" {
				t.Errorf("api database env = %v", env)
			}
			// Where the password may be, and nowhere else: TestPasswordsStayInTheirSecrets.
		})
	}
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
	for _, m := range append(rec.OfType(typeTopicIAM), rec.OfType(typeSubscriptionIAM)...) {
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
	if n := len(rec.OfType(typeTopicIAM)); n != 3 { // 2 publishers + 1 dead-letter agent
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
