package cost

import (
	"fmt"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/conveyor-paas/conveyor/naming"
)

// Workload is a long-running workload of a module: what one replica requests, and how many
// replicas run.
type Workload struct {
	Space     string `json:"space"`
	Module    string `json:"module"`
	Component string `json:"component"`
	Kind      string `json:"kind"`
	// CPU (cores) and Memory (GiB) one replica requests: its containers' and, in the mesh,
	// its sidecar's.
	CPU    float64 `json:"cpu"`
	Memory float64 `json:"memoryGiB"`
	// MinReplicas and MaxReplicas are the autoscaler's range, or both the fixed replicas.
	MinReplicas int `json:"minReplicas"`
	MaxReplicas int `json:"maxReplicas"`
}

// Workloads reads the long-running workloads of an environment's Kubernetes objects (as
// evaluation/kube renders them, or as the policy pack sees a resource's inputs): its
// Deployments and StatefulSets, each with its autoscaler's range. Jobs and CronJobs run to
// completion and are left out (an assumption every estimate states). Objects that carry no
// module label are the platform's (a local environment's database), and belong to no space.
func Workloads(objects []map[string]any) ([]Workload, error) {
	scaled := map[string][2]int{} // namespace/name of the target -> min, max
	for _, o := range objects {
		if o["kind"] != "HorizontalPodAutoscaler" {
			continue
		}
		spec, _ := o["spec"].(map[string]any)
		ref, _ := spec["scaleTargetRef"].(map[string]any)
		scaled[str(meta(o)["namespace"])+"/"+str(ref["name"])] = [2]int{num(spec["minReplicas"], 1), num(spec["maxReplicas"], 1)}
	}
	var out []Workload
	for _, o := range objects {
		kind := str(o["kind"])
		if kind != "Deployment" && kind != "StatefulSet" {
			continue
		}
		m := meta(o)
		labels, _ := m["labels"].(map[string]any)
		spec, _ := o["spec"].(map[string]any)
		w := Workload{Space: str(labels[naming.LabelSpace]), Module: str(labels[naming.LabelModule]), Component: str(labels[naming.LabelConveyorCmp]), Kind: kind}
		if w.Module == "" {
			w.Module, w.Component = "(platform)", str(m["name"])
		}
		replicas := num(spec["replicas"], 1)
		w.MinReplicas, w.MaxReplicas = replicas, replicas
		if r, ok := scaled[str(m["namespace"])+"/"+str(m["name"])]; ok {
			w.MinReplicas, w.MaxReplicas = r[0], r[1]
		}
		template, _ := spec["template"].(map[string]any)
		if err := w.addRequests(template); err != nil {
			return nil, fmt.Errorf("%s %s/%s: %w", kind, m["namespace"], m["name"], err)
		}
		out = append(out, w)
	}
	return out, nil
}

// addRequests adds up what a pod template's containers request, and its mesh sidecar's
// (whose requests the pod's annotations set, see components/module_mesh.go).
func (w *Workload) addRequests(template map[string]any) error {
	podSpec, _ := template["spec"].(map[string]any)
	containers, _ := podSpec["containers"].([]any)
	for _, c := range containers {
		c, _ := c.(map[string]any)
		res, _ := c["resources"].(map[string]any)
		req, _ := res["requests"].(map[string]any)
		if err := w.add(str(c["name"]), req["cpu"], req["memory"]); err != nil {
			return err
		}
	}
	annotations, _ := meta(template)["annotations"].(map[string]any)
	if cpu, ok := annotations[naming.MeshProxyCPU]; ok {
		return w.add("the mesh sidecar", cpu, annotations[naming.MeshProxyMemory])
	}
	return nil
}

func (w *Workload) add(container string, cpu, memory any) error {
	for _, q := range []struct {
		value any
		into  *float64
		scale float64
	}{{cpu, &w.CPU, 1}, {memory, &w.Memory, 1 << 30}} {
		if q.value == nil {
			continue // no request: the space's limit range gives it one, at most its default
		}
		parsed, err := resource.ParseQuantity(str(q.value))
		if err != nil {
			return fmt.Errorf("container %s requests %q: %w", container, q.value, err)
		}
		*q.into += parsed.AsApproximateFloat64() / q.scale
	}
	return nil
}

func meta(o map[string]any) map[string]any {
	m, _ := o["metadata"].(map[string]any)
	return m
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// num reads a whole number an object holds: float64 in a resource's inputs
// (PropertyMap.Mappable), int64 where evaluation/kube renders a whole number; else def.
func num(v any, def int) int {
	switch n := v.(type) {
	case float64:
		return int(n)
	case int64:
		return int(n)
	case int:
		return n
	}
	return def
}
