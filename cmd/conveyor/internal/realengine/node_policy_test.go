package realengine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackopstest"
	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/tests/harness"
)

// policyCatalog has two spaces whose apis are the harness's test service: shop admits web
// (allowFrom), web admits nobody. The test service is where a probe is tried from, so each
// api is both a target and an attacker.
var policyCatalog = map[string]string{
	"shop/space.conveyor.yaml": `space: shop
team: shop@example.com
mesh: false
allowFrom: [web]
`,
	"shop/orders.conveyor.yaml": `module: orders
space: shop
database: true
` + testServiceAPI,
	"web/space.conveyor.yaml": `space: web
team: web@example.com
mesh: false
`,
	"web/storefront.conveyor.yaml": `module: storefront
space: web
` + testServiceAPI,
}

// TestLocalEnvironmentPoliciesOnANode proves the NetworkPolicies Conveyor makes for a local
// environment on a node that enforces them (the harness's kube-network-policies agent), from
// the side of the pod that must be kept out: a pod of a namespace shop does not admit cannot
// reach shop's api, while web's api, admitted, gets 200; the space's default-deny egress
// keeps shop's api from web's api (web admits nobody) and from anything in kube-system but
// DNS, while its database server stays reachable. Every denied connection is first seen
// connecting with the agent stopped, so that a probe that cannot connect at all proves
// nothing.
func TestLocalEnvironmentPoliciesOnANode(t *testing.T) {
	f := setupNode(t)
	c := f.newClone(t, stackopstest.NewEnv(t), nil)
	// An ad-hoc local environment, so that one left behind by a failure is in no other
	// test's way.
	const env = "local-netpol"
	catalog := t.TempDir()
	for name, content := range policyCatalog {
		path := filepath.Join(catalog, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c.configure(t, env, catalog)
	ctx := t.Context()
	client := f.kube.Client

	c.mustConveyor(t, "up", "--env", env)
	// Deferred rather than a cleanup, which runs when the test's context, that the command
	// runs under, is already canceled.
	defer c.mustConveyor(t, "destroy", "--env", env, "--confirm", env)

	shopNS, webNS := naming.Namespace(env, "shop"), naming.Namespace(env, "web")
	orders := apiPod(t, f, shopNS, "orders")
	storefront := apiPod(t, f, webNS, "storefront")
	const intruderNS, intruder = "intruder", "client"
	if _, err := client.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: intruderNS}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = client.CoreV1().Namespaces().Delete(context.Background(), intruderNS, metav1.DeleteOptions{})
	})
	if _, err := client.CoreV1().Pods(intruderNS).Create(ctx, harness.TestServicePod(intruder), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitReady(t, f, intruderNS, intruder)
	dns, err := client.CoreV1().Pods(metav1.NamespaceSystem).List(ctx, metav1.ListOptions{LabelSelector: "k8s-app=kube-dns"})
	if err != nil || len(dns.Items) == 0 {
		t.Fatalf("the cluster DNS's pods: %v (%d)", err, len(dns.Items))
	}

	api := func(module, ns string) string {
		svc, err := client.CoreV1().Services(ns).Get(ctx, naming.Workload(module, "api"), metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("http://%s:%d/healthz", naming.ServiceHost(svc.Name, ns), svc.Spec.Ports[0].Port)
	}
	const ok, connected, dropped = "200 OK: ok\n", "connected", "no answer within"
	postgres := naming.ServiceHost(naming.LocalPostgres(), naming.PlatformNamespace(env)) + ":5432"
	rows := []struct {
		name    string
		ns, pod string // where the probe is tried from
		target  string
		want    string
		// forbidden: it connects without the agent (an HTTP target answers 200) and must not
		// with it.
		forbidden bool
	}{
		{"a namespace shop does not admit cannot reach its api", intruderNS, intruder, api("orders", shopNS), dropped, true},
		{"web, which shop admits, reaches shop's api", webNS, storefront, api("orders", shopNS), ok, false},
		{"shop's api cannot reach web's, which admits nobody", shopNS, orders, api("storefront", webNS), dropped, true},
		{"shop's api reaches the environment's PostgreSQL", shopNS, orders, postgres, connected, false},
		{"shop's api reaches nothing in kube-system but DNS (CoreDNS's health port)", shopNS, orders, dns.Items[0].Status.PodIP + ":8080", dropped, true},
	}
	for _, r := range rows {
		withoutAgent := r.want
		if r.forbidden {
			withoutAgent = map[bool]string{true: ok, false: connected}[strings.HasPrefix(r.target, "http")]
		}
		t.Run("without the agent: "+r.name, func(t *testing.T) {
			expectProbe(t, f, r.ns, r.pod, r.target, withoutAgent)
		})
	}
	if err := f.kube.StartNetworkPolicies(ctx); err != nil {
		t.Fatal(err)
	}
	// Stopped before the destroy (deferred calls run last-in first-out), so that the node
	// the other tests share forwards every connection again.
	defer func() {
		if err := f.kube.StopNetworkPolicies(); err != nil {
			t.Error(err)
		}
	}()
	for _, r := range rows {
		t.Run("enforced: "+r.name, func(t *testing.T) {
			expectProbe(t, f, r.ns, r.pod, r.target, r.want)
		})
	}
}

// apiPod is the name of a Ready pod of module's api in ns.
func apiPod(t *testing.T, f *fixture, ns, module string) string {
	t.Helper()
	selector := labels.SelectorFromSet(naming.SelectorLabels(module, "api")).String()
	var name string
	err := poll(t.Context(), 3*time.Minute, func(ctx context.Context) bool {
		pods, err := f.kube.Client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: selector})
		if err != nil {
			return false
		}
		for _, p := range pods.Items {
			if ready(&p) {
				name = p.Name
				return true
			}
		}
		return false
	})
	if err != nil {
		t.Fatalf("no Ready pod of %s's api in %s: %v", module, ns, err)
	}
	return name
}

func waitReady(t *testing.T, f *fixture, ns, name string) {
	t.Helper()
	err := poll(t.Context(), 3*time.Minute, func(ctx context.Context) bool {
		p, err := f.kube.Client.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
		return err == nil && ready(p)
	})
	if err != nil {
		t.Fatalf("pod %s/%s not Ready: %v", ns, name, err)
	}
}

// expectProbe polls until the probe of target from pod ns/pod answers with want: the agent
// and kube-proxy write their rules moments after what they watch changes.
func expectProbe(t *testing.T, f *fixture, ns, pod, target, want string) {
	t.Helper()
	var got string
	err := poll(t.Context(), time.Minute, func(ctx context.Context) bool {
		answer, err := f.kube.Probe(ctx, ns, pod, target)
		if err != nil {
			answer = err.Error()
		}
		got = answer
		return strings.Contains(answer, want)
	})
	if err != nil {
		t.Errorf("probe %s from pod %s/%s = %q, want %q", target, ns, pod, got, want)
	}
}
