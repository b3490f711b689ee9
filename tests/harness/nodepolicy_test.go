package harness

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// TestNetworkPolicyOnRealNode proves the node's NetworkPolicy agent from the side of a pod the
// policy shuts out: a namespace admits pods of one other namespace only. Without the agent
// the shut-out pod connects (so the probe can tell); with it, its connection is dropped while
// the admitted pod's still passes; stopping the agent takes its rules away again.
func TestNetworkPolicyOnRealNode(t *testing.T) {
	SkipUnlessNode(t)
	kube, err := StartKube(t.Context(), KubeOptions{TB: t, RealNode: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	guarded := createNamespace(t, kube, "guarded", nil)
	friend := createNamespace(t, kube, "friend", nil)
	intruder := createNamespace(t, kube, "intruder", nil)
	for _, ns := range []string{guarded, friend, intruder} {
		name := map[bool]string{true: "server", false: "client"}[ns == guarded]
		if _, err := kube.Client.CoreV1().Pods(ns).Create(ctx, TestServicePod(name), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	svc, err := kube.Client.CoreV1().Services(guarded).Create(ctx, &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "server"},
		Spec: corev1.ServiceSpec{
			Selector: map[string]string{"app": "server"},
			Ports:    []corev1.ServicePort{{Name: "http", Port: 80, TargetPort: intstr.FromInt32(8080)}},
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kube.Client.NetworkingV1().NetworkPolicies(guarded).Create(ctx, &networkingv1.NetworkPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: "from-friend-only"},
		Spec: networkingv1.NetworkPolicySpec{
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
			Ingress: []networkingv1.NetworkPolicyIngressRule{{From: []networkingv1.NetworkPolicyPeer{{
				NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"kubernetes.io/metadata.name": friend}},
			}}}},
		},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitPodReady(t, kube, guarded, "server")
	waitPodReady(t, kube, friend, "client")
	waitPodReady(t, kube, intruder, "client")

	target := "http://" + svc.Spec.ClusterIP + "/healthz"
	const connects, dropped = "200 OK: ok\n", "no answer within"
	// expect polls until the probe from ns's client answers want: kube-proxy and the agent
	// write their rules moments after what they watch changes.
	expect := func(t *testing.T, ns, want string) {
		t.Helper()
		var got string
		err := poll(ctx, time.Minute, func(ctx context.Context) (bool, error) {
			answer, err := kube.Probe(ctx, ns, "client", target)
			if err != nil {
				answer = err.Error()
			}
			got = answer
			return strings.Contains(answer, want), nil
		})
		if err != nil {
			t.Errorf("probe %s from %s/client = %q, want %q", target, ns, got, want)
		}
	}

	t.Run("without the agent, the policy is not enforced: the shut-out pod connects", func(t *testing.T) {
		expect(t, intruder, connects)
	})
	if err := kube.StartNetworkPolicies(ctx); err != nil {
		t.Fatal(err)
	}
	t.Run("with the agent, the shut-out pod's connection is dropped and the admitted pod's passes", func(t *testing.T) {
		expect(t, intruder, dropped)
		expect(t, friend, connects)
	})
	if err := kube.StopNetworkPolicies(); err != nil {
		t.Fatal(err)
	}
	t.Run("stopping the agent removes its rules: the shut-out pod connects again", func(t *testing.T) {
		expect(t, intruder, connects)
		expect(t, friend, connects)
	})
}
