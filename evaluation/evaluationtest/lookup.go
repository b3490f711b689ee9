// Package evaluationtest is what tests read a Recording of offline evaluation with: a
// resource by type and name or by URN, and a value at a dotted path of its inputs, secrets
// looked through. Only tests import it; the command and the policy pack read a Recording
// through its fields, evaluation/kube and policy/rules.
package evaluationtest

import (
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Lookup finds the value at a dotted path in a property map: "metadata.name",
// "spec.template.spec.containers[0].image". Secrets are looked through (the value found
// inside a secret is returned as a secret); ok is false when the path does not exist.
func Lookup(props resource.PropertyMap, path string) (resource.PropertyValue, bool) {
	v := resource.NewObjectProperty(props)
	secret := false
	for _, part := range strings.Split(path, ".") {
		name, index := part, -1
		if i := strings.IndexByte(part, '['); i >= 0 && strings.HasSuffix(part, "]") {
			n, err := strconv.Atoi(part[i+1 : len(part)-1])
			if err != nil {
				return resource.PropertyValue{}, false
			}
			name, index = part[:i], n
		}
		v, secret = unwrap(v, secret)
		if !v.IsObject() {
			return resource.PropertyValue{}, false
		}
		next, ok := v.ObjectValue()[resource.PropertyKey(name)]
		if !ok {
			return resource.PropertyValue{}, false
		}
		v = next
		if index >= 0 {
			v, secret = unwrap(v, secret)
			if !v.IsArray() || index >= len(v.ArrayValue()) {
				return resource.PropertyValue{}, false
			}
			v = v.ArrayValue()[index]
		}
	}
	if secret && !v.IsSecret() {
		v = resource.MakeSecret(v)
	}
	return v, true
}

// String returns the string at path, looking through secrets; "" when absent.
func String(props resource.PropertyMap, path string) string {
	v, ok := Lookup(props, path)
	if !ok {
		return ""
	}
	v, _ = unwrap(v, false)
	if !v.IsString() {
		return ""
	}
	return v.StringValue()
}

func unwrap(v resource.PropertyValue, secret bool) (resource.PropertyValue, bool) {
	for v.IsSecret() {
		v, secret = v.SecretValue().Element, true
	}
	return v, secret
}
