package layering

import (
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const module = "github.com/conveyor-paas/conveyor"

// layers ranks the module's top-level folders, vocabulary at the bottom: a package may import
// a package of its own folder or of a folder ranked strictly lower, never one of its own rank
// in another folder, never one above. With that, no cycle between folders can form either.
var layers = map[string]int{
	"naming":     0, // names, stack kinds, tiers: imports nothing of the module
	"internal":   1, // small utilities (kubeobjects, tracked, toolbuild, this package)
	"manifest":   1, // the module manifest: the vocabulary's only user below the program
	"evaluation": 2, // offline evaluation under mocks
	"components": 3, // the component library
	"stacks":     4, // the Pulumi program
	"policy":     5, // the policy pack, which evaluates the program
	"schema":     5, // generated schemas, read by tools
	"cmd":        6, // the command and the program's main
	"tests":      7, // test tiers and their harness
	"tools":      7, // pinned tools' builds
}

// commandLayers ranks the packages of the conveyor command the same way, one level down:
// a package of cmd/conveyor may import one ranked strictly lower (a package's sub-packages,
// such as comment/githubtest, count as the package), so that the verbs sit on the environment
// view and the Runner, and those on the leaves, never the other way. A package added under
// cmd/conveyor takes a rank here.
var commandLayers = map[string]int{
	// leaves: no other package of the command
	"internal/dora": 0, "internal/graph": 0, "internal/human": 0, "internal/imagedigest": 0,
	"internal/logs": 0, "internal/opsummary": 0, "internal/pulumicli": 0, "internal/release": 0,
	"internal/realengine": 0, // its tests alone
	// the Runner (stack operations) and the assessment of a cluster's status
	"internal/stackops": 1, "internal/status": 1,
	// over those: an environment as the read verbs see it, the pull request's comment, what
	// the Runner is given (Secret Manager's client) and its test fixtures, the tools' prebuild
	"internal/envview": 2, "internal/comment": 2, "internal/secretmanager": 2,
	"internal/stackopstest": 2, "internal/prebuild": 2,
	// the verbs, then main
	"cli": 3,
	"":    4,
}

// exceptions are imports that run against the layers knowingly, each with its reason.
var exceptions = map[[2]string]string{
	// prebuild builds the harness's pinned tools ahead of the cold CI run (.ci/prepare); it
	// is a build helper for the tests, not part of the command.
	{"cmd/conveyor/internal/prebuild", "tests/harness"}: "builds the test tiers' tools",
}

// TestImportsRunDownTheLayers lists every package of the module with `go list -deps -json`
// and checks each import between the module's own packages against layers.
func TestImportsRunDownTheLayers(t *testing.T) {
	pkgs := listModule(t)
	if len(pkgs) < 20 {
		t.Fatalf("go list found %d packages of the module: not the whole module", len(pkgs))
	}
	var wrong []string
	for _, p := range pkgs {
		from := strings.TrimPrefix(p.ImportPath, module+"/")
		for _, imp := range p.Imports {
			to, ok := strings.CutPrefix(imp, module+"/")
			if !ok {
				continue
			}
			if _, known := exceptions[[2]string{from, to}]; known {
				continue
			}
			if msg := checkEdge(from, to); msg != "" {
				wrong = append(wrong, msg)
			}
		}
	}
	if diff := cmp.Diff([]string(nil), wrong); diff != "" {
		t.Errorf("imports that run back up the layers (-want +got):\n%s", diff)
	}
}

// TestBottomLayersImportNothingAbove: naming imports nothing of the module and manifest only
// naming, the two facts the layers above rest on, stated without the ranks.
func TestBottomLayersImportNothingAbove(t *testing.T) {
	deps := map[string][]string{}
	for _, p := range listModule(t) {
		deps[strings.TrimPrefix(p.ImportPath, module+"/")] = moduleImports(p.Deps)
	}
	for pkg, want := range map[string][]string{"naming": nil, "manifest": {"naming"}} {
		if diff := cmp.Diff(want, deps[pkg]); diff != "" {
			t.Errorf("%s depends on packages of the module (-want +got):\n%s", pkg, diff)
		}
	}
}

// TestCheckEdge: the rule itself, on edges that must pass and edges that must not.
func TestCheckEdge(t *testing.T) {
	tests := []struct {
		from, to string
		ok       bool
	}{
		{"stacks", "components", true},
		{"stacks/deployed", "stacks/appsecrets", true},
		{"manifest", "naming", true},
		{"naming", "manifest", false},
		{"components", "stacks", false},
		{"manifest", "internal/tracked", false},
		{"policy/rules", "cmd/conveyor/cli", false},
		{"newfolder", "naming", false},
		{"cmd/conveyor/cli", "cmd/conveyor/internal/envview", true},
		{"cmd/conveyor/internal/envview", "cmd/conveyor/internal/stackops", true},
		{"cmd/conveyor/internal/comment/githubtest", "cmd/conveyor/internal/comment", true},
		{"cmd/conveyor/internal/stackops", "cmd/conveyor/internal/envview", false},
		{"cmd/conveyor/internal/envview", "cmd/conveyor/cli", false},
		{"cmd/conveyor/internal/status", "cmd/conveyor/internal/stackops", false},
		{"cmd/conveyor/internal/newpackage", "cmd/conveyor/internal/human", false},
		{"cmd/platform", "cmd/conveyor/internal/stackops", true},
	}
	for _, tt := range tests {
		t.Run(tt.from+"->"+tt.to, func(t *testing.T) {
			if got := checkEdge(tt.from, tt.to) == ""; got != tt.ok {
				t.Errorf("checkEdge(%q, %q) allowed = %v, want %v", tt.from, tt.to, got, tt.ok)
			}
		})
	}
}

// checkEdge says what is wrong with from importing to, or "" when nothing is.
func checkEdge(from, to string) string {
	fromTop, toTop := topFolder(from), topFolder(to)
	if fromTop == toTop {
		return checkCommandEdge(from, to)
	}
	fr, ok := layers[fromTop]
	if !ok {
		return from + ": folder " + fromTop + " has no layer in internal/layering"
	}
	tr, ok := layers[toTop]
	if !ok {
		return to + ": folder " + toTop + " has no layer in internal/layering"
	}
	if tr >= fr {
		return from + " imports " + to + ", which is not below it"
	}
	return ""
}

// checkCommandEdge says what is wrong with from importing to inside the conveyor command
// (commandLayers), or "" when nothing is or the two are not both the command's.
func checkCommandEdge(from, to string) string {
	fromCmd, ok := commandPackage(from)
	if !ok {
		return ""
	}
	toCmd, ok := commandPackage(to)
	if !ok || fromCmd == toCmd {
		return ""
	}
	fr, ok := commandLayers[fromCmd]
	if !ok {
		return from + ": package cmd/conveyor/" + fromCmd + " has no layer in internal/layering's commandLayers"
	}
	tr, ok := commandLayers[toCmd]
	if !ok {
		return to + ": package cmd/conveyor/" + toCmd + " has no layer in internal/layering's commandLayers"
	}
	if tr >= fr {
		return from + " imports " + to + ", which is not below it in the command"
	}
	return ""
}

// commandPackage is the ranked package of the conveyor command pkg belongs to: "cli",
// "internal/<name>" (its sub-packages with it), or "" for main.
func commandPackage(pkg string) (string, bool) {
	rest, ok := strings.CutPrefix(pkg+"/", "cmd/conveyor/")
	if !ok {
		return "", false
	}
	parts := strings.Split(strings.TrimSuffix(rest, "/"), "/")
	switch {
	case parts[0] == "":
		return "", true
	case parts[0] == "internal" && len(parts) > 1:
		return "internal/" + parts[1], true
	}
	return parts[0], true
}

func topFolder(pkg string) string {
	top, _, _ := strings.Cut(pkg, "/")
	return top
}

type goPackage struct {
	ImportPath string
	Imports    []string
	Deps       []string
	Module     *struct{ Path string }
}

// listModule runs `go list -deps -json ./...` from the module's root and keeps the module's
// own packages.
func listModule(t *testing.T) []goPackage {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "list", "-deps", "-json", "./...")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			t.Fatalf("go list: %v\n%s", err, exit.Stderr)
		}
		t.Fatalf("go list: %v", err)
	}
	var pkgs []goPackage
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p goPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("decoding go list's output: %v", err)
		}
		if p.Module != nil && p.Module.Path == module {
			pkgs = append(pkgs, p)
		}
	}
	return pkgs
}

func moduleImports(paths []string) []string {
	var own []string
	for _, p := range paths {
		if rest, ok := strings.CutPrefix(p, module+"/"); ok {
			own = append(own, rest)
		}
	}
	return own
}
