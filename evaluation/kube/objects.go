// Package kube turns what a program would register (an evaluation.Recording) into the Kubernetes objects it would
// apply: plain manifests, in apply order, for reviewers (conveyor render) and for the tests
// that apply them to a real API server.
package kube

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"gopkg.in/yaml.v3"

	"github.com/conveyor-paas/conveyor/evaluation"
)

// Object is one Kubernetes object as a manifest.
type Object map[string]any

// Kind is the object's kind.
func (o Object) Kind() string { s, _ := o["kind"].(string); return s }

// APIVersion is the object's group and version.
func (o Object) APIVersion() string { s, _ := o["apiVersion"].(string); return s }

// Name is metadata.name.
func (o Object) Name() string { return o.meta("name") }

// Namespace is metadata.namespace ("" for a cluster-scoped object).
func (o Object) Namespace() string { return o.meta("namespace") }

func (o Object) meta(key string) string {
	m, _ := o["metadata"].(map[string]any)
	s, _ := m[key].(string)
	return s
}

// applyOrder ranks kinds the way they must be created: namespaces and cluster-scoped objects
// first, then what pods need (accounts, secrets, quotas), then workloads, then what refers to
// workloads.
var applyOrder = []string{
	"Namespace", "ClusterRole", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding", "ClusterRoleBinding",
	"ResourceQuota", "LimitRange", "NetworkPolicy", "ServiceAccount", "Secret", "ConfigMap",
	"Role", "RoleBinding", "Service", "PersistentVolumeClaim",
	"StatefulSet", "Deployment", "Job", "CronJob",
	"HorizontalPodAutoscaler", "PodDisruptionBudget",
}

func rank(kind string) int {
	if i := slices.Index(applyOrder, kind); i >= 0 {
		return i
	}
	return len(applyOrder)
}

// Objects returns the Kubernetes objects of a recording in apply order (by kind, then
// namespace and name, so the output is stable).
func Objects(rec *evaluation.Recording) ([]Object, error) {
	var out []Object
	for _, r := range rec.Custom() {
		group, version, kind, ok := kubernetesType(r.Type)
		if !ok || !evaluation.IsKubernetesObject(r.Type) {
			continue // a Helm release (the local cluster's mesh) installs objects of its own
		}
		obj := Object{}
		for k, v := range r.Inputs {
			obj[string(k)] = plain(v)
		}
		obj["apiVersion"] = version
		if group != "core" {
			obj["apiVersion"] = group + "/" + version
		}
		obj["kind"] = kind
		if obj.Name() == "" {
			return nil, fmt.Errorf("%s %s has no metadata.name: every object is named by convention", r.Type, r.Name)
		}
		out = append(out, obj)
	}
	slices.SortStableFunc(out, func(a, b Object) int {
		return cmp.Or(cmp.Compare(rank(a.Kind()), rank(b.Kind())), cmp.Compare(a.Namespace(), b.Namespace()), cmp.Compare(a.Name(), b.Name()))
	})
	return out, nil
}

// WriteYAML writes objects as one YAML stream.
func WriteYAML(w io.Writer, objects []Object) error {
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	for _, o := range objects {
		if err := enc.Encode(map[string]any(o)); err != nil {
			return fmt.Errorf("rendering %s %s: %w", o.Kind(), o.Name(), err)
		}
	}
	return enc.Close()
}

// kubernetesType splits "kubernetes:apps/v1:Deployment" into its group, version and kind.
func kubernetesType(typ string) (group, version, kind string, ok bool) {
	parts := strings.Split(typ, ":")
	if len(parts) != 3 || parts[0] != "kubernetes" {
		return "", "", "", false
	}
	gv := strings.SplitN(parts[1], "/", 2)
	if len(gv) != 2 {
		return "", "", "", false
	}
	return gv[0], gv[1], parts[2], true
}

// plain converts a property value to plain data, redacting secrets. A secret object or list
// keeps its shape with every value inside redacted, so the manifest stays valid.
func plain(v resource.PropertyValue) any { return convert(v, false) }

func convert(v resource.PropertyValue, redact bool) any {
	switch {
	case v.IsSecret():
		return convert(v.SecretValue().Element, true)
	case redact && !v.IsArray() && !v.IsObject():
		return evaluation.Redacted // a rendering is for reading and applying: no secret in it
	case v.IsNull():
		return nil
	case v.IsBool():
		return v.BoolValue()
	case v.IsNumber():
		n := v.NumberValue()
		if n == float64(int64(n)) {
			return int64(n)
		}
		return n
	case v.IsString():
		return v.StringValue()
	case v.IsArray():
		out := make([]any, 0, len(v.ArrayValue()))
		for _, e := range v.ArrayValue() {
			out = append(out, convert(e, redact))
		}
		return out
	case v.IsObject():
		out := map[string]any{}
		for k, e := range v.ObjectValue() {
			out[string(k)] = convert(e, redact)
		}
		return out
	case v.IsComputed(), v.IsOutput():
		return nil
	}
	return v.String()
}
