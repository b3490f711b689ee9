package naming_test

import (
	"fmt"

	"github.com/conveyor-paas/conveyor/naming"
)

// Every name of an environment's resources comes from the environment, space, module and
// component: an ad-hoc environment gets names of its own with no configuration.
func Example() {
	for _, env := range []string{"dev", "pr-123"} {
		fmt.Println(naming.Namespace(env, "sales"), naming.Database(env, "quotes"), naming.Topic(env, "sales", "quotes", "quote-accepted"))
	}
	// Output:
	// dev-sales dev_quotes dev.sales.quotes.quote-accepted
	// pr-123-sales pr_123_quotes pr-123.sales.quotes.quote-accepted
}

// A Kubernetes workload is named by its module and component; its namespace says the rest.
func ExampleWorkload() {
	fmt.Println(naming.Workload("quotes", "api"))
	fmt.Println(naming.CronJob("claims", "nightly"))
	// Output:
	// quotes-api
	// claims-nightly
}

// GCP service account ids have 30 characters at most: a longer "<env>-<module>" is cut and
// given a hash of the whole, so that two long names never meet.
func ExampleServiceAccountID() {
	fmt.Println(naming.ServiceAccountID("dev", "quotes"))
	fmt.Println(naming.ServiceAccountID("pr-4711", "customer-notification-hub"))
	// Output:
	// dev-quotes
	// pr-4711-customer-noti-3769324b
}

// A stack's name says what it is: the kind decides its protection, its credentials tier and
// whether `conveyor env gc` may collect it.
func ExampleClassifyStack() {
	for _, stack := range []string{"prod", "dev", "pr-123", "local", "cluster-nonprod"} {
		kind, err := naming.ClassifyStack(stack)
		if err != nil {
			fmt.Println(stack, err)
			continue
		}
		fmt.Printf("%s: %s, %s tier, collectable %v\n", stack, kind, naming.TierOf(stack), kind.Collectable())
	}
	if _, err := naming.ClassifyStack("Pr_5"); err != nil {
		fmt.Println(err)
	}
	// Output:
	// prod: production, production tier, collectable false
	// dev: long-lived, long-lived tier, collectable false
	// pr-123: ad-hoc, ad-hoc tier, collectable true
	// local: local, ad-hoc tier, collectable false
	// cluster-nonprod: cluster, long-lived tier, collectable false
	// stack "Pr_5" cannot be an environment: environment name "Pr_5" must be lowercase words joined by single dashes, starting with a letter (for example "pr-123")
}
