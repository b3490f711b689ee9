package harness

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// TestRealNode runs pods on the real node: they become Ready, a container's log line is read
// through the API server (which reaches the kubelet through the egress bridge), a pod
// reaches another through its Service's ClusterIP (kube-proxy's rules in the node's
// namespace) while a port the Service does not have is refused, the cluster DNS resolves the
// Service's name. Stopping the node ends every process it started, containers
// included, and its network namespace and cgroups with them.
func TestRealNode(t *testing.T) {
	SkipUnlessNode(t)
	kube, err := StartKube(t.Context(), KubeOptions{TB: t, RealNode: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	ns := createNamespace(t, kube, "node", nil)

	for _, name := range []string{"server", "client"} {
		if _, err := kube.Client.CoreV1().Pods(ns).Create(ctx, TestServicePod(name), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	svc, err := kube.Client.CoreV1().Services(ns).Create(ctx, &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "server"},
		Spec: corev1.ServiceSpec{
			Selector: map[string]string{"app": "server"},
			Ports:    []corev1.ServicePort{{Name: "http", Port: 80, TargetPort: intstr.FromInt32(8080)}},
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"server", "client"} {
		waitPodReady(t, kube, ns, name)
	}

	t.Run("a container's log line is read through the API server", func(t *testing.T) {
		logs, err := kube.Client.CoreV1().Pods(ns).GetLogs("server", &corev1.PodLogOptions{}).DoRaw(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if want := "testservice: server listening on :8080"; !strings.Contains(string(logs), want) {
			t.Errorf("log of pod server = %q, want a line with %q", logs, want)
		}
	})

	t.Run("a pod reaches another through its Service", func(t *testing.T) {
		for _, tc := range []struct {
			target string
			want   string // the probe's answer, or its error
		}{
			{"http://" + svc.Spec.ClusterIP + "/healthz", "200 OK: ok\n"},
			// No rule of kube-proxy's matches a port the Service lacks: the packet goes
			// nowhere.
			{svc.Spec.ClusterIP + ":81", "no answer within"},
		} {
			// kube-proxy writes a Service's rules moments after its endpoints appear.
			var got string
			err := poll(ctx, time.Minute, func(ctx context.Context) (bool, error) {
				answer, err := kube.Probe(ctx, ns, "client", tc.target)
				if err != nil {
					answer = err.Error()
				}
				got = answer
				return strings.Contains(answer, tc.want), nil
			})
			if err != nil {
				t.Errorf("probe %s from pod client = %q, want %q", tc.target, got, tc.want)
			}
		}
	})

	t.Run("the cluster DNS resolves a Service's name", func(t *testing.T) {
		for _, target := range []string{
			"http://server." + ns + ".svc.cluster.local/healthz",
			"http://server/healthz", // the pod's search path
		} {
			got, err := kube.Probe(ctx, ns, "client", target)
			if err != nil {
				got = err.Error()
			}
			if want := "200 OK: ok\n"; got != want {
				t.Errorf("probe %s from pod client = %q, want %q", target, got, want)
			}
		}
	})

	pid, netns := kube.node.sandbox.pid, nsInode(t, kube.node.sandbox.pid, "net")
	containers, err := kube.node.containerIDs()
	if err != nil || len(containers) == 0 {
		t.Fatalf("the node's containers: %v, %v", containers, err)
	}
	if err := kube.Stop(); err != nil {
		t.Fatal(err)
	}
	t.Run("stopping leaves no process, network namespace or cgroup", func(t *testing.T) {
		if _, err := os.Stat(filepath.Join("/proc", strconv.Itoa(pid))); err == nil {
			t.Errorf("the node's namespace holder %d still runs", pid)
		}
		var left []string
		procs, _ := filepath.Glob("/proc/[0-9]*/ns/net")
		for _, p := range procs {
			if link, err := os.Readlink(p); err == nil && link == netns {
				left = append(left, p)
			}
		}
		if diff := cmp.Diff([]string(nil), left); diff != "" {
			t.Errorf("processes still in the node's network namespace %s (-want +got):\n%s", netns, diff)
		}
		var cgroups []string
		for _, id := range containers {
			found, _ := filepath.Glob(filepath.Join("/sys/fs/cgroup/*/k8s.io", id))
			cgroups = append(cgroups, found...)
		}
		if diff := cmp.Diff([]string(nil), cgroups); diff != "" {
			t.Errorf("cgroups of the node's containers left behind (-want +got):\n%s", diff)
		}
	})
}

func waitPodReady(t *testing.T, kube *Kube, ns, name string) {
	t.Helper()
	var last *corev1.Pod
	err := poll(t.Context(), 3*time.Minute, func(ctx context.Context) (bool, error) {
		pod, err := kube.Client.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		last = pod
		for _, c := range pod.Status.Conditions {
			if c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue {
				return true, nil
			}
		}
		return false, nil
	})
	if err != nil {
		t.Fatalf("pod %s/%s not Ready: %v; status %+v", ns, name, err, last.Status)
	}
}

// nsInode is the identity of a process's namespace of kind, as /proc shows it ("net:[…]").
func nsInode(t *testing.T, pid int, kind string) string {
	t.Helper()
	link, err := os.Readlink(filepath.Join("/proc", strconv.Itoa(pid), "ns", kind))
	if err != nil {
		t.Fatal(err)
	}
	return link
}
