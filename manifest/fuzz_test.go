package manifest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/conveyor-paas/conveyor/naming"
)

// maxMessage bounds a message: a few quoted values of maxMention characters and the words
// around them.
const maxMessage = 600

// FuzzParse feeds arbitrary bytes to the loader as one more file of a small valid catalog.
// Whatever the bytes, the loader must not panic, must return either a catalog or errors
// (never both, never neither), every error must have a place, and a catalog it returns must
// hold only names the naming package accepts. The seed corpus is the demo catalog, the
// manifest corpus and the files under testdata/fuzz/FuzzParse; CI runs only the seeds.
func FuzzParse(f *testing.F) {
	demo, err := filepath.Glob("../stacks/catalog/*/*.conveyor.yaml")
	if err != nil || len(demo) == 0 {
		f.Fatalf("no demo catalog to seed from: %v", err)
	}
	// The corpus has anchors, merge keys, syntax errors and every rule's mistakes.
	corpus, _ := filepath.Glob("testdata/corpus/*.conveyor.yaml")
	for _, file := range append(demo, corpus...) {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cat, err := Parse([]Source{
			{"space.conveyor.yaml", []byte(spaceFile)},
			{"policies.conveyor.yaml", []byte(producerFile)},
			{"fuzz.conveyor.yaml", data},
		})
		if (cat == nil) == (err == nil) {
			t.Fatalf("Parse returned catalog %v and error %v", cat, err)
		}
		if err != nil {
			errs, ok := err.(Errors)
			if !ok || len(errs) == 0 {
				t.Fatalf("Parse failed without Errors: %T %v", err, err)
			}
			lines := len(splitLines(string(data)))
			for _, e := range errs {
				if e.File == "" || e.Line < 1 || e.Column < 1 || e.Message == "" {
					t.Fatalf("error without a place or message: %#v", e)
				}
				if e.File == "fuzz.conveyor.yaml" && e.Line > lines {
					t.Fatalf("error on line %d of a file of %d lines: %v", e.Line, lines, e)
				}
				// A message quotes at most a part of a long value (issue 17, item 15).
				if len(e.Message) > maxMessage {
					t.Fatalf("a message of %d characters: %.200s…", len(e.Message), e.Message)
				}
			}
			return
		}
		for _, m := range cat.Modules {
			if naming.ValidatePart(naming.PartModule, m.Name) != nil || naming.ValidatePart(naming.PartSpace, m.Space) != nil {
				t.Fatalf("catalog holds invalid module %q in space %q", m.Name, m.Space)
			}
			for name, c := range m.Components {
				if naming.ValidatePart(naming.PartComponent, name) != nil || c.Image == "" {
					t.Fatalf("catalog holds invalid component %q: %+v", name, c)
				}
			}
		}
	})
}
