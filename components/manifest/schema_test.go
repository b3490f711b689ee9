package manifest

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	validator "github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"
)

const schemaDir = "../../schema"

// The schemas in the repository are what the Go types generate: run `go generate ./...` after
// changing a manifest type.
func TestShippedSchemasAreGenerated(t *testing.T) {
	schemas, err := JSONSchemas()
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range schemas {
		got, err := os.ReadFile(filepath.Join(schemaDir, name))
		if err != nil {
			t.Fatalf("%v (run go generate ./...)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("schema/%s is stale: run go generate ./...", name)
		}
	}
}

// The schema an editor uses agrees with the loader: the demo catalog passes it, and the
// mistakes the loader rejects for their shape are rejected by the schema too.
func TestSchemaValidatesManifests(t *testing.T) {
	compiled := map[string]*validator.Schema{}
	for _, name := range []string{"module.schema.json", "space.schema.json"} {
		c := validator.NewCompiler()
		f, err := os.Open(filepath.Join(schemaDir, name))
		if err != nil {
			t.Fatal(err)
		}
		doc, err := validator.UnmarshalJSON(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if err := c.AddResource(name, doc); err != nil {
			t.Fatal(err)
		}
		if compiled[name], err = c.Compile(name); err != nil {
			t.Fatalf("compiling %s: %v", name, err)
		}
	}
	check := func(schema string, text string) error {
		var v any
		if err := yaml.Unmarshal([]byte(text), &v); err != nil {
			t.Fatal(err)
		}
		// Round-trip through JSON so that the validator sees JSON types.
		data, _ := json.Marshal(v)
		doc, _ := validator.UnmarshalJSON(bytes.NewReader(data))
		return compiled[schema].Validate(doc)
	}
	files, _ := filepath.Glob("../../stacks/catalog/*/*.conveyor.yaml")
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		schema := "module.schema.json"
		if strings.HasSuffix(file, "space.conveyor.yaml") {
			schema = "space.schema.json"
		}
		if err := check(schema, string(data)); err != nil {
			t.Errorf("%s does not pass %s: %v", file, schema, err)
		}
	}
	bad := []struct{ name, schema, text string }{
		{"unknown field", "module.schema.json", "module: q\nspace: s\ncomponents: {api: {image: a:1, prot: 1}}\n"},
		{"missing image", "module.schema.json", "module: q\nspace: s\ncomponents: {api: {port: 1}}\n"},
		{"unknown kind", "module.schema.json", "module: q\nspace: s\ncomponents: {w: {kind: daemon, image: a:1}}\n"},
		{"missing team", "space.schema.json", "space: s\n"},
		{"bad quantity", "space.schema.json", "space: s\nteam: t\nquota: {cpu: lots}\n"},
	}
	for _, tt := range bad {
		if err := check(tt.schema, tt.text); err == nil {
			t.Errorf("%s: the schema accepts %q", tt.name, tt.text)
		}
	}
}
