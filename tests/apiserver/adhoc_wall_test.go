package apiserver

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/conveyor-paas/conveyor/evaluation/kube"
	"github.com/conveyor-paas/conveyor/naming"
)

// The project of cluster-nonprod's stack file: the ad-hoc deployer's account lives there.
const nonprodProject = "acme-conveyor-nonprod"

// TestTheAdHocDeployerIsWalledOnTheSharedCluster applies cluster-nonprod's objects (the ad-hoc
// tier's wall among them), then dev's and staging's, to a real kube-apiserver, and acts as
// the ad-hoc tier's deployer, the identity a pull request's job holds (impersonation, through
// the API server's whole request path: RBAC, then admission). It deploys pr-123, every
// object as the program renders it, and reads the ad-hoc admin's Secret; and each thing an
// attacker with that identity would try against dev, staging or the cluster fails.
func TestTheAdHocDeployerIsWalledOnTheSharedCluster(t *testing.T) {
	c := startCluster(t)
	ctx := t.Context()
	for _, stack := range []string{"cluster-nonprod", "dev", "staging"} {
		applyAll(t, c, stack)
	}
	deployer := naming.TierDeployer(naming.TierAdHoc, nonprodProject)
	as := c.as(t, deployer)
	waitForPolicies(t, as)

	t.Run("it deploys its own environment", func(t *testing.T) {
		objects, err := kube.Objects(evaluate(t, "pr-123"))
		if err != nil {
			t.Fatal(err)
		}
		// As the engine orders them: each namespace, then the binding that gives the deployer
		// its rights there, then what goes into the namespace.
		first := func(o kube.Object) int {
			switch {
			case o.Kind() == "Namespace":
				return 0
			case o.Kind() == "RoleBinding" && o.Name() == naming.DeployerRoleBinding:
				return 1
			}
			return 2
		}
		for pass := range 3 {
			for _, o := range objects {
				if first(o) != pass {
					continue
				}
				if _, err := as.apply(ctx, o); err != nil {
					t.Errorf("the ad-hoc deployer cannot apply pr-123's %s: %v", describe(o), err)
				}
			}
		}
		if _, err := as.typed.CoreV1().Secrets(naming.DatabaseAdminNamespace(naming.AdHocAdminScope)).Get(ctx, naming.DatabaseAdminSecret(), metav1.GetOptions{}); err != nil {
			t.Errorf("the ad-hoc deployer cannot read the ad-hoc admin's Secret: %v", err)
		}
		if _, err := as.typed.CoreV1().Secrets("pr-123-sales").List(ctx, metav1.ListOptions{}); err != nil {
			t.Errorf("the ad-hoc deployer cannot list its own namespace's Secrets: %v", err)
		}
	})
	if t.Failed() {
		return
	}

	adHocNS := func(name, env string, labels map[string]string) *corev1.Namespace {
		l := map[string]string{naming.LabelEnvironment: env, naming.LabelTier: string(naming.TierAdHoc),
			"pod-security.kubernetes.io/enforce": "restricted"}
		for k, v := range labels {
			l[k] = v
		}
		for k, v := range l {
			if v == "" {
				delete(l, k)
			}
		}
		return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: l}}
	}
	selfBinding := func(ns, roleKind, role string, subject rbacv1.Subject) *rbacv1.RoleBinding {
		return &rbacv1.RoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: "escalate", Namespace: ns},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: roleKind, Name: role},
			Subjects:   []rbacv1.Subject{subject},
		}
	}
	me := rbacv1.Subject{APIGroup: rbacv1.GroupName, Kind: "User", Name: deployer}
	relabel := func(key, value string) []byte {
		return fmt.Appendf(nil, `{"metadata":{"labels":{%q:%q}}}`, key, value)
	}
	admin := naming.DatabaseAdminSecret()
	k := as.typed
	forbidden := []struct {
		what string
		// byPolicy: RBAC allows the request, so it is the admission policy that refuses it.
		byPolicy bool
		do       func() error
	}{
		{"read dev's database admin", false, func() error {
			_, err := k.CoreV1().Secrets("dev-conveyor").Get(ctx, admin, metav1.GetOptions{})
			return err
		}},
		{"list dev-sales's Secrets", false, func() error {
			_, err := k.CoreV1().Secrets("dev-sales").List(ctx, metav1.ListOptions{})
			return err
		}},
		{"read the admin handed to dev", false, func() error {
			_, err := k.CoreV1().Secrets(naming.DatabaseAdminNamespace("dev")).Get(ctx, admin, metav1.GetOptions{})
			return err
		}},
		{"read staging's pods", false, func() error {
			_, err := k.CoreV1().Pods("staging-sales").List(ctx, metav1.ListOptions{})
			return err
		}},
		{"read the cluster's root Secret", false, func() error {
			_, err := k.CoreV1().Secrets(naming.ClusterPlatformNamespace).List(ctx, metav1.ListOptions{})
			return err
		}},
		{"create a ConfigMap in dev-sales", false, func() error {
			_, err := k.CoreV1().ConfigMaps("dev-sales").Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "x"}}, metav1.CreateOptions{})
			return err
		}},
		{"patch a Deployment of dev-sales", false, func() error {
			_, err := k.AppsV1().Deployments("dev-sales").Patch(ctx, "quotes-api", types.MergePatchType, []byte(`{"spec":{"replicas":0}}`), metav1.PatchOptions{})
			return err
		}},
		{"delete dev-sales's default-deny", false, func() error {
			return k.NetworkingV1().NetworkPolicies("dev-sales").Delete(ctx, "default-deny", metav1.DeleteOptions{})
		}},
		{"delete the namespace dev-sales", true, func() error {
			return k.CoreV1().Namespaces().Delete(ctx, "dev-sales", metav1.DeleteOptions{})
		}},
		{"relabel dev-sales as ad-hoc", true, func() error {
			_, err := k.CoreV1().Namespaces().Patch(ctx, "dev-sales", types.MergePatchType, relabel(naming.LabelTier, string(naming.TierAdHoc)), metav1.PatchOptions{})
			return err
		}},
		{"create a namespace dev-evil labelled ad-hoc", true, func() error {
			_, err := k.CoreV1().Namespaces().Create(ctx, adHocNS("dev-evil", "dev", nil), metav1.CreateOptions{})
			return err
		}},
		{"create a namespace staging", true, func() error {
			_, err := k.CoreV1().Namespaces().Create(ctx, adHocNS("staging", "staging", nil), metav1.CreateOptions{})
			return err
		}},
		{"create a namespace dev-x of an ad-hoc environment named otherwise", true, func() error {
			_, err := k.CoreV1().Namespaces().Create(ctx, adHocNS("dev-x", "pr-9", nil), metav1.CreateOptions{})
			return err
		}},
		{"create a namespace of an ad-hoc environment called dev-x", true, func() error {
			_, err := k.CoreV1().Namespaces().Create(ctx, adHocNS("dev-x-sales", "dev-x", nil), metav1.CreateOptions{})
			return err
		}},
		{"create a namespace in the platform's names", true, func() error {
			_, err := k.CoreV1().Namespaces().Create(ctx, adHocNS("kube-evil", "kube", nil), metav1.CreateOptions{})
			return err
		}},
		{"create a namespace without the ad-hoc tier's label", true, func() error {
			_, err := k.CoreV1().Namespaces().Create(ctx, adHocNS("pr-9-sales", "pr-9", map[string]string{naming.LabelTier: ""}), metav1.CreateOptions{})
			return err
		}},
		{"create a namespace of the long-lived tier", true, func() error {
			_, err := k.CoreV1().Namespaces().Create(ctx, adHocNS("pr-9-sales", "pr-9", map[string]string{naming.LabelTier: string(naming.TierLongLived)}), metav1.CreateOptions{})
			return err
		}},
		{"create a privileged namespace", true, func() error {
			_, err := k.CoreV1().Namespaces().Create(ctx, adHocNS("pr-9-sales", "pr-9", map[string]string{"pod-security.kubernetes.io/enforce": "privileged"}), metav1.CreateOptions{})
			return err
		}},
		{"relabel pr-123-sales as dev's", true, func() error {
			_, err := k.CoreV1().Namespaces().Patch(ctx, "pr-123-sales", types.MergePatchType, relabel(naming.LabelEnvironment, "dev"), metav1.PatchOptions{})
			return err
		}},
		{"relabel pr-123-sales into the long-lived tier", true, func() error {
			_, err := k.CoreV1().Namespaces().Patch(ctx, "pr-123-sales", types.MergePatchType, relabel(naming.LabelTier, string(naming.TierLongLived)), metav1.PatchOptions{})
			return err
		}},
		{"make pr-123-sales privileged", true, func() error {
			_, err := k.CoreV1().Namespaces().Patch(ctx, "pr-123-sales", types.MergePatchType, relabel("pod-security.kubernetes.io/enforce", "privileged"), metav1.PatchOptions{})
			return err
		}},
		{"bind itself a role in dev-sales", true, func() error {
			_, err := k.RbacV1().RoleBindings("dev-sales").Create(ctx, selfBinding("dev-sales", "ClusterRole", naming.AdHocNamespaceRole, me), metav1.CreateOptions{})
			return err
		}},
		{"bind itself a role in the admin handed to dev", true, func() error {
			ns := naming.DatabaseAdminNamespace("dev")
			_, err := k.RbacV1().RoleBindings(ns).Create(ctx, selfBinding(ns, "ClusterRole", naming.AdHocNamespaceRole, me), metav1.CreateOptions{})
			return err
		}},
		{"bind its cluster-wide role to an account of its own", true, func() error {
			sa := rbacv1.Subject{Kind: "ServiceAccount", Name: "default", Namespace: "pr-123-sales"}
			_, err := k.RbacV1().RoleBindings("pr-123-sales").Create(ctx, selfBinding("pr-123-sales", "ClusterRole", naming.AdHocDeployerClusterRole, sa), metav1.CreateOptions{})
			return err
		}},
		{"bind cluster-admin in its own namespace", false, func() error {
			_, err := k.RbacV1().RoleBindings("pr-123-sales").Create(ctx, selfBinding("pr-123-sales", "ClusterRole", "cluster-admin", me), metav1.CreateOptions{})
			return err
		}},
		{"bind itself cluster-wide", false, func() error {
			_, err := k.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{
				ObjectMeta: metav1.ObjectMeta{Name: "escalate"},
				RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: naming.AdHocNamespaceRole},
				Subjects:   []rbacv1.Subject{me},
			}, metav1.CreateOptions{})
			return err
		}},
		{"widen its own ClusterRole", false, func() error {
			_, err := k.RbacV1().ClusterRoles().Patch(ctx, naming.AdHocDeployerClusterRole, types.JSONPatchType,
				[]byte(`[{"op":"add","path":"/rules/-","value":{"apiGroups":[""],"resources":["secrets"],"verbs":["get","list"]}}]`), metav1.PatchOptions{})
			return err
		}},
		{"delete an admission policy", false, func() error {
			return k.AdmissionregistrationV1().ValidatingAdmissionPolicies().Delete(ctx, naming.AdHocNamespacePolicy, metav1.DeleteOptions{})
		}},
		{"unbind an admission policy", false, func() error {
			return k.AdmissionregistrationV1().ValidatingAdmissionPolicyBindings().Delete(ctx, naming.AdHocRoleBindingPolicy, metav1.DeleteOptions{})
		}},
		{"edit an admission policy", false, func() error {
			_, err := k.AdmissionregistrationV1().ValidatingAdmissionPolicies().Patch(ctx, naming.NamespaceLabelsPolicy, types.JSONPatchType,
				[]byte(`[{"op":"replace","path":"/spec/failurePolicy","value":"Ignore"}]`), metav1.PatchOptions{})
			return err
		}},
	}
	for _, f := range forbidden {
		err := f.do()
		switch {
		case err == nil:
			t.Errorf("the ad-hoc deployer may %s", f.what)
		case !apierrors.IsForbidden(err):
			t.Errorf("%s: %v, want forbidden", f.what, err)
		case f.byPolicy && !strings.Contains(err.Error(), "ValidatingAdmissionPolicy"):
			t.Errorf("%s is refused, but not by the ad-hoc tier's admission policies: %v", f.what, err)
		}
	}

	// An account of its own namespace, bound a Role with everything the deployer holds there,
	// still cannot move the namespace into dev's network.
	t.Run("an account of its namespace cannot relabel it", func(t *testing.T) {
		role := &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "namespace-patcher", Namespace: "pr-123-sales"},
			Rules: []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"namespaces"}, Verbs: []string{"get", "patch"}}}}
		if _, err := k.RbacV1().Roles("pr-123-sales").Create(ctx, role, metav1.CreateOptions{}); err != nil {
			t.Fatalf("the deployer cannot make a Role in its own namespace: %v", err)
		}
		sa := rbacv1.Subject{Kind: "ServiceAccount", Name: "quotes", Namespace: "pr-123-sales"}
		if _, err := k.RbacV1().RoleBindings("pr-123-sales").Create(ctx, selfBinding("pr-123-sales", "Role", role.Name, sa), metav1.CreateOptions{}); err != nil {
			t.Fatalf("the deployer cannot bind a Role in its own namespace: %v", err)
		}
		waitUntilAllowed(t, c, sa, authorizationv1.ResourceAttributes{Namespace: "pr-123-sales", Name: "pr-123-sales", Verb: "patch", Resource: "namespaces"})
		account := c.as(t, "system:serviceaccount:pr-123-sales:quotes", "system:serviceaccounts", "system:serviceaccounts:pr-123-sales").typed
		_, err := account.CoreV1().Namespaces().Patch(ctx, "pr-123-sales", types.MergePatchType, relabel(naming.LabelEnvironment, "dev"), metav1.PatchOptions{})
		if !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), naming.NamespaceLabelsPolicy) {
			t.Errorf("an account of pr-123-sales relabels it as dev's: %v, want refused by %s", err, naming.NamespaceLabelsPolicy)
		}
	})

	t.Run("it tears its own environment down", func(t *testing.T) {
		if err := k.AppsV1().Deployments("pr-123-sales").Delete(ctx, "quotes-api", metav1.DeleteOptions{}); err != nil {
			t.Errorf("deleting its own Deployment: %v", err)
		}
		if err := k.RbacV1().RoleBindings("pr-123-claims").Delete(ctx, naming.DeployerRoleBinding, metav1.DeleteOptions{}); err != nil {
			t.Errorf("deleting its own binding: %v", err)
		}
		if err := k.CoreV1().Namespaces().Delete(ctx, "pr-123-claims", metav1.DeleteOptions{}); err != nil {
			t.Errorf("deleting its own namespace: %v", err)
		}
	})
}

