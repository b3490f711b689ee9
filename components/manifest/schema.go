package manifest

import (
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/invopop/jsonschema"
)

//go:generate go run ./internal/schemagen ../../schema

// SchemaBaseURL is where the schemas are published; editors only need the files' relative
// paths (see the yaml-language-server comment at the top of each demo manifest).
const SchemaBaseURL = "https://conveyor.dev/schema/"

// JSONSchemas generates the JSON Schemas of the module manifest and of the space file from the
// Go types, so the schemas editors check against can never drift from what the loader reads.
// The keys are the file names the schemas ship as.
func JSONSchemas() (map[string][]byte, error) {
	out := map[string][]byte{}
	for file, v := range map[string]any{"module.schema.json": &Module{}, "space.schema.json": &Space{}} {
		r := &jsonschema.Reflector{
			FieldNameTag:   "yaml",
			ExpandedStruct: true,
			Mapper:         schemaOverrides,
		}
		s := r.Reflect(v)
		s.ID = jsonschema.ID(SchemaBaseURL + file)
		data, err := json.MarshalIndent(s, "", "  ")
		if err != nil {
			return nil, fmt.Errorf("rendering %s: %w", file, err)
		}
		out[file] = append(data, '\n')
	}
	return out, nil
}

// schemaOverrides describes the values the loader reads more liberally than their Go types
// say: quantities and configuration values may be written as numbers or booleans.
func schemaOverrides(t reflect.Type) *jsonschema.Schema {
	switch t {
	case reflect.TypeFor[Quantity]():
		return &jsonschema.Schema{
			OneOf: []*jsonschema.Schema{
				{Type: "string", Pattern: `^[0-9.]+([munkMGTPE]|[KMGTPE]i|e[0-9]+)?$`},
				{Type: "number"},
			},
			Description: "A Kubernetes quantity: 250m, 1, 512Mi, 2Gi.",
		}
	case reflect.TypeFor[map[string]string]():
		return &jsonschema.Schema{
			Type:          "object",
			PropertyNames: &jsonschema.Schema{Type: "string", Pattern: `^[A-Za-z_][A-Za-z0-9_]*$`},
			AdditionalProperties: &jsonschema.Schema{
				OneOf: []*jsonschema.Schema{{Type: "string"}, {Type: "number"}, {Type: "boolean"}},
			},
			Description: "Environment variables by name.",
		}
	}
	return nil
}
