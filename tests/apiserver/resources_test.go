package apiserver

import (
	"fmt"
	"strings"
	"testing"

	goyaml "github.com/goccy/go-yaml"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/conveyor-paas/conveyor/manifest"
)

// The manifest loader refuses exactly the resources a real API server refuses (issue 17,
// item 8). Each case is a space's limits and a component's resources. The loader judges them
// as a catalog; the API server judges the LimitRange the space gets (manifest.ContainerLimits,
// what the Space component applies) and a Pod that sets only what the component writes, which
// the LimitRanger admission completes from that LimitRange, as Kubernetes would.
func TestTheLoaderRefusesTheResourcesKubernetesRefuses(t *testing.T) {
	cases := []struct {
		name, limits, resources string
	}{
		{"nothing set", "", ""},
		{"a request above its limit", "", `{requests: {cpu: "2"}, limits: {cpu: "1"}}`},
		{"a request above the platform's default limit", "", `{requests: {memory: 1Gi}}`},
		{"a request above the space's default limit", `{default: {cpu: 300m}}`, `{requests: {cpu: 400m}}`},
		{"a request within the space's default limit", `{default: {cpu: 300m}}`, `{requests: {cpu: 200m}}`},
		{"a limit alone, below the default request", "", `{limits: {cpu: 50m}}`},
		{"a space maximum below the platform's default limit", `{max: {memory: 128Mi}}`, ""},
		{"a space default limit below its default request", `{defaultRequest: {cpu: 500m}, default: {cpu: 200m}}`, ""},
		{"a space default limit below the platform's default request", `{default: {cpu: 50m}}`, ""},
		{"a space default request above its maximum", `{defaultRequest: {cpu: 300m}, default: {cpu: 300m}, max: {cpu: 250m}}`, ""},
		{"a space whose defaults fit its maximum", `{defaultRequest: {memory: 64Mi}, default: {memory: 128Mi}, max: {memory: 128Mi}}`, ""},
		{"a limit above the space's maximum", `{max: {cpu: "1"}}`, `{limits: {cpu: "2"}}`},
		{"a limit at the space's maximum", `{max: {cpu: "1"}}`, `{limits: {cpu: "1"}}`},
	}
	c := startCluster(t)
	ctx := t.Context()
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			space := "space: billing\nteam: billing@acme.io\n"
			if tc.limits != "" {
				space += "limits: " + tc.limits + "\n"
			}
			module := "module: invoices\nspace: billing\ncomponents:\n  api:\n    image: busybox:1.37.0\n"
			if tc.resources != "" {
				module += "    resources: " + tc.resources + "\n"
			}
			_, loadErr := manifest.Parse([]manifest.Source{{Name: "space.conveyor.yaml", Data: []byte(space)}, {Name: "invoices.conveyor.yaml", Data: []byte(module)}})

			var limits manifest.Limits
			var resources manifest.Resources
			decode(t, tc.limits, &limits)
			decode(t, tc.resources, &resources)

			ns := fmt.Sprintf("resources-%d", i)
			if _, err := c.typed.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
				t.Fatal(err)
			}
			if err := c.kube.WaitForDefaultServiceAccount(ctx, ns); err != nil {
				t.Fatal(err)
			}
			container := manifest.ContainerLimits(&limits)
			item := corev1.LimitRangeItem{
				Type:           corev1.LimitTypeContainer,
				DefaultRequest: resourceList(container.DefaultRequest),
				Default:        resourceList(container.Default),
				Max:            resourceList(container.Max),
			}
			_, kubeErr := c.typed.CoreV1().LimitRanges(ns).Create(ctx, &corev1.LimitRange{
				ObjectMeta: metav1.ObjectMeta{Name: "limits"},
				Spec:       corev1.LimitRangeSpec{Limits: []corev1.LimitRangeItem{item}},
			}, metav1.CreateOptions{})
			if kubeErr == nil {
				pod := &corev1.Pod{
					ObjectMeta: metav1.ObjectMeta{Name: "invoices-api"},
					Spec: corev1.PodSpec{Containers: []corev1.Container{{
						Name: "api", Image: "busybox:1.37.0",
						Resources: corev1.ResourceRequirements{Requests: resourceList(resources.Requests), Limits: resourceList(resources.Limits)},
					}}},
				}
				_, kubeErr = c.typed.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
			}
			if (loadErr == nil) != (kubeErr == nil) {
				t.Errorf("the loader says %v\nthe API server says %v", orOK(loadErr), orOK(kubeErr))
			}
		})
	}
}

func decode(t *testing.T, text string, into any) {
	t.Helper()
	if text == "" {
		return
	}
	if err := goyaml.Unmarshal([]byte(text), into); err != nil {
		t.Fatalf("%s: %v", text, err)
	}
}

func resourceList(l *manifest.ResourceList) corev1.ResourceList {
	out := corev1.ResourceList{}
	if l == nil {
		return out
	}
	if l.CPU != "" {
		out[corev1.ResourceCPU] = resource.MustParse(string(l.CPU))
	}
	if l.Memory != "" {
		out[corev1.ResourceMemory] = resource.MustParse(string(l.Memory))
	}
	return out
}

func orOK(err error) string {
	if err == nil {
		return "ok"
	}
	return strings.ReplaceAll(err.Error(), "\n", "; ")
}
