package harness

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	appsv1ac "k8s.io/client-go/applyconfigurations/apps/v1"
	batchv1ac "k8s.io/client-go/applyconfigurations/batch/v1"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
	metav1ac "k8s.io/client-go/applyconfigurations/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

const fieldManager = "conveyor-harness-smoke"

// TestKube starts one control plane and checks, in order, what the API-server tier relies on.
func TestKube(t *testing.T) {
	kube := KubeForTestWith(t, KubeOptions{ProvisionVolumes: true})
	ctx := t.Context()

	t.Run("version and nodes", func(t *testing.T) {
		goMod, err := os.ReadFile(filepath.Join("..", "..", "tools", "kube", "go.mod"))
		if err != nil {
			t.Fatal(err)
		}
		want, err := requiredVersion(goMod, "k8s.io/kubernetes")
		if err != nil {
			t.Fatal(err)
		}
		if kube.Version != want {
			t.Errorf("server reports %q, want the pinned %q", kube.Version, want)
		}

		// The kubeconfig file must work on its own, as kubectl and Pulumi use it.
		cfg, err := clientcmd.BuildConfigFromFlags("", kube.Kubeconfig)
		if err != nil {
			t.Fatalf("loading %s: %v", kube.Kubeconfig, err)
		}
		client, err := kubernetes.NewForConfig(cfg)
		if err != nil {
			t.Fatal(err)
		}
		nodes, err := client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
		if err != nil {
			t.Fatalf("listing nodes through the kubeconfig: %v", err)
		}
		var zones []string
		for _, n := range nodes.Items {
			if n.Annotations[FakeNodeAnnotation] != "fake" {
				t.Errorf("node %s lacks the %s annotation", n.Name, FakeNodeAnnotation)
			}
			zones = append(zones, n.Labels[ZoneLabel])
		}
		slices.Sort(zones)
		if want := []string{"zone-a", "zone-b", "zone-c"}; !slices.Equal(zones, want) {
			t.Errorf("node zones = %v, want %v", zones, want)
		}
	})

	ns := createNamespace(t, kube, "restricted", map[string]string{
		"pod-security.kubernetes.io/enforce":         "restricted",
		"pod-security.kubernetes.io/enforce-version": "latest",
	})

	t.Run("restricted deployment becomes available", func(t *testing.T) {
		labels := map[string]string{"app.kubernetes.io/name": "web"}
		deployment := appsv1ac.Deployment("web", ns).
			WithLabels(labels).
			WithSpec(appsv1ac.DeploymentSpec().
				WithReplicas(2).
				WithSelector(metav1ac.LabelSelector().WithMatchLabels(labels)).
				WithTemplate(corev1ac.PodTemplateSpec().
					WithLabels(labels).
					WithSpec(restrictedPodSpec().
						// One replica per zone, as Conveyor spreads them.
						WithTopologySpreadConstraints(corev1ac.TopologySpreadConstraint().
							WithMaxSkew(1).
							WithTopologyKey(ZoneLabel).
							WithWhenUnsatisfiable(corev1.DoNotSchedule).
							WithLabelSelector(metav1ac.LabelSelector().WithMatchLabels(labels))))))
		applied, err := kube.Client.AppsV1().Deployments(ns).Apply(ctx, deployment, metav1.ApplyOptions{FieldManager: fieldManager})
		if err != nil {
			t.Fatalf("server-side apply: %v", err)
		}
		if !hasApplyManager(applied.ManagedFields) {
			t.Errorf("managed fields %v lack an Apply entry of %s", applied.ManagedFields, fieldManager)
		}

		last := &appsv1.Deployment{}
		err = poll(ctx, 2*time.Minute, func(ctx context.Context) (bool, error) {
			d, err := kube.Client.AppsV1().Deployments(ns).Get(ctx, "web", metav1.GetOptions{})
			if err != nil {
				return false, err
			}
			last = d
			return d.Status.ObservedGeneration == d.Generation && d.Status.AvailableReplicas == 2 &&
				deploymentCondition(d, appsv1.DeploymentAvailable) == corev1.ConditionTrue, nil
		})
		if err != nil {
			t.Fatalf("deployment not available: %v; last status %+v", err, last.Status)
		}

		pods, err := kube.Client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app.kubernetes.io/name=web"})
		if err != nil {
			t.Fatal(err)
		}
		nodes := map[string]bool{}
		for _, p := range pods.Items {
			if !slices.Contains(kube.Nodes, p.Spec.NodeName) || p.Status.Phase != corev1.PodRunning {
				t.Errorf("pod %s: node %q, phase %s; want Running on a kwok node", p.Name, p.Spec.NodeName, p.Status.Phase)
			}
			nodes[p.Spec.NodeName] = true
		}
		if len(pods.Items) != 2 || len(nodes) != 2 {
			t.Errorf("want 2 pods on 2 nodes, got %d pods on %v", len(pods.Items), nodes)
		}
	})

	t.Run("privileged pod is refused by Pod Security admission", func(t *testing.T) {
		privileged := true
		pod := &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: "privileged"},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{
				Name:            "app",
				Image:           "registry.k8s.io/pause:3.10",
				SecurityContext: &corev1.SecurityContext{Privileged: &privileged},
			}}},
		}
		_, err := kube.Client.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{})
		if err == nil {
			t.Fatal("a privileged pod was admitted into a restricted namespace")
		}
		msg := err.Error()
		if !apierrors.IsForbidden(err) || !strings.Contains(msg, `violates PodSecurity "restricted:latest"`) ||
			!strings.Contains(msg, "privileged") {
			t.Fatalf("want a Pod Security refusal naming privileged, got: %v", err)
		}
	})

	t.Run("job completes", func(t *testing.T) {
		job := batchv1ac.Job("migrate", ns).
			WithSpec(batchv1ac.JobSpec().
				WithBackoffLimit(0).
				WithTemplate(corev1ac.PodTemplateSpec().
					WithSpec(restrictedPodSpec().WithRestartPolicy(corev1.RestartPolicyNever))))
		if _, err := kube.Client.BatchV1().Jobs(ns).Apply(ctx, job, metav1.ApplyOptions{FieldManager: fieldManager}); err != nil {
			t.Fatalf("server-side apply: %v", err)
		}
		last := &batchv1.Job{}
		err := poll(ctx, 2*time.Minute, func(ctx context.Context) (bool, error) {
			j, err := kube.Client.BatchV1().Jobs(ns).Get(ctx, "migrate", metav1.GetOptions{})
			if err != nil {
				return false, err
			}
			last = j
			for _, c := range j.Status.Conditions {
				if c.Type == batchv1.JobFailed && c.Status == corev1.ConditionTrue {
					return false, fmt.Errorf("job failed: %s", c.Message)
				}
				if c.Type == batchv1.JobComplete && c.Status == corev1.ConditionTrue {
					return j.Status.Succeeded == 1, nil
				}
			}
			return false, nil
		})
		if err != nil {
			t.Fatalf("job did not complete: %v; last status %+v", err, last.Status)
		}
	})

	t.Run("a StatefulSet's claim gets a volume, deleted with the claim", func(t *testing.T) {
		labels := map[string]string{"app.kubernetes.io/name": "db"}
		set := appsv1ac.StatefulSet("db", ns).
			WithSpec(appsv1ac.StatefulSetSpec().
				WithServiceName("db").
				WithReplicas(1).
				WithSelector(metav1ac.LabelSelector().WithMatchLabels(labels)).
				WithTemplate(corev1ac.PodTemplateSpec().WithLabels(labels).WithSpec(restrictedPodSpec())).
				WithVolumeClaimTemplates(corev1ac.PersistentVolumeClaim("data", "").
					WithSpec(corev1ac.PersistentVolumeClaimSpec().
						WithAccessModes(corev1.ReadWriteOnce).
						WithResources(corev1ac.VolumeResourceRequirements().
							WithRequests(corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("2Gi")})))))
		if _, err := kube.Client.AppsV1().StatefulSets(ns).Apply(ctx, set, metav1.ApplyOptions{FieldManager: fieldManager}); err != nil {
			t.Fatalf("server-side apply: %v", err)
		}
		last := &appsv1.StatefulSet{}
		if err := poll(ctx, 2*time.Minute, func(ctx context.Context) (bool, error) {
			s, err := kube.Client.AppsV1().StatefulSets(ns).Get(ctx, "db", metav1.GetOptions{})
			last = s
			return err == nil && s.Status.ReadyReplicas == 1, err
		}); err != nil {
			var phases []string
			if claims, err := kube.Client.CoreV1().PersistentVolumeClaims(ns).List(ctx, metav1.ListOptions{}); err == nil {
				for _, c := range claims.Items {
					phases = append(phases, c.Name+" "+string(c.Status.Phase))
				}
			}
			t.Fatalf("the StatefulSet never became ready: %v; %d of 1 replicas ready; claims %v", err, last.Status.ReadyReplicas, phases)
		}
		claim, err := kube.Client.CoreV1().PersistentVolumeClaims(ns).Get(ctx, "data-db-0", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		pv, err := kube.Client.CoreV1().PersistentVolumes().Get(ctx, claim.Spec.VolumeName, metav1.GetOptions{})
		if err != nil {
			t.Fatalf("the claim's volume %q: %v", claim.Spec.VolumeName, err)
		}
		if claim.Status.Phase != corev1.ClaimBound || pv.Labels[ProvisionedLabel] != "true" || pv.Spec.Capacity.Storage().String() != "2Gi" {
			t.Errorf("claim %s bound to %s (%s), want Bound to a provisioned 2Gi volume", claim.Status.Phase, pv.Name, pv.Spec.Capacity.Storage())
		}

		// A StatefulSet keeps its claims; deleting the claim releases the volume, which goes.
		if err := kube.Client.AppsV1().StatefulSets(ns).Delete(ctx, "db", metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
		if err := kube.Client.CoreV1().PersistentVolumeClaims(ns).Delete(ctx, claim.Name, metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
		if err := poll(ctx, 2*time.Minute, func(ctx context.Context) (bool, error) {
			_, err := kube.Client.CoreV1().PersistentVolumes().Get(ctx, pv.Name, metav1.GetOptions{})
			if apierrors.IsNotFound(err) {
				return true, nil
			}
			return false, err
		}); err != nil {
			t.Errorf("the released volume %s was not deleted: %v", pv.Name, err)
		}
	})

	t.Run("LimitRanger and ResourceQuota are enforced", func(t *testing.T) {
		ns := createNamespace(t, kube, "quota", nil)
		limits := corev1ac.LimitRange("defaults", ns).WithSpec(corev1ac.LimitRangeSpec().WithLimits(
			corev1ac.LimitRangeItem().
				WithType(corev1.LimitTypeContainer).
				WithDefault(corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("500m"), corev1.ResourceMemory: resource.MustParse("256Mi")}).
				WithDefaultRequest(corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("64Mi")})))
		if _, err := kube.Client.CoreV1().LimitRanges(ns).Apply(ctx, limits, metav1.ApplyOptions{FieldManager: fieldManager}); err != nil {
			t.Fatal(err)
		}
		quota := corev1ac.ResourceQuota("pods", ns).WithSpec(corev1ac.ResourceQuotaSpec().
			WithHard(corev1.ResourceList{corev1.ResourcePods: resource.MustParse("1")}))
		if _, err := kube.Client.CoreV1().ResourceQuotas(ns).Apply(ctx, quota, metav1.ApplyOptions{FieldManager: fieldManager}); err != nil {
			t.Fatal(err)
		}
		// Quota admission refuses everything until the quota controller has computed usage.
		if err := poll(ctx, time.Minute, func(ctx context.Context) (bool, error) {
			q, err := kube.Client.CoreV1().ResourceQuotas(ns).Get(ctx, "pods", metav1.GetOptions{})
			return err == nil && q.Status.Hard != nil, err
		}); err != nil {
			t.Fatalf("quota status never computed: %v", err)
		}

		pod := func(name string) *corev1.Pod {
			return &corev1.Pod{
				ObjectMeta: metav1.ObjectMeta{Name: name},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "registry.k8s.io/pause:3.10"}}},
			}
		}
		first, err := kube.Client.CoreV1().Pods(ns).Create(ctx, pod("first"), metav1.CreateOptions{})
		if err != nil {
			t.Fatalf("first pod: %v", err)
		}
		if got := first.Spec.Containers[0].Resources.Limits.Memory(); got.String() != "256Mi" {
			t.Errorf("LimitRanger did not default the memory limit: got %s", got)
		}
		_, err = kube.Client.CoreV1().Pods(ns).Create(ctx, pod("second"), metav1.CreateOptions{})
		if !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), "exceeded quota") {
			t.Fatalf("want the second pod refused by the quota, got: %v", err)
		}
	})
}

