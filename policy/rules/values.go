package rules

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/conveyor-paas/conveyor/evaluation"
)

// state is whether a property is there, absent, or not known until the update runs.
type state int

const (
	absent state = iota
	present
	unknown
)

// value is one property of a resource's inputs, reached by a path. Secrets are unwrapped so
// that rules can decide on them, but remembered so that no message prints them; computed
// values and unknown outputs are kept as unknown so that a rule can say it cannot decide.
type value struct {
	// path is the property's path for messages, e.g. "spec.template.spec.containers[0]".
	// For an unknown value it is the path of the outermost unknown property.
	path   string
	v      resource.PropertyValue
	state  state
	secret bool
}

// inputs is the root of a resource's inputs.
func inputs(r Resource) value {
	return value{v: resource.NewObjectProperty(r.Inputs), state: present}
}

// wrap unwraps secrets and known outputs of pv down to the plain value they hold.
func wrap(path string, pv resource.PropertyValue, secret bool) value {
	for {
		switch {
		case pv.IsSecret():
			secret = true
			pv = pv.SecretValue().Element
		case pv.IsComputed():
			return value{path: path, state: unknown, secret: secret}
		case pv.IsOutput():
			out := pv.OutputValue()
			secret = secret || out.Secret
			if !out.Known {
				return value{path: path, state: unknown, secret: secret}
			}
			pv = out.Element
		case pv.IsNull():
			return value{path: path, state: absent, secret: secret}
		default:
			return value{path: path, v: pv, state: present, secret: secret}
		}
	}
}

func joinPath(base, key string) string {
	if base == "" {
		return key
	}
	return base + "." + key
}

// key is the property k of an object. An unknown object gives an unknown value with the
// object's own path; anything but an object gives an absent value.
func (x value) key(k string) value {
	switch {
	case x.state == unknown:
		return x
	case x.state == absent || !x.v.IsObject():
		return value{path: joinPath(x.path, k), state: absent}
	}
	pv, ok := x.v.ObjectValue()[resource.PropertyKey(k)]
	if !ok {
		return value{path: joinPath(x.path, k), state: absent}
	}
	return wrap(joinPath(x.path, k), pv, x.secret)
}

// at follows a dotted path of object keys ("spec.template.spec"). It is key applied to each
// key in turn, but builds the path of the value it returns once rather than at every step.
func (x value) at(path string) value {
	base, rest, end := x.path, path, 0
	// joined is joinPath applied key by key to the first keys of the path, up to offset n.
	joined := func(n int) string {
		if base == "" {
			return strings.TrimLeft(path[:n], ".")
		}
		return base + "." + path[:n]
	}
	for {
		k, tail, more := strings.Cut(rest, ".")
		end += len(k)
		switch {
		case x.state == unknown:
			return x
		case x.state == absent || !x.v.IsObject():
			// key of an absent value is absent, and so is every key below it.
			return value{path: joined(len(path)), state: absent}
		}
		pv, ok := x.v.ObjectValue()[resource.PropertyKey(k)]
		if !ok {
			return value{path: joined(len(path)), state: absent}
		}
		x = wrap("", pv, x.secret)
		if !more {
			x.path = joined(len(path))
			return x
		}
		if x.state == unknown {
			// An unknown value keeps the path of the outermost unknown property.
			x.path = joined(end)
			return x
		}
		rest, end = tail, end+1
	}
}

// keys are the keys of an object, sorted; nil when x is not a known object.
func (x value) keys() []string {
	if x.state != present || !x.v.IsObject() {
		return nil
	}
	keys := make([]string, 0, len(x.v.ObjectValue()))
	for _, k := range x.v.ObjectValue().StableKeys() {
		keys = append(keys, string(k))
	}
	return keys
}

// items are the elements of an array; nil when x is absent, unknown or not an array.
func (x value) items() []value {
	if x.state != present || !x.v.IsArray() {
		return nil
	}
	arr := x.v.ArrayValue()
	out := make([]value, len(arr))
	for i, pv := range arr {
		out[i] = wrap(x.path+"["+strconv.Itoa(i)+"]", pv, x.secret)
	}
	return out
}

// elems is items for a list that a rule must see whole: pending is set when the list is not
// known yet.
func (x value) elems() ([]value, *value) {
	if x.unknown() {
		return nil, &x
	}
	return x.items(), nil
}

// unknown reports whether x is not known until the update runs.
func (x value) unknown() bool { return x.state == unknown }

// set reports whether x is known and holds a value.
func (x value) set() bool { return x.state == present }

// str is x as a string; "" when x is not a known string.
func (x value) str() string {
	if x.state == present && x.v.IsString() {
		return x.v.StringValue()
	}
	return ""
}

// isTrue and isFalse report a known boolean; a string "true"/"false" counts, since some
// providers accept either.
func (x value) isTrue() bool  { b, ok := x.boolean(); return ok && b }
func (x value) isFalse() bool { b, ok := x.boolean(); return ok && !b }

func (x value) boolean() (bool, bool) {
	if x.state != present {
		return false, false
	}
	switch {
	case x.v.IsBool():
		return x.v.BoolValue(), true
	case x.v.IsString():
		b, err := strconv.ParseBool(x.v.StringValue())
		return b, err == nil
	}
	return false, false
}

// number is x as a number; ok is false when x is not a known number.
func (x value) number() (float64, bool) {
	if x.state != present {
		return 0, false
	}
	switch {
	case x.v.IsNumber():
		return x.v.NumberValue(), true
	case x.v.IsString():
		n, err := strconv.ParseFloat(x.v.StringValue(), 64)
		return n, err == nil
	}
	return 0, false
}

// show is x for a message: its quoted value, or [secret] so that no secret is ever printed.
func (x value) show() string {
	switch {
	case x.secret:
		return evaluation.Redacted
	case x.state == unknown:
		return "(unknown)"
	case x.state == absent:
		return "(unset)"
	case x.v.IsString():
		return strconv.Quote(x.v.StringValue())
	case x.v.IsNumber():
		return strconv.FormatFloat(x.v.NumberValue(), 'f', -1, 64)
	case x.v.IsBool():
		return strconv.FormatBool(x.v.BoolValue())
	}
	return x.v.TypeString()
}

// strMap reads a string map such as labels or annotations; absent gives an empty map. When
// the map, or one of its values, is not known yet, pending is that value, so that the rule
// can say what it waits for. Secret values are read like any other, and never printed.
func (x value) strMap() (m map[string]string, pending *value) {
	if x.state == unknown {
		return nil, &x
	}
	if x.state != present || !x.v.IsObject() {
		return map[string]string{}, nil
	}
	obj := x.v.ObjectValue()
	m = make(map[string]string, len(obj))
	for k, pv := range obj {
		// x.key(k), with the path built only for a value the rule must wait for.
		v := wrap("", pv, x.secret)
		if v.unknown() {
			v.path = joinPath(x.path, string(k))
			return nil, &v
		}
		m[string(k)] = v.str()
	}
	return m, nil
}

// undecided is the finding of a rule that needs x and cannot know it yet.
func undecided(x value) Finding {
	return Finding{Undecided: true, Message: fmt.Sprintf("cannot decide: %s is not known until the update runs", x.path)}
}

func violationf(format string, args ...any) Finding {
	return Finding{Message: fmt.Sprintf(format, args...)}
}
