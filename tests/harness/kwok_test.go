package harness

import (
	"bufio"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	appsv1ac "k8s.io/client-go/applyconfigurations/apps/v1"
	batchv1ac "k8s.io/client-go/applyconfigurations/batch/v1"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
	metav1ac "k8s.io/client-go/applyconfigurations/meta/v1"
)

// TestKwokConventions checks what the harness's kwok stages promise: an unpullable image
// waits in ImagePullBackOff, a failing image fails a Job and crash-loops a Deployment, and
// pod logs come through the API server's log API from the files kwok serves.
func TestKwokConventions(t *testing.T) {
	SkipUnlessKube(t)
	kube, err := StartKube(t.Context(), KubeOptions{TB: t, LogContainers: []string{"talker"}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	ns := createNamespace(t, kube, "conventions", nil)

	deploy := func(name, image string) {
		t.Helper()
		labels := map[string]string{"app": name}
		d := appsv1ac.Deployment(name, ns).WithSpec(appsv1ac.DeploymentSpec().
			WithReplicas(1).
			WithSelector(metav1ac.LabelSelector().WithMatchLabels(labels)).
			WithTemplate(corev1ac.PodTemplateSpec().WithLabels(labels).WithSpec(corev1ac.PodSpec().
				WithContainers(corev1ac.Container().WithName(name).WithImage(image)))))
		if _, err := kube.Client.AppsV1().Deployments(ns).Apply(ctx, d, metav1.ApplyOptions{FieldManager: fieldManager}); err != nil {
			t.Fatal(err)
		}
	}
	pod := func(t *testing.T, app string, ready func(p *corev1.Pod) bool) *corev1.Pod {
		t.Helper()
		var last *corev1.Pod
		err := poll(ctx, 2*time.Minute, func(ctx context.Context) (bool, error) {
			pods, err := kube.Client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=" + app})
			if err != nil || len(pods.Items) == 0 {
				return false, err
			}
			last = &pods.Items[0]
			return ready(last), nil
		})
		if err != nil {
			t.Fatalf("pod of %s: %v; last %+v", app, err, last)
		}
		return last
	}
	warning := func(t *testing.T, podName, reason string) {
		t.Helper()
		err := poll(ctx, time.Minute, func(ctx context.Context) (bool, error) {
			events, err := kube.Client.CoreV1().Events(ns).List(ctx, metav1.ListOptions{FieldSelector: "involvedObject.name=" + podName})
			if err != nil {
				return false, err
			}
			for _, e := range events.Items {
				if e.Type == corev1.EventTypeWarning && e.Reason == reason {
					return true, nil
				}
			}
			return false, nil
		})
		if err != nil {
			t.Errorf("no %s warning event on %s: %v", reason, podName, err)
		}
	}

	t.Run("an unpullable image waits in ImagePullBackOff", func(t *testing.T) {
		deploy("unpullable", UnpullableImage("quotes"))
		p := pod(t, "unpullable", func(p *corev1.Pod) bool { return len(p.Status.ContainerStatuses) == 1 })
		cs := p.Status.ContainerStatuses[0]
		if p.Status.Phase != corev1.PodPending || cs.State.Waiting == nil || cs.State.Waiting.Reason != "ImagePullBackOff" ||
			!strings.Contains(cs.State.Waiting.Message, UnpullableImage("quotes")) {
			t.Errorf("phase %s, container %+v; want Pending in ImagePullBackOff naming the image", p.Status.Phase, cs.State)
		}
		warning(t, p.Name, "Failed")
	})

	t.Run("a failing image crash-loops a Deployment", func(t *testing.T) {
		deploy("crasher", FailingImage("busybox"))
		p := pod(t, "crasher", func(p *corev1.Pod) bool {
			return len(p.Status.ContainerStatuses) == 1 && p.Status.ContainerStatuses[0].State.Waiting != nil
		})
		cs := p.Status.ContainerStatuses[0]
		if cs.State.Waiting.Reason != "CrashLoopBackOff" || cs.RestartCount != CrashLoopRestarts || cs.LastTerminationState.Terminated == nil ||
			cs.LastTerminationState.Terminated.ExitCode != 1 {
			t.Errorf("container %+v; want CrashLoopBackOff after %d restarts, last exit 1", cs, CrashLoopRestarts)
		}
		warning(t, p.Name, "BackOff")
	})

	t.Run("a failing image fails a Job", func(t *testing.T) {
		job := batchv1ac.Job("failer", ns).WithSpec(batchv1ac.JobSpec().
			WithBackoffLimit(0).
			WithTemplate(corev1ac.PodTemplateSpec().WithLabels(map[string]string{"app": "failer"}).WithSpec(corev1ac.PodSpec().
				WithRestartPolicy(corev1.RestartPolicyNever).
				WithContainers(corev1ac.Container().WithName("failer").WithImage(FailingImage("busybox"))))))
		if _, err := kube.Client.BatchV1().Jobs(ns).Apply(ctx, job, metav1.ApplyOptions{FieldManager: fieldManager}); err != nil {
			t.Fatal(err)
		}
		err := poll(ctx, 2*time.Minute, func(ctx context.Context) (bool, error) {
			j, err := kube.Client.BatchV1().Jobs(ns).Get(ctx, "failer", metav1.GetOptions{})
			if err != nil {
				return false, err
			}
			for _, c := range j.Status.Conditions {
				if c.Type == batchv1.JobComplete && c.Status == corev1.ConditionTrue {
					return false, fmt.Errorf("the job succeeded")
				}
				if c.Type == batchv1.JobFailed && c.Status == corev1.ConditionTrue {
					return c.Reason == "BackoffLimitExceeded", nil
				}
			}
			return false, nil
		})
		if err != nil {
			t.Fatalf("the job did not fail on its backoff limit: %v", err)
		}
		p := pod(t, "failer", func(p *corev1.Pod) bool { return p.Status.Phase == corev1.PodFailed })
		if term := p.Status.ContainerStatuses[0].State.Terminated; term == nil || term.ExitCode != 1 {
			t.Errorf("the failed pod's container: %+v; want terminated with exit code 1", p.Status.ContainerStatuses[0].State)
		}
	})

	t.Run("pod logs come through the API server", func(t *testing.T) {
		deploy("talker", "busybox:1.37.0")
		p := pod(t, "talker", func(p *corev1.Pod) bool { return p.Status.Phase == corev1.PodRunning })
		start := time.Now().Add(-time.Minute).Truncate(time.Second)
		if err := kube.AppendContainerLog("talker", start, "first"); err != nil {
			t.Fatal(err)
		}
		if err := kube.AppendContainerLog("talker", start.Add(2*time.Second), "second"); err != nil {
			t.Fatal(err)
		}
		raw, err := kube.Client.CoreV1().Pods(ns).GetLogs(p.Name, &corev1.PodLogOptions{Container: "talker", Timestamps: true}).DoRaw(ctx)
		if err != nil {
			t.Fatalf("reading the logs: %v", err)
		}
		var stamps []time.Time
		for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
			stamp, _, _ := strings.Cut(line, " ")
			at, err := time.Parse(time.RFC3339Nano, stamp)
			if err != nil {
				t.Fatalf("line %q: %v", line, err)
			}
			stamps = append(stamps, at)
		}
		if len(stamps) != 2 || !stamps[0].Equal(start) || !stamps[1].Equal(start.Add(2*time.Second)) || !strings.HasSuffix(string(raw), " second\n") {
			t.Errorf("logs with timestamps = %q", raw)
		}
		// The API's times have seconds: the second line is the one after start+1s.
		since := metav1.NewTime(start.Add(time.Second))
		raw, err = kube.Client.CoreV1().Pods(ns).GetLogs(p.Name, &corev1.PodLogOptions{Container: "talker", SinceTime: &since}).DoRaw(ctx)
		if err != nil || string(raw) != "second\n" {
			t.Errorf("logs since the second line = %q, %v", raw, err)
		}

		// Following: a line appended later arrives on the open stream.
		followCtx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		stream, err := kube.Client.CoreV1().Pods(ns).GetLogs(p.Name, &corev1.PodLogOptions{Container: "talker", Follow: true, SinceTime: &since}).Stream(followCtx)
		if err != nil {
			t.Fatalf("following the logs: %v", err)
		}
		defer stream.Close()
		lines := bufio.NewScanner(stream)
		if !lines.Scan() || lines.Text() != "second" {
			t.Fatalf("first followed line = %q, %v", lines.Text(), lines.Err())
		}
		if err := kube.AppendContainerLog("talker", time.Now(), "third"); err != nil {
			t.Fatal(err)
		}
		if !lines.Scan() || lines.Text() != "third" {
			t.Fatalf("the appended line did not arrive: %q, %v", lines.Text(), lines.Err())
		}
	})
}
