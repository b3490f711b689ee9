package manifest

import (
	"reflect"
	"strconv"
	"strings"
	"sync"
)

// The rules of every field are written once, in the struct tags of types.go, and read by both
// the loader (decode.go) and the JSON Schema generator (schema.go), so that what an editor
// accepts and what `conveyor validate` accepts cannot drift apart:
//
//	yaml:"port,omitempty"   the key; without omitempty the field is required
//	jsonschema:"..."        comma-separated rules:
//	    minimum=N, maximum=N   bounds of a whole number
//	    enum=V (repeated)      the values a string may take
//	    shape=S                the shape of a string, or of each string of a list (see shapes.go)
//	    keys=S                 the shape of a map's keys
//	    minEntries=N           the fewest entries a map may have
//	    unique                 no item of a list twice
//	missing:"..."           what to tell a user who left a required field out
//	jsonschema_description  the schema's description, which editors show on hover
//
// A new field therefore needs one edit: its line in types.go.

// fieldRule is what the tags of one field say.
type fieldRule struct {
	key         string
	index       int
	required    bool
	missing     string
	min, max    *int
	enum        []string
	shape       *shape
	keys        *shape
	minEntries  int
	unique      bool
	description string
}

// structRule is the rules of a struct's fields, in their declared order.
type structRule struct {
	fields []*fieldRule
	byKey  map[string]*fieldRule
	// extensions allows keys starting with "x-", which the loader ignores: a place for the
	// anchors that other fields alias, as in Compose files. Only the files' roots allow them.
	extensions bool
}

// extensionPrefix starts the keys a manifest's root may hold for its own use.
const extensionPrefix = "x-"

// keys lists the known keys, for "unknown field" messages.
func (s *structRule) keys() []string {
	out := make([]string, len(s.fields))
	for i, f := range s.fields {
		out[i] = f.key
	}
	return out
}

// rootTypes are the two kinds of file, by the name of their schema.
var rootTypes = map[string]reflect.Type{
	"module.schema.json": reflect.TypeFor[Module](),
	"space.schema.json":  reflect.TypeFor[Space](),
}

// structRules reads the rules of every struct a file can hold, once. The map is never
// written after it is built.
var structRules = sync.OnceValue(func() map[reflect.Type]*structRule {
	out := map[reflect.Type]*structRule{}
	var visit func(t reflect.Type, root bool)
	visit = func(t reflect.Type, root bool) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || out[t] != nil {
			return
		}
		s := &structRule{byKey: map[string]*fieldRule{}, extensions: root}
		out[t] = s
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			rule := parseFieldRule(f)
			rule.index = i
			s.fields = append(s.fields, rule)
			s.byKey[rule.key] = rule
			visit(f.Type, false)
		}
	}
	for _, t := range rootTypes {
		visit(t, true)
	}
	return out
})

// rulesOf returns the rules of a struct type that a file can hold.
func rulesOf(t reflect.Type) *structRule { return structRules()[t] }

func parseFieldRule(f reflect.StructField) *fieldRule {
	name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	r := &fieldRule{
		key:         name,
		required:    !strings.Contains(opts, "omitempty"),
		missing:     f.Tag.Get("missing"),
		description: f.Tag.Get("jsonschema_description"),
	}
	for _, part := range strings.Split(f.Tag.Get("jsonschema"), ",") {
		key, value, _ := strings.Cut(part, "=")
		switch key {
		case "":
		case "minimum":
			r.min = mustInt(f, value)
		case "maximum":
			r.max = mustInt(f, value)
		case "enum":
			r.enum = append(r.enum, value)
		case "shape":
			r.shape = mustShape(f, value)
		case "keys":
			r.keys = mustShape(f, value)
		case "minEntries":
			r.minEntries = *mustInt(f, value)
		case "unique":
			r.unique = true
		default:
			panic("manifest: field " + f.Name + " has an unknown rule " + strconv.Quote(part))
		}
	}
	if t := f.Type; t == reflect.TypeFor[Quantity]() {
		r.shape = shapes()[shapeQuantity]
	}
	return r
}

// The tags are the package's own source: a mistake in them is a programming error that the
// first test run reports, so it panics rather than returning an error nobody can handle.
func mustInt(f reflect.StructField, value string) *int {
	n, err := strconv.Atoi(value)
	if err != nil {
		panic("manifest: field " + f.Name + ": " + err.Error())
	}
	return &n
}

func mustShape(f reflect.StructField, name string) *shape {
	s, ok := shapes()[name]
	if !ok {
		panic("manifest: field " + f.Name + " has an unknown shape " + strconv.Quote(name))
	}
	return s
}

// items is the rule a list's items follow: its shape, and nothing that concerns the list.
func (r *fieldRule) items() *fieldRule {
	if r == nil {
		return nil
	}
	return &fieldRule{shape: r.shape, enum: r.enum}
}

// rangeMessage says what a whole number must be, from its bounds.
func (r *fieldRule) rangeMessage(got int) string {
	switch {
	case r.min != nil && r.max != nil:
		return "must be between " + strconv.Itoa(*r.min) + " and " + strconv.Itoa(*r.max) + ", not " + strconv.Itoa(got)
	case r.min != nil:
		return "must be at least " + strconv.Itoa(*r.min) + ", not " + strconv.Itoa(got)
	default:
		return "must be at most " + strconv.Itoa(*r.max) + ", not " + strconv.Itoa(got)
	}
}

// inRange says whether a whole number is within the field's bounds.
func (r *fieldRule) inRange(n int) bool {
	return r == nil || ((r.min == nil || n >= *r.min) && (r.max == nil || n <= *r.max))
}

// missingMessage tells a user who left a required field out what it is for.
func (r *fieldRule) missingMessage() string {
	if r.missing != "" {
		return r.missing
	}
	return "is required"
}
