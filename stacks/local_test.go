package stacks_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/conveyor-paas/conveyor/components/naming"
	"github.com/conveyor-paas/conveyor/stacks/render"
)

// LocalDifferences are the only ways a local environment's workloads may differ from a GCP
// environment's (the README lists them): local is a different cluster, not a different
// platform.
var localDifferences = []string{
	"names and labels carry the environment's name",
	"the size: local runs one replica and never autoscales, like an ad-hoc environment",
	"PUBSUB_EMULATOR_HOST is set, and GOOGLE_CLOUD_PROJECT names the emulator's project",
	"the Kubernetes service account has no workload identity annotation",
	"egress reaches the in-cluster PostgreSQL and Pub/Sub emulator, not Cloud SQL's address, the metadata server and Google APIs",
}

// cloudOnlyPolicies and localOnlyPolicies are the network policies of that last difference.
var (
	cloudOnlyPolicies = []string{naming.PolicyAllowMetadataServer, naming.PolicyAllowGoogleAPIs}
	localOnlyPolicies = []string{naming.PolicyAllowPubSubEmulator}
)

// TestLocalIsTheSamePlatform renders dev and local and compares every object of the spaces
// after taking out exactly the documented differences.
func TestLocalIsTheSamePlatform(t *testing.T) {
	dev := spaceObjects(t, "dev")
	local := spaceObjects(t, "local")
	if len(dev) != len(local) {
		t.Fatalf("dev has %d objects in its spaces, local %d", len(dev), len(local))
	}
	for key, d := range dev {
		l, ok := local[key]
		if !ok {
			t.Errorf("local has no %s", key)
			continue
		}
		want, got := normalize(t, d, "dev"), normalize(t, l, "local")
		if !reflect.DeepEqual(want, got) {
			a, _ := json.MarshalIndent(want, "", " ")
			b, _ := json.MarshalIndent(got, "", " ")
			t.Errorf("%s differs beyond %q:\n--- dev\n%s\n--- local\n%s", key, localDifferences, a, b)
		}
	}
}

// spaceObjects renders a stack and keeps the objects of its spaces (not the local platform
// namespace), keyed by kind and name without the environment.
func spaceObjects(t *testing.T, stack string) map[string]render.Object {
	t.Helper()
	objects, err := render.Objects(evaluate(t, stack, nil))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]render.Object{}
	for _, o := range objects {
		ns := o.Namespace()
		if o.Kind() == "Namespace" {
			ns = o.Name()
		}
		if ns == stack+"-conveyor" || !strings.HasPrefix(ns, stack+"-") {
			continue
		}
		if o.Kind() == "HorizontalPodAutoscaler" {
			continue // the size: local never autoscales
		}
		if o.Kind() == "NetworkPolicy" && (slices.Contains(cloudOnlyPolicies, o.Name()) || slices.Contains(localOnlyPolicies, o.Name())) {
			continue // what egress reaches
		}
		name := o.Name()
		if o.Kind() == "Namespace" {
			name = ""
		}
		out[fmt.Sprintf("%s %s/%s", o.Kind(), strings.TrimPrefix(ns, stack+"-"), name)] = o
	}
	return out
}

// normalize takes the documented differences out of an object.
func normalize(t *testing.T, o render.Object, env string) any {
	t.Helper()
	data, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	// The environment's name, wherever a name or label carries it.
	text := string(data)
	for _, sep := range []string{"-", ".", "_"} {
		text = strings.ReplaceAll(text, `"`+env+sep, `"<env>`+sep)
	}
	text = strings.ReplaceAll(text, `"`+env+`"`, `"<env>"`)
	var v any
	if err := json.Unmarshal([]byte(text), &v); err != nil {
		t.Fatal(err)
	}
	m := v.(map[string]any)
	// The size.
	if spec, ok := m["spec"].(map[string]any); ok && m["kind"] == "Deployment" {
		delete(spec, "replicas")
	}
	if m["kind"] == "ResourceQuota" {
		delete(m, "spec")
	}
	// Where the database is.
	if m["kind"] == "NetworkPolicy" && o.Name() == naming.PolicyAllowDatabase {
		m["spec"].(map[string]any)["egress"] = "<the environment's database server>"
	}
	// The workload identity annotation.
	if meta, ok := m["metadata"].(map[string]any); ok && m["kind"] == "ServiceAccount" {
		delete(meta, "annotations")
	}
	// The emulator and the project.
	walkContainers(m, func(c map[string]any) {
		env, _ := c["env"].([]any)
		var kept []any
		for _, e := range env {
			name := e.(map[string]any)["name"]
			switch name {
			case "PUBSUB_EMULATOR_HOST":
				continue
			case "GOOGLE_CLOUD_PROJECT":
				e.(map[string]any)["value"] = "<project>"
			}
			kept = append(kept, e)
		}
		c["env"] = kept
	})
	return m
}

func walkContainers(v any, f func(map[string]any)) {
	switch x := v.(type) {
	case map[string]any:
		if containers, ok := x["containers"].([]any); ok {
			for _, c := range containers {
				f(c.(map[string]any))
			}
		}
		for _, child := range x {
			walkContainers(child, f)
		}
	case []any:
		for _, child := range x {
			walkContainers(child, f)
		}
	}
}
