package status

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestAssessCrashLoop: a Deployment whose new pod crash-loops fails, and the reason says how
// the container's last run ended, which the back-off's own message does not. The real-engine
// node test TestCrashingDeployOnANode sees the same through a real kubelet.
func TestAssessCrashLoop(t *testing.T) {
	api := Workload{Module: "orders", Component: "api", Kind: "api", Object: "Deployment", Namespace: "local-shop", Name: "orders-api",
		Container: "api", Image: "orders:1", Selector: map[string]string{"conveyor.io/module": "orders", "conveyor.io/component": "api"}}
	deployment := appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "orders-api", UID: "d", Generation: 2},
		Spec: appsv1.DeploymentSpec{Replicas: ptr[int32](1), Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
			Containers: []corev1.Container{{Name: "api", Image: "orders:2"}}}}},
		Status: appsv1.DeploymentStatus{ObservedGeneration: 2, Replicas: 2, UpdatedReplicas: 1, ReadyReplicas: 1, AvailableReplicas: 1},
	}
	crashing := corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "orders-api-7d9f-x2", Labels: api.Selector},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "api", Image: "orders:2"}}},
		Status: corev1.PodStatus{Phase: corev1.PodRunning, ContainerStatuses: []corev1.ContainerStatus{{
			Name: "api", RestartCount: 2,
			State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff",
				Message: "back-off 20s restarting failed container=api pod=orders-api-7d9f-x2_local-shop(u)"}},
			LastTerminationState: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 3, Reason: "Error"}},
		}}},
	}
	tests := []struct {
		name string
		last *corev1.ContainerStateTerminated
		want string
	}{
		{"exited", &corev1.ContainerStateTerminated{ExitCode: 3, Reason: "Error"},
			"pod orders-api-7d9f-x2: CrashLoopBackOff: back-off 20s restarting failed container=api pod=orders-api-7d9f-x2_local-shop(u); its last run exited 3 (Error)"},
		{"with a termination message", &corev1.ContainerStateTerminated{ExitCode: 137, Reason: "OOMKilled", Message: "out of memory\n"},
			"pod orders-api-7d9f-x2: CrashLoopBackOff: back-off 20s restarting failed container=api pod=orders-api-7d9f-x2_local-shop(u); its last run exited 137 (OOMKilled): out of memory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pod := *crashing.DeepCopy()
			pod.Status.ContainerStatuses[0].LastTerminationState.Terminated = tt.last
			c := assess(api, &Namespace{Exists: true, Deployments: []appsv1.Deployment{deployment}, Pods: []corev1.Pod{pod}}, now)
			if c.State != Failed || c.Reason != tt.want {
				t.Errorf("state %q, reason %q; want %q, %q", c.State, c.Reason, Failed, tt.want)
			}
		})
	}
}
