package network

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/mattfenwick/cyclonus/pkg/matcher"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/conveyor-paas/conveyor/evaluation/kube"
	"github.com/conveyor-paas/conveyor/stacks"
)

var root, _ = filepath.Abs("../..")

// labelNamespaceName is the label the API server gives every namespace: its own name.
const labelNamespaceName = "kubernetes.io/metadata.name"

// pod is one workload's pods, as a policy sees them.
type pod struct {
	namespace string
	labels    map[string]string
	ip        string
}

// cluster is several environments' objects on one cluster, as the program renders them:
// their namespaces, the pods of their workloads, and their network policies, plus the
// cluster's own DNS in kube-system.
type cluster struct {
	namespaces map[string]map[string]string
	pods       map[string]pod // by "<namespace>/<workload>"
	policies   []*networkingv1.NetworkPolicy
	engine     *matcher.Policy
}

// newCluster renders each environment (stacks.Evaluate and evaluation/kube, offline) and puts
// them side by side.
func newCluster(t *testing.T, envs ...string) *cluster {
	t.Helper()
	c := &cluster{
		namespaces: map[string]map[string]string{"kube-system": {labelNamespaceName: "kube-system"}},
		pods:       map[string]pod{},
	}
	c.addPod("kube-system/kube-dns", map[string]string{"k8s-app": "kube-dns"})
	for _, env := range envs {
		rec, err := stacks.Evaluate(stacks.EvaluateOptions{Root: root, Stack: env})
		if err != nil {
			t.Fatalf("evaluating %s: %v", env, err)
		}
		objects, err := kube.Objects(rec)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range objects {
			switch o.Kind() {
			case "Namespace":
				labels := stringMap(o, "metadata", "labels")
				labels[labelNamespaceName] = o.Name()
				c.namespaces[o.Name()] = labels
			case "Deployment", "StatefulSet", "Job":
				c.addPod(o.Namespace()+"/"+o.Name(), stringMap(o, "spec", "template", "metadata", "labels"))
			case "CronJob":
				c.addPod(o.Namespace()+"/"+o.Name(), stringMap(o, "spec", "jobTemplate", "spec", "template", "metadata", "labels"))
			case "NetworkPolicy":
				var np networkingv1.NetworkPolicy
				data, err := json.Marshal(o)
				if err == nil {
					err = json.Unmarshal(data, &np)
				}
				if err != nil {
					t.Fatalf("NetworkPolicy %s/%s: %v", o.Namespace(), o.Name(), err)
				}
				c.policies = append(c.policies, &np)
			}
		}
	}
	for key, p := range c.pods {
		if _, ok := c.namespaces[p.namespace]; !ok {
			t.Fatalf("pod %s is in a namespace nobody creates", key)
		}
	}
	c.engine = matcher.BuildNetworkPolicies(true, c.policies)
	return c
}

// addPod gives a workload's pods an address of the cluster's pod range, so that a policy's
// ipBlock is checked against pods too.
func (c *cluster) addPod(key string, labels map[string]string) {
	ns, _, _ := cut(key)
	n := len(c.pods) + 1
	c.pods[key] = pod{namespace: ns, labels: labels, ip: fmt.Sprintf("10.16.%d.%d", n/250, n%250+1)}
}

// peer is a pod of the cluster ("dev-sales/quotes-api") or an address outside it.
func (c *cluster) peer(t *testing.T, name string) *matcher.TrafficPeer {
	t.Helper()
	if _, _, isPod := cut(name); !isPod {
		return &matcher.TrafficPeer{IP: name}
	}
	p, ok := c.pods[name]
	if !ok {
		var known []string
		for k := range c.pods {
			known = append(known, k)
		}
		slices.Sort(known)
		t.Fatalf("no workload %s; there are %v", name, known)
	}
	return &matcher.TrafficPeer{IP: p.ip, Internal: &matcher.InternalPeer{
		PodLabels: p.labels, NamespaceLabels: c.namespaces[p.namespace], Namespace: p.namespace,
	}}
}

// allows asks the policy engine whether from may open a connection to port of to: both the
// source's egress and the destination's ingress must allow it.
func (c *cluster) allows(t *testing.T, from, to string, port int, protocol corev1.Protocol) (bool, string) {
	t.Helper()
	result := c.engine.IsTrafficAllowed(&matcher.Traffic{
		Source: c.peer(t, from), Destination: c.peer(t, to), ResolvedPort: port, Protocol: protocol,
	})
	return result.IsAllowed(), result.Table()
}

func cut(key string) (string, string, bool) {
	for i := range key {
		if key[i] == '/' {
			return key[:i], key[i+1:], true
		}
	}
	return key, "", false
}

func stringMap(o kube.Object, path ...string) map[string]string {
	var v any = map[string]any(o)
	for _, p := range path {
		m, _ := v.(map[string]any)
		v = m[p]
	}
	out := map[string]string{}
	m, _ := v.(map[string]any)
	for k, val := range m {
		if s, ok := val.(string); ok {
			out[k] = s
		}
	}
	return out
}
