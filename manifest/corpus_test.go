package manifest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	goyaml "github.com/goccy/go-yaml"
)

// The corpus in testdata/corpus was written from the README and the JSON Schema alone (see
// its README): the loader and the schema must treat every file as those documents say.
func TestCorpus(t *testing.T) {
	const dir = "testdata/corpus"
	base, err := Read(filepath.Join(dir, "base"))
	if err != nil {
		t.Fatal(err)
	}
	schemas := shippedSchemas(t)
	cases, _ := filepath.Glob(filepath.Join(dir, "*.conveyor.yaml"))
	if len(cases) < 40 {
		t.Fatalf("only %d cases in %s", len(cases), dir)
	}
	for _, file := range cases {
		name := strings.TrimSuffix(filepath.Base(file), ".conveyor.yaml")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			wantText, err := os.ReadFile(filepath.Join(dir, name+".want"))
			if err != nil {
				t.Fatal(err)
			}
			schemaWant, wantErrs := parseWant(t, string(wantText))

			report := Check(append(base[:len(base):len(base)], Source{file, data}))
			var got []string
			for _, e := range report.Errors {
				got = append(got, e.Error())
			}
			if len(wantErrs) == 0 && len(got) > 0 {
				t.Errorf("the loader refuses a valid file:\n%s", strings.Join(got, "\n"))
			}
			if len(wantErrs) > 0 {
				if len(got) != len(wantErrs) {
					t.Fatalf("got %d errors, want %d:\n%s", len(got), len(wantErrs), strings.Join(got, "\n"))
				}
				for i, w := range wantErrs {
					e := report.Errors[i]
					field := e.Field
					if field == "" {
						field = "-"
					}
					if e.File != file || fmt.Sprintf("%d:%d %s", e.Line, e.Column, field) != w.at || !strings.Contains(e.Message, w.message) {
						t.Errorf("error %d:\n got %s\nwant %s:%s | %s", i, got[i], file, w.at, w.message)
					}
				}
			}

			if schemaWant == "none" {
				return
			}
			text := string(bytes.TrimPrefix(data, bom)) // as an editor reads it
			schema := "space.schema.json"
			var doc map[string]any
			if goyaml.Unmarshal([]byte(text), &doc) == nil && doc["module"] != nil {
				schema = "module.schema.json"
			}
			err = validateYAML(t, schemas[schema], text)
			if (err == nil) != (schemaWant == "accept") {
				t.Errorf("%s says %v, want %s", schema, err, schemaWant)
			}
		})
	}
}

type wantedError struct{ at, message string }

// parseWant reads a .want file: "schema: accept|reject|none", then "valid" or one error a line.
func parseWant(t *testing.T, text string) (string, []wantedError) {
	t.Helper()
	schema := ""
	var errs []wantedError
	valid := false
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "schema: "):
			schema = strings.TrimPrefix(line, "schema: ")
		case line == "valid":
			valid = true
		default:
			at, message, ok := strings.Cut(line, " | ")
			if !ok {
				t.Fatalf("bad line in .want: %q", line)
			}
			errs = append(errs, wantedError{at, message})
		}
	}
	if schema != "accept" && schema != "reject" && schema != "none" || valid == (len(errs) > 0) {
		t.Fatalf("a .want needs a schema line and either valid or errors:\n%s", text)
	}
	return schema, errs
}
