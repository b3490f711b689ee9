package manifest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
)

//go:generate go run ./internal/schemagen ../schema

// SchemaBaseURL is where the schemas are published; editors only need the files' relative
// paths (see the yaml-language-server comment at the top of each demo manifest).
const SchemaBaseURL = "https://conveyor.dev/schema/"

// JSONSchemas generates the JSON Schemas of the module manifest and of the space file from the
// rules the loader applies (rules.go, shapes.go), so the schemas editors check against state
// what `conveyor validate` enforces of each value. The keys are the file names the schemas
// ship as.
func JSONSchemas() (map[string][]byte, error) {
	out := map[string][]byte{}
	for file, t := range rootTypes {
		g := &schemaGen{defs: map[string]object{}}
		root := g.structSchema(t)
		root = append(object{
			{"$schema", "https://json-schema.org/draft/2020-12/schema"},
			{"$id", SchemaBaseURL + file},
		}, root...)
		root = append(root, member{"patternProperties", object{{"^" + extensionPrefix, object{
			{"description", "An extension field that Conveyor ignores: a place for values that anchors (&name) let other fields reuse."},
		}}}})
		if len(g.defs) > 0 {
			var defs object
			for _, name := range slices.Sorted(maps.Keys(g.defs)) {
				defs = append(defs, member{name, g.defs[name]})
			}
			root = append(root, member{"$defs", defs})
		}
		data, err := marshalIndent(root)
		if err != nil {
			return nil, fmt.Errorf("encoding %s: %w", file, err)
		}
		out[file] = data
	}
	return out, nil
}

// object is a JSON object whose members keep their order, so the schema reads like the types.
type object []member

type member struct {
	key   string
	value any
}

func (o object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(m.key)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(m.value)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func marshalIndent(v any) ([]byte, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, data, "", "  "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

// schemaGen turns rules into schemas; the structs below the root become $defs.
type schemaGen struct {
	defs map[string]object
}

// structSchema is the schema of a struct: its fields, which of them are required, no others.
func (g *schemaGen) structSchema(t reflect.Type) object {
	rules := rulesOf(t)
	var props object
	var required []string
	for _, f := range rules.fields {
		props = append(props, member{f.key, g.fieldSchema(t.Field(f.index).Type, f)})
		if f.required {
			required = append(required, f.key)
		}
	}
	out := object{{"type", "object"}, {"properties", props}, {"additionalProperties", false}}
	if len(required) > 0 {
		out = append(out, member{"required", required})
	}
	return out
}

func (g *schemaGen) fieldSchema(t reflect.Type, f *fieldRule) object {
	s := g.typeSchema(t, f)
	if f != nil && f.description != "" {
		s = append(s, member{"description", f.description})
	}
	return s
}

// typeSchema is the schema of one value of type t under rule f (nil for a map's values).
func (g *schemaGen) typeSchema(t reflect.Type, f *fieldRule) object {
	if t == databasePointer {
		// Each branch states its type, so that an editor names the one a value missed.
		mapping := append(object{{"type", "object"}}, g.typeSchema(t.Elem(), f)...)
		return object{{"anyOf", []object{{{"type", "boolean"}}, mapping}}}
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == quantityType:
		return g.ref("Quantity", func() object { return quantitySchema() })
	case t.Kind() == reflect.Struct:
		return g.ref(t.Name(), func() object { return g.structSchema(t) })
	case t.Kind() == reflect.Map:
		s := object{{"type", "object"}}
		if f != nil && f.keys != nil {
			s = append(s, member{"propertyNames", shapeSchema(f.keys)})
		}
		s = append(s, member{"additionalProperties", g.typeSchema(t.Elem(), nil)})
		if f != nil && f.minEntries > 0 {
			s = append(s, member{"minProperties", f.minEntries})
		}
		return s
	case t.Kind() == reflect.Slice:
		s := object{{"type", "array"}, {"items", g.typeSchema(t.Elem(), f.items())}}
		if f != nil && f.unique {
			s = append(s, member{"uniqueItems", true})
		}
		return s
	case t.Kind() == reflect.String && f == nil:
		// A map's values are environment variables: any scalar, read as its text, never empty
		// (minLength holds for strings only).
		return object{{"type", []string{"string", "number", "boolean"}}, {"minLength", 1}}
	case t.Kind() == reflect.String:
		s := object{{"type", "string"}}
		if len(f.enum) > 0 {
			s = append(s, member{"enum", f.enum})
		}
		if f.shape != nil {
			s = append(s, shapeSchema(f.shape)[1:]...) // without its "type"
		}
		if f.required && f.shape == nil && len(f.enum) == 0 {
			s = append(s, member{"minLength", 1})
		}
		return s
	case t.Kind() == reflect.Int:
		s := object{{"type", "integer"}}
		if f != nil && f.min != nil {
			s = append(s, member{"minimum", *f.min})
		}
		if f != nil && f.max != nil {
			s = append(s, member{"maximum", *f.max})
		}
		return s
	case t.Kind() == reflect.Bool:
		return object{{"type", "boolean"}}
	}
	panic("manifest: no schema for " + t.String())
}

// ref names a definition, making it on first use.
func (g *schemaGen) ref(name string, build func() object) object {
	if _, ok := g.defs[name]; !ok {
		g.defs[name] = nil // a placeholder against recursion
		g.defs[name] = build()
	}
	return object{{"$ref", "#/$defs/" + name}}
}

// shapeSchema states a shape as JSON Schema: its patterns, length and reserved values.
func shapeSchema(s *shape) object {
	out := object{{"type", "string"}}
	switch len(s.patterns) {
	case 0:
	case 1:
		out = append(out, member{"pattern", s.patterns[0]})
	default:
		var all []object
		for _, p := range s.patterns {
			all = append(all, object{{"pattern", p}})
		}
		out = append(out, member{"allOf", all})
	}
	if s.maxLen > 0 {
		out = append(out, member{"maxLength", s.maxLen})
	}
	var not []object
	if len(s.reservedValues) > 0 {
		not = append(not, object{{"enum", s.reservedValues}})
	}
	for _, prefix := range s.reservedPrefixes {
		not = append(not, object{{"pattern", "^" + prefix}})
	}
	switch len(not) {
	case 0:
	case 1:
		out = append(out, member{"not", not[0]})
	default:
		out = append(out, member{"not", object{{"anyOf", not}}})
	}
	return out
}

// quantitySchema is a quantity written as a string, or as a number above zero.
func quantitySchema() object {
	return object{
		{"oneOf", []object{
			shapeSchema(shapes()[shapeQuantity]),
			{{"type", "number"}, {"exclusiveMinimum", 0}},
		}},
		{"description", "A Kubernetes quantity above zero, without a sign: 250m, 1, 512Mi, 2Gi."},
	}
}
