package bootstrap_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/conveyor-paas/conveyor/evaluation"
	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/stacks"
	"github.com/conveyor-paas/conveyor/stacks/bootstrap"
)

// adHocEnvironment is pr-123's program, evaluated offline on the shipped cluster-nonprod's
// facts.
func adHocEnvironment(t *testing.T) *evaluation.Recording {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	shipped, err := stacks.ShippedStacks(root)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := stacks.Evaluate(stacks.EvaluateOptions{Root: root, Stack: "pr-123", Shipped: shipped})
	if err != nil {
		t.Fatalf("evaluating pr-123: %v", err)
	}
	return rec
}

// need is what GCP asks of whoever creates r: each permission, on the resource it names (the
// IAM type where a condition could ask), or why the test cannot tell.
type need struct {
	permission, on, typ string
}

func needsOf(r evaluation.Resource) ([]need, bool) {
	str := func(k string) string {
		v := r.Inputs[resource.PropertyKey(k)]
		if v.IsSecret() {
			v = v.SecretValue().Element
		}
		if !v.IsString() {
			return ""
		}
		return v.StringValue()
	}
	project := "projects/" + str("project")
	projectType := "cloudresourcemanager.googleapis.com/Project"
	switch r.Type {
	case "gcp:serviceaccount/account:Account":
		return []need{{"iam.serviceAccounts.create", project, projectType}}, true
	case "gcp:serviceaccount/iAMMember:IAMMember":
		return []need{{"iam.serviceAccounts.setIamPolicy", str("serviceAccountId"), "iam.googleapis.com/ServiceAccount"}}, true
	case "gcp:pubsub/topic:Topic":
		return []need{{"pubsub.topics.create", project, projectType}}, true
	case "gcp:pubsub/subscription:Subscription":
		return []need{{"pubsub.subscriptions.create", project, projectType},
			{"pubsub.topics.attachSubscription", project + "/topics/" + str("topic"), ""}}, true
	case "gcp:pubsub/topicIAMMember:TopicIAMMember":
		return []need{{"pubsub.topics.setIamPolicy", project + "/topics/" + str("topic"), ""}}, true
	case "gcp:pubsub/subscriptionIAMMember:SubscriptionIAMMember":
		return []need{{"pubsub.subscriptions.setIamPolicy", project + "/subscriptions/" + str("subscription"), ""}}, true
	case "gcp:projects/iAMMember:IAMMember":
		return []need{{"resourcemanager.projects.setIamPolicy", project, projectType}}, true
	}
	return nil, false
}

// TestAnAdHocEnvironmentDeploysWithTheAdHocDeployersRights evaluates pr-123 on GKE and tries
// each GCP resource it declares against the IAM test double holding the ad-hoc deployer's
// grants as the bootstrap makes them: every one lives in the ad-hoc environments' project
// but the bindings that let its accounts act as naming.AdHocSQLAccount, and none needs a right
// the deployer lacks (it failed on creating accounts and granting roles/cloudsql.client in
// the non-production project before the environments had a project of their own).
func TestAnAdHocEnvironmentDeploysWithTheAdHocDeployersRights(t *testing.T) {
	may := bootstrap.AdHocDeployerMay(t)
	envProject := bootstrap.TestConfig.AdHocEnvironmentsProject
	clusterProject := bootstrap.TestConfig.Projects[naming.TierLongLived]
	sqlAccount := "projects/" + clusterProject + "/serviceAccounts/" + naming.AdHocSQLAccountEmail(clusterProject)
	rec := adHocEnvironment(t)
	seen := 0
	for _, r := range rec.Resources {
		if !strings.HasPrefix(r.Type, "gcp:") || !r.Custom {
			continue
		}
		seen++
		needs, known := needsOf(r)
		if !known {
			t.Errorf("%s %s: the test does not know what GCP asks to create it", r.Type, r.Name)
			continue
		}
		for _, n := range needs {
			if !may(n.permission, n.on, n.typ) {
				t.Errorf("%s %s needs %s on %s, which the ad-hoc deployer lacks", r.Type, r.Name, n.permission, n.on)
			}
			inEnvProject := n.on == "projects/"+envProject || strings.HasPrefix(n.on, "projects/"+envProject+"/")
			if !inEnvProject && n.on != sqlAccount {
				t.Errorf("%s %s is on %s, not in the ad-hoc environments' project %s", r.Type, r.Name, n.on, envProject)
			}
		}
		if r.Type == "gcp:serviceaccount/iAMMember:IAMMember" {
			role, member := r.Inputs["role"].StringValue(), r.Inputs["member"].StringValue()
			switch {
			case r.Inputs["serviceAccountId"].StringValue() == sqlAccount:
				if role != "roles/iam.serviceAccountTokenCreator" || !strings.HasPrefix(member, "serviceAccount:pr-123-") || !strings.HasSuffix(member, "@"+envProject+".iam.gserviceaccount.com") {
					t.Errorf("%s lets %s act as %s with %s: only pr-123's own accounts, as token creators", r.Name, member, naming.AdHocSQLAccount, role)
				}
			case role == "roles/iam.workloadIdentityUser":
				// The Kubernetes service accounts are the cluster's: its project's pool.
				if !strings.HasPrefix(member, "serviceAccount:"+clusterProject+".svc.id.goog[pr-123-") {
					t.Errorf("%s binds %s, not a Kubernetes service account of pr-123 in %s's pool", r.Name, member, clusterProject)
				}
			}
		}
	}
	if seen == 0 {
		t.Fatal("pr-123 declares no GCP resource: the test tries nothing")
	}
}

// TestAnAdHocEnvironmentsProxiesActAsTheSQLAccount: every Cloud SQL Auth Proxy of pr-123
// connects as naming.AdHocSQLAccount, the one account that may connect to the shared
// instance, since its own accounts may not.
func TestAnAdHocEnvironmentsProxiesActAsTheSQLAccount(t *testing.T) {
	clusterProject := bootstrap.TestConfig.Projects[naming.TierLongLived]
	want := "--impersonate-service-account=" + naming.AdHocSQLAccountEmail(clusterProject)
	proxies := 0
	for _, r := range adHocEnvironment(t).Resources {
		for _, c := range initContainers(r.Inputs) {
			if c["name"].StringValue() != naming.SQLProxyContainer {
				continue
			}
			proxies++
			found := false
			for _, a := range c["args"].ArrayValue() {
				found = found || a.IsString() && a.StringValue() == want
			}
			if !found {
				t.Errorf("%s %s: its proxy does not act as %s (%s)", r.Type, r.Name, naming.AdHocSQLAccount, want)
			}
		}
	}
	if proxies == 0 {
		t.Fatal("pr-123 runs no Cloud SQL Auth Proxy: the test tries nothing")
	}
}

// initContainers are the init containers of a Deployment's, Job's or CronJob's pods.
func initContainers(inputs resource.PropertyMap) []resource.PropertyMap {
	var out []resource.PropertyMap
	var walk func(v resource.PropertyValue)
	walk = func(v resource.PropertyValue) {
		switch {
		case v.IsObject():
			obj := v.ObjectValue()
			if ic, ok := obj["initContainers"]; ok && ic.IsArray() {
				for _, c := range ic.ArrayValue() {
					if c.IsObject() {
						out = append(out, c.ObjectValue())
					}
				}
			}
			for _, child := range obj {
				walk(child)
			}
		case v.IsArray():
			for _, child := range v.ArrayValue() {
				walk(child)
			}
		}
	}
	walk(resource.NewObjectProperty(inputs))
	return out
}
