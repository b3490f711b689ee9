package manifest

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	goyaml "github.com/goccy/go-yaml"
	validator "github.com/santhosh-tekuri/jsonschema/v6"
)

const schemaDir = "../schema"

// The schemas in the repository are what the rules generate: run `go generate ./...` after
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

// shippedSchemas compiles the schemas in schema/, as an editor would load them.
func shippedSchemas(t *testing.T) map[string]*validator.Schema {
	t.Helper()
	compiled := map[string]*validator.Schema{}
	for _, name := range []string{"module.schema.json", "space.schema.json"} {
		f, err := os.Open(filepath.Join(schemaDir, name))
		if err != nil {
			t.Fatal(err)
		}
		doc, err := validator.UnmarshalJSON(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		compiled[name] = compileSchema(t, name, doc)
	}
	return compiled
}

func compileSchema(t *testing.T, name string, doc any) *validator.Schema {
	t.Helper()
	c := validator.NewCompiler()
	if err := c.AddResource(name, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(name)
	if err != nil {
		t.Fatalf("compiling %s: %v", name, err)
	}
	return s
}

// validateYAML checks YAML text against a schema the way an editor's YAML language server
// does: the YAML is read as data (by the loader's own parser), then validated as JSON.
func validateYAML(t *testing.T, schema *validator.Schema, text string) error {
	t.Helper()
	var v any
	if err := goyaml.Unmarshal([]byte(text), &v); err != nil {
		t.Fatalf("the test's YAML does not parse: %v\n%s", err, text)
	}
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := validator.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return schema.Validate(doc)
}

// schemaFor names the schema of a catalog file.
func schemaFor(file string) string {
	if strings.HasSuffix(file, "space.conveyor.yaml") {
		return "space.schema.json"
	}
	return "module.schema.json"
}

// The demo catalog passes the schemas an editor uses.
func TestDemoCatalogPassesTheSchemas(t *testing.T) {
	schemas := shippedSchemas(t)
	files, _ := filepath.Glob("../stacks/catalog/*/*.conveyor.yaml")
	if len(files) == 0 {
		t.Fatal("no demo catalog")
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if err := validateYAML(t, schemas[schemaFor(file)], string(data)); err != nil {
			t.Errorf("%s does not pass %s: %v", file, schemaFor(file), err)
		}
	}
}
