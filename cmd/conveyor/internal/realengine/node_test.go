package realengine

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackopstest"
	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/tests/harness"
)

// TestLocalEnvironmentRunsOnANode deploys a local environment with the real conveyor command
// onto a cluster whose node really runs containers, and checks what only running pods show:
// the local PostgreSQL (a stand-in image of PostgreSQL 16, tests/harness/standins.go) serves,
// the module's database setup job completes against it, the api answers through its
// Service's DNS name from another pod, `conveyor logs` reads a line the api's container
// wrote, and destroy leaves no pod, volume or namespace behind. The workloads are Conveyor's
// own, unchanged: the node's registry serves the images they name.
func TestLocalEnvironmentRunsOnANode(t *testing.T) {
	f := setupNode(t)
	c := f.newClone(t, stackopstest.NewEnv(t), nil)
	const env, module = "local", "orders"
	c.configure(t, env, f.demoCatalog())
	ctx := t.Context()
	client := f.kube.Client
	spaceNS, platformNS := naming.Namespace(env, "shop"), naming.PlatformNamespace(env)

	c.mustConveyor(t, "up", "--env", env)

	t.Run("every pod of the environment runs: PostgreSQL, the emulator, the api; the setup job completes", func(t *testing.T) {
		job, err := client.BatchV1().Jobs(platformNS).Get(ctx, naming.DatabaseSetupJob(module), metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if job.Status.Succeeded < 1 {
			t.Errorf("job %s/%s: %d succeeded, %d failed; want it complete", platformNS, job.Name, job.Status.Succeeded, job.Status.Failed)
		}
		pods, err := client.CoreV1().Pods("").List(ctx, metav1.ListOptions{LabelSelector: naming.LabelEnvironment + "=" + env})
		if err != nil {
			t.Fatal(err)
		}
		running := map[string]bool{} // component -> a Ready pod of it
		for _, p := range pods.Items {
			component := p.Labels[naming.LabelComponent]
			switch {
			case p.Status.Phase == corev1.PodSucceeded:
			case ready(&p):
				running[component] = true
			default:
				t.Errorf("pod %s/%s (%s) is %s and not Ready: %s", p.Namespace, p.Name, component, p.Status.Phase, waiting(&p))
			}
		}
		for _, component := range []string{naming.LocalPostgresComponent, naming.LocalEmulatorComponent, "api"} {
			if !running[component] {
				t.Errorf("no Ready pod of %s among the environment's %d pods", component, len(pods.Items))
			}
		}
	})

	t.Run("the api answers through its Service's DNS name from another pod", func(t *testing.T) {
		svc, err := client.CoreV1().Services(spaceNS).Get(ctx, naming.Workload(module, "api"), metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		const probeNS, probe = "node-probe", "client"
		if _, err := client.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: probeNS}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			_ = client.CoreV1().Namespaces().Delete(context.Background(), probeNS, metav1.DeleteOptions{})
		})
		if _, err := client.CoreV1().Pods(probeNS).Create(ctx, harness.TestServicePod(probe), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		target := fmt.Sprintf("http://%s:%d/healthz", naming.ServiceHost(svc.Name, spaceNS), svc.Spec.Ports[0].Port)
		var got string
		err = poll(ctx, 3*time.Minute, func(ctx context.Context) bool {
			answer, err := f.kube.Probe(ctx, probeNS, probe, target)
			if err != nil {
				answer = err.Error()
			}
			got = answer
			return answer == "200 OK: ok\n"
		})
		if err != nil {
			t.Errorf("probe %s from pod %s/%s = %q, want %q", target, probeNS, probe, got, "200 OK: ok\n")
		}
	})

	t.Run("conveyor logs reads a line the api's container wrote", func(t *testing.T) {
		out, code := c.conveyor(t, "logs", "--env", env, "--module", module, "--component", "api")
		if code != 0 {
			t.Fatalf("conveyor logs: exit %d, want 0", code)
		}
		if want := "listening on :8080"; !strings.Contains(out, want) {
			t.Errorf("conveyor logs printed %q, want a line with %q", out, want)
		}
	})

	t.Run("destroy leaves no pod, volume or namespace", func(t *testing.T) {
		volumes, err := client.CoreV1().PersistentVolumes().List(ctx, metav1.ListOptions{LabelSelector: harness.ProvisionedLabel + "=true"})
		if err != nil {
			t.Fatal(err)
		}
		if len(volumes.Items) == 0 {
			t.Fatal("no volume was provisioned for the environment's PostgreSQL")
		}
		c.mustConveyor(t, "destroy", "--env", env, "--confirm", env)
		var left []string
		err = poll(ctx, 3*time.Minute, func(ctx context.Context) bool {
			left = nil
			pods, err := client.CoreV1().Pods("").List(ctx, metav1.ListOptions{LabelSelector: naming.LabelEnvironment + "=" + env})
			if err != nil {
				left = append(left, err.Error())
			}
			for _, p := range pods.Items {
				left = append(left, "pod "+p.Namespace+"/"+p.Name)
			}
			for _, ns := range []string{spaceNS, platformNS} {
				if _, err := client.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
					left = append(left, "namespace "+ns)
				}
			}
			for _, v := range volumes.Items {
				if _, err := client.CoreV1().PersistentVolumes().Get(ctx, v.Name, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
					left = append(left, "volume "+v.Name)
				}
				if _, err := os.Stat(v.Spec.HostPath.Path); !errors.Is(err, fs.ErrNotExist) {
					left = append(left, "the data of volume "+v.Name+" at "+v.Spec.HostPath.Path)
				}
			}
			return len(left) == 0
		})
		if err != nil {
			t.Errorf("after destroying %s, left behind:\n  %s", env, strings.Join(left, "\n  "))
		}
	})
}

func ready(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue {
			return true
		}
	}
	return false
}

// waiting says why a pod's containers are not running, for a failure's message.
func waiting(p *corev1.Pod) string {
	var why []string
	for _, s := range p.Status.ContainerStatuses {
		switch {
		case s.State.Waiting != nil:
			why = append(why, s.Name+": "+s.State.Waiting.Reason+" "+s.State.Waiting.Message)
		case s.State.Terminated != nil:
			why = append(why, fmt.Sprintf("%s: exited %d (%s)", s.Name, s.State.Terminated.ExitCode, s.State.Terminated.Reason))
		}
	}
	return strings.Join(why, "; ")
}

// poll calls cond every half second until it holds or timeout passes.
func poll(ctx context.Context, timeout time.Duration, cond func(context.Context) bool) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		if cond(ctx) {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}
