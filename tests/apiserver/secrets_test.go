package apiserver

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/conveyor-paas/conveyor/evaluation/kube"
	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/stacks"
	"github.com/conveyor-paas/conveyor/stacks/appsecrets"
)

var secretsCatalog, _ = filepath.Abs("testdata/secretscatalog")

// TestSecretsOnAKubeAPIServer applies a local environment whose quotes module reads two
// secrets to a real kube-apiserver: the module's Secret and the pods that mount it are
// accepted, the Secret holds a key for each, and quotes's api mounts exactly its keys. From the
// weaker side, by SubjectAccessReview: the claims module's service account, quotes's own, and
// the claims team may not read the Secret through the API. (Pods do not run here: that a
// container sees the files is checked on the objects, which the kubelet follows.)
func TestSecretsOnAKubeAPIServer(t *testing.T) {
	c := startCluster(t)
	ctx := t.Context()
	values := appsecrets.Values{"quotes": {"STRIPE_API_KEY": "sk_test_stripe_0b1c", "WEBHOOK_SECRET": "whsec_9f8e7d"}}
	rec, err := stacks.Evaluate(stacks.EvaluateOptions{Root: root, Stack: "local", Shipped: []string{},
		Config: map[string]string{naming.Project + ":catalog": secretsCatalog, appsecrets.ValuesKey: values.Encode()}})
	if err != nil {
		t.Fatal(err)
	}
	objects, err := kube.Objects(rec)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range objects {
		if _, err := c.apply(ctx, o); err != nil {
			t.Fatalf("the API server rejects %s: %v", describe(o), err)
		}
		if o.Kind() == "Namespace" {
			if err := c.kube.WaitForDefaultServiceAccount(ctx, o.Name()); err != nil {
				t.Fatal(err)
			}
		}
	}

	secret, err := c.typed.CoreV1().Secrets("local-sales").Get(ctx, naming.AppSecret("quotes"), metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Offline rendering (evaluation/kube) writes a Pulumi secret as a placeholder, so the
	// values themselves are checked on the real-engine tier; here, that the Secret holds a
	// key for each and nothing else.
	for name := range values["quotes"] {
		if _, ok := secret.Data[name]; !ok {
			t.Errorf("the Secret has no key %s", name)
		}
	}
	if len(secret.Data) != len(values["quotes"]) {
		t.Errorf("the Secret holds %d keys, want %d", len(secret.Data), len(values["quotes"]))
	}
	api, err := c.typed.AppsV1().Deployments("local-sales").Get(ctx, naming.Workload("quotes", "api"), metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := mountedKeys(api, naming.AppSecret("quotes"), naming.SecretsDir); !slices.Equal(got, []string{"STRIPE_API_KEY", "WEBHOOK_SECRET"}) {
		t.Errorf("quotes-api mounts %v of the Secret at %s", got, naming.SecretsDir)
	}
	claims, err := c.typed.AppsV1().Deployments("local-claims").Get(ctx, naming.Workload("claims", "api"), metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range claims.Spec.Template.Spec.Volumes {
		if v.Secret != nil || v.CSI != nil {
			data, _ := json.Marshal(v)
			t.Errorf("claims-api, which reads no secret, mounts %s", data)
		}
	}

	for _, who := range []struct {
		name   string
		user   string
		groups []string
	}{
		{"the claims module's service account", "system:serviceaccount:local-claims:claims", []string{"system:serviceaccounts", "system:serviceaccounts:local-claims"}},
		{"quotes's own service account", "system:serviceaccount:local-sales:quotes", []string{"system:serviceaccounts", "system:serviceaccounts:local-sales"}},
		{"the claims team", "someone@example.com", []string{claimsTeam}},
	} {
		for _, verb := range []string{"get", "list", "watch"} {
			review, err := c.typed.AuthorizationV1().SubjectAccessReviews().Create(ctx, &authorizationv1.SubjectAccessReview{
				Spec: authorizationv1.SubjectAccessReviewSpec{
					User: who.user, Groups: append(who.groups, "system:authenticated"),
					ResourceAttributes: &authorizationv1.ResourceAttributes{
						Namespace: "local-sales", Verb: verb, Resource: "secrets", Name: naming.AppSecret("quotes"),
					},
				},
			}, metav1.CreateOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if review.Status.Allowed {
				t.Errorf("%s may %s quotes's Secret", who.name, verb)
			}
		}
	}
}

// mountedKeys lists the keys of secret a Deployment's containers mount at path.
func mountedKeys(d *appsv1.Deployment, secret, path string) []string {
	var keys []string
	for _, v := range d.Spec.Template.Spec.Volumes {
		if v.Secret == nil || v.Secret.SecretName != secret {
			continue
		}
		for _, c := range d.Spec.Template.Spec.Containers {
			for _, m := range c.VolumeMounts {
				if m.Name == v.Name && m.MountPath == path && m.ReadOnly {
					for _, item := range v.Secret.Items {
						keys = append(keys, item.Key)
					}
				}
			}
		}
	}
	return keys
}
