package stackops

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestRunnerListsEveryOperation: the table of contents on the Runner's declaration names
// every exported method of the Runner, each in the file that holds it, and nothing else; a
// new operation that is not listed there, or one moved to another file, fails here.
func TestRunnerListsEveryOperation(t *testing.T) {
	fset := token.NewFileSet()
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	defined := map[string]string{} // method -> file
	var doc string
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			switch d := decl.(type) {
			case *ast.FuncDecl:
				if d.Recv != nil && d.Name.IsExported() && receiverIs(d.Recv, "Runner") {
					defined[d.Name.Name] = name
				}
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					if ts, ok := spec.(*ast.TypeSpec); ok && ts.Name.Name == "Runner" && d.Doc != nil {
						if name != "runner.go" {
							t.Errorf("the Runner is declared in %s, not runner.go", name)
						}
						doc = d.Doc.Text()
					}
				}
			}
		}
	}
	if doc == "" {
		t.Fatal("the Runner has no doc comment")
	}
	listed := tableOfContents(doc)
	if diff := cmp.Diff(defined, listed); diff != "" {
		t.Errorf("the Runner's table of contents (runner.go) disagrees with its methods (-defined +listed):\n%s", diff)
	}
}

var (
	tocEntry = regexp.MustCompile(`^\s*- ([A-Z]\w*): .*?(?:\((\w+\.go)\)\.)?$`)
	tocFile  = regexp.MustCompile(`\((\w+\.go)(?: unless named)?\):$`)
)

// tableOfContents reads the Runner's doc: a line ending in ":" opens a section, which names
// the file of its entries when it ends "(file.go):" or "(file.go unless named):"; an entry is
// "- Method: what it does", ending "(file.go)." when its file is another.
func tableOfContents(doc string) map[string]string {
	listed := map[string]string{}
	section := "runner.go"
	for _, line := range strings.Split(doc, "\n") {
		if m := tocEntry.FindStringSubmatch(line); m != nil {
			file := section
			if m[2] != "" {
				file = m[2]
			}
			listed[m[1]] = file
			continue
		}
		if strings.HasSuffix(line, ":") {
			section = "runner.go"
			if m := tocFile.FindStringSubmatch(line); m != nil {
				section = m[1]
			}
		}
	}
	return listed
}

func receiverIs(recv *ast.FieldList, typ string) bool {
	if len(recv.List) != 1 {
		return false
	}
	star, ok := recv.List[0].Type.(*ast.StarExpr)
	if !ok {
		return false
	}
	id, ok := star.X.(*ast.Ident)
	return ok && id.Name == typ
}
