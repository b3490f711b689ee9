package rules

import (
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/conveyor-paas/conveyor/evaluation"
)

// minRedacted is the shortest secret that redact looks for. Rules never print a secret value
// directly (value.show prints [secret]); redact is the safety net for names derived from a
// secret (a namespace built from a secret label). Shorter strings ("1", "on") would garble
// every message that happens to contain them while revealing nothing.
const minRedacted = 3

// secretStrings lists the strings held in secrets anywhere in the resources' inputs, longest
// first so that a secret containing another is redacted whole.
func secretStrings(rs ...Resource) []string {
	var out []string
	var walk func(v resource.PropertyValue, inSecret bool)
	walk = func(v resource.PropertyValue, inSecret bool) {
		switch {
		case v.IsSecret():
			walk(v.SecretValue().Element, true)
		case v.IsOutput():
			walk(v.OutputValue().Element, inSecret || v.OutputValue().Secret)
		case v.IsString():
			if inSecret && len(v.StringValue()) >= minRedacted {
				out = append(out, v.StringValue())
			}
		case v.IsArray():
			for _, e := range v.ArrayValue() {
				walk(e, inSecret)
			}
		case v.IsObject():
			for _, e := range v.ObjectValue() {
				walk(e, inSecret)
			}
		}
	}
	for _, r := range rs {
		if r.Inputs.ContainsSecrets() {
			walk(resource.NewProperty(r.Inputs), false)
		}
	}
	slices.SortFunc(out, func(a, b string) int { return len(b) - len(a) })
	return slices.Compact(out)
}

// redact replaces every secret in a message with [secret].
func redact(message string, secrets []string) string {
	for _, s := range secrets {
		message = strings.ReplaceAll(message, s, evaluation.Redacted)
	}
	return message
}