// restrictedPodSpec is a pod that the restricted Pod Security level admits.
func restrictedPodSpec() *corev1ac.PodSpecApplyConfiguration {
	return corev1ac.PodSpec().
		WithAutomountServiceAccountToken(false).
		WithSecurityContext(corev1ac.PodSecurityContext().
			WithRunAsNonRoot(true).
			WithRunAsUser(65532).
			WithSeccompProfile(corev1ac.SeccompProfile().WithType(corev1.SeccompProfileTypeRuntimeDefault))).
		WithContainers(corev1ac.Container().
			WithName("app").
			WithImage("registry.k8s.io/pause:3.10").
			WithResources(corev1ac.ResourceRequirements().
				WithRequests(corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("64Mi")}).
				WithLimits(corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("64Mi")})).
			WithSecurityContext(corev1ac.SecurityContext().
				WithAllowPrivilegeEscalation(false).
				WithReadOnlyRootFilesystem(true).
				WithCapabilities(corev1ac.Capabilities().WithDrop("ALL"))))
}

// createNamespace creates a namespace and waits for its default service account, without
// which pods are refused before Pod Security admission even looks at them.
func createNamespace(t *testing.T, kube *Kube, name string, labels map[string]string) string {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}}
	if _, err := kube.Client.CoreV1().Namespaces().Create(t.Context(), ns, metav1.CreateOptions{}); err != nil {
		t.Fatalf("creating namespace %s: %v", name, err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	if err := kube.WaitForDefaultServiceAccount(ctx, name); err != nil {
		t.Fatal(err)
	}
	return name
}

func hasApplyManager(fields []metav1.ManagedFieldsEntry) bool {
	for _, f := range fields {
		if f.Manager == fieldManager && f.Operation == metav1.ManagedFieldsOperationApply {
			return true
		}
	}
	return false
}

func deploymentCondition(d *appsv1.Deployment, typ appsv1.DeploymentConditionType) corev1.ConditionStatus {
	for _, c := range d.Status.Conditions {
		if c.Type == typ {
			return c.Status
		}
	}
	return corev1.ConditionUnknown
}

// poll calls cond every half second until it reports done, returns an error, or timeout.
func poll(ctx context.Context, timeout time.Duration, cond func(context.Context) (bool, error)) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		done, err := cond(ctx)
		if err != nil || done {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}
