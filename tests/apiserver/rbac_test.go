package apiserver

import (
	"context"
	"fmt"
	"testing"

	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/conveyor-paas/conveyor/evaluation/kube"
)

// The teams of the demo catalog's spaces, as their space files name them.
const (
	salesTeam  = "sales-engineering@acme.io"
	claimsTeam = "claims-engineering@acme.io"
)

// access is one question to the API server's authorizer: may a member of group do verb on
// resource (group/resource/subresource) in the namespace?
type access struct {
	group     string
	namespace string
	verb      string
	apiGroup  string
	resource  string
	sub       string
	allowed   bool
}

// TestTeamAccessOnAKubeAPIServer applies the namespaces, Roles, RoleBindings and network
// policies of dev, pr-123, staging and prod to a real kube-apiserver with RBAC, and asks its
// authorizer (SubjectAccessReview) what a member of each team's group may do: edit in dev and
// ad-hoc environments, only view in staging and prod, never Secrets or exec there, and in no
// environment Services, NetworkPolicies or RBAC, nor anything in another team's space. Then it
// acts as a team member (impersonation) to show the refusals are the API server's own.
func TestTeamAccessOnAKubeAPIServer(t *testing.T) {
	c := startCluster(t)
	ctx := t.Context()
	for _, stack := range []string{"dev", "pr-123", "staging", "prod"} {
		objects, err := kube.Objects(evaluate(t, stack))
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range objects {
			switch o.Kind() {
			case "Namespace", "Role", "RoleBinding", "NetworkPolicy":
				if _, err := c.apply(ctx, o); err != nil {
					t.Fatalf("the API server rejects %s: %v", describe(o), err)
				}
			}
		}
	}

	var cases []access
	for _, env := range []string{"dev", "pr-123", "staging", "prod"} {
		ns := env + "-sales"
		edits := env == "dev" || env == "pr-123"
		cases = append(cases,
			access{salesTeam, ns, "list", "", "pods", "", true},
			access{salesTeam, ns, "get", "", "pods", "log", true},
			access{salesTeam, ns, "watch", "apps", "deployments", "", true},
			access{salesTeam, ns, "get", "networking.k8s.io", "networkpolicies", "", true},
			access{salesTeam, ns, "get", "", "secrets", "", edits},
			access{salesTeam, ns, "create", "", "pods", "exec", edits},
			access{salesTeam, ns, "create", "", "pods", "portforward", edits},
			access{salesTeam, ns, "delete", "", "pods", "", edits},
			access{salesTeam, ns, "patch", "apps", "deployments", "", edits},
			access{salesTeam, ns, "update", "apps", "deployments", "scale", edits},
			access{salesTeam, ns, "create", "batch", "jobs", "", edits},
			// Never, anywhere: what would expose or un-isolate the space.
			access{salesTeam, ns, "create", "", "services", "", false},
			access{salesTeam, ns, "patch", "", "services", "", false},
			access{salesTeam, ns, "delete", "networking.k8s.io", "networkpolicies", "", false},
			access{salesTeam, ns, "create", "networking.k8s.io", "networkpolicies", "", false},
			access{salesTeam, ns, "create", "rbac.authorization.k8s.io", "rolebindings", "", false},
			access{salesTeam, ns, "update", "", "resourcequotas", "", false},
			// Another team's space: nothing at all.
			access{claimsTeam, ns, "list", "", "pods", "", false},
			access{claimsTeam, ns, "get", "", "secrets", "", false},
		)
	}
	for _, a := range cases {
		if got := c.mayDo(ctx, t, a); got != a.allowed {
			t.Errorf("%s may %s %s in %s: %v, want %v", a.group, a.verb, resourceName(a), a.namespace, got, a.allowed)
		}
	}

	// Acting as a member of the sales team, through the API server's whole request path.
	alice := c.impersonate(t, "alice@example.com", salesTeam)
	lb := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "exposed", Namespace: "dev-sales"},
		Spec:       corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, Ports: []corev1.ServicePort{{Port: 80}}},
	}
	if _, err := alice.CoreV1().Services("dev-sales").Create(ctx, lb, metav1.CreateOptions{}); !apierrors.IsForbidden(err) {
		t.Errorf("creating a LoadBalancer Service in dev-sales: %v, want forbidden", err)
	}
	if err := alice.NetworkingV1().NetworkPolicies("dev-sales").Delete(ctx, "default-deny", metav1.DeleteOptions{}); !apierrors.IsForbidden(err) {
		t.Errorf("deleting dev-sales's default-deny policy: %v, want forbidden", err)
	}
	if _, err := alice.CoreV1().Secrets("prod-sales").List(ctx, metav1.ListOptions{}); !apierrors.IsForbidden(err) {
		t.Errorf("listing prod-sales's Secrets: %v, want forbidden", err)
	}
	if _, err := alice.CoreV1().Secrets("dev-sales").List(ctx, metav1.ListOptions{}); err != nil {
		t.Errorf("listing dev-sales's Secrets: %v, want allowed", err)
	}
	if _, err := alice.CoreV1().Pods("prod-sales").List(ctx, metav1.ListOptions{}); err != nil {
		t.Errorf("listing prod-sales's pods: %v, want allowed", err)
	}
}

// mayDo asks the API server's authorizer whether a member of a.group may do a.
func (c *cluster) mayDo(ctx context.Context, t *testing.T, a access) bool {
	t.Helper()
	review, err := c.typed.AuthorizationV1().SubjectAccessReviews().Create(ctx, &authorizationv1.SubjectAccessReview{
		Spec: authorizationv1.SubjectAccessReviewSpec{
			User:   "someone@example.com",
			Groups: []string{a.group, "system:authenticated"},
			ResourceAttributes: &authorizationv1.ResourceAttributes{
				Namespace: a.namespace, Verb: a.verb, Group: a.apiGroup, Resource: a.resource, Subresource: a.sub,
			},
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("subject access review: %v", err)
	}
	return review.Status.Allowed
}

// impersonate is a client that acts as user, a member of group.
func (c *cluster) impersonate(t *testing.T, user, group string) kubernetes.Interface {
	t.Helper()
	config := rest.CopyConfig(c.kube.Config)
	config.Impersonate = rest.ImpersonationConfig{UserName: user, Groups: []string{group, "system:authenticated"}}
	client, err := kubernetes.NewForConfig(config)
	if err != nil {
		t.Fatal(err)
	}
	return client
}

func resourceName(a access) string {
	name := a.resource
	if a.sub != "" {
		name += "/" + a.sub
	}
	if a.apiGroup != "" {
		name = fmt.Sprintf("%s.%s", name, a.apiGroup)
	}
	return name
}