// applyAll applies every object of a stack as the cluster's administrator (main's pipeline).
func applyAll(t *testing.T, c *cluster, stack string) {
	t.Helper()
	objects, err := kube.Objects(evaluate(t, stack))
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range objects {
		if _, err := c.apply(t.Context(), o); err != nil {
			t.Fatalf("the API server rejects %s's %s: %v", stack, describe(o), err)
		}
	}
}

// as is the cluster as seen by user, a member of groups and of system:authenticated.
func (c *cluster) as(t *testing.T, user string, groups ...string) *cluster {
	t.Helper()
	config := rest.CopyConfig(c.kube.Config)
	config.WarningHandler = c.warnings
	config.Impersonate = rest.ImpersonationConfig{UserName: user, Groups: append(groups, "system:authenticated")}
	dyn, err := dynamic.NewForConfig(config)
	if err != nil {
		t.Fatal(err)
	}
	typed, err := kubernetes.NewForConfig(config)
	if err != nil {
		t.Fatal(err)
	}
	return &cluster{kube: c.kube, dynamic: dyn, typed: typed, mapper: c.mapper, warnings: c.warnings}
}

// waitForPolicies waits until the API server enforces the ad-hoc tier's admission policies:
// a policy is enforced a moment after it is stored. It asks, as the deployer and in dry run,
// for a namespace the policies refuse.
func waitForPolicies(t *testing.T, as *cluster) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	probe := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "dev-probe", Labels: map[string]string{
		naming.LabelEnvironment: "dev", naming.LabelTier: string(naming.TierAdHoc), "pod-security.kubernetes.io/enforce": "restricted"}}}
	for {
		_, err := as.typed.CoreV1().Namespaces().Create(ctx, probe, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		if err != nil && strings.Contains(err.Error(), "ValidatingAdmissionPolicy") {
			return
		}
		if ctx.Err() != nil {
			t.Fatalf("the ad-hoc tier's admission policies are not enforced after a minute: the probe got %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// waitUntilAllowed waits until the API server's authorizer grants the service account what a
// binding just made gives it: RBAC reads bindings from a cache that follows the store a moment
// later, and a test that tries sooner sees RBAC refuse what it meant admission to refuse.
func waitUntilAllowed(t *testing.T, c *cluster, sa rbacv1.Subject, attrs authorizationv1.ResourceAttributes) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	user := "system:serviceaccount:" + sa.Namespace + ":" + sa.Name
	for {
		review, err := c.typed.AuthorizationV1().SubjectAccessReviews().Create(ctx, &authorizationv1.SubjectAccessReview{
			Spec: authorizationv1.SubjectAccessReviewSpec{User: user, ResourceAttributes: &attrs},
		}, metav1.CreateOptions{})
		if err == nil && review.Status.Allowed {
			return
		}
		if ctx.Err() != nil {
			t.Fatalf("%s is still not allowed to %s %s/%s a minute after its binding was made: %v", user, attrs.Verb, attrs.Resource, attrs.Name, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
