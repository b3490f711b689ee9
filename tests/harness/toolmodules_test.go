package harness

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/mod/modfile"
)

// TestToolModulesAgree holds the main module and the agreeing tool modules (agreeingTools) to
// one version of every module that two of them require. The tools compile as the tests do
// (buildEnv), so a package at one version is compiled once, into Go's build cache, for the
// tests, the lint and every tool, and prebuild compiles them all in one go command; at two
// versions it is compiled twice, and everything above it too. On a cold machine that is most
// of the difference between a run under an hour and one over it (README, "Test time"), and
// nothing else would notice: every build succeeds either way. Bump a shared module in all of
// them together.
func TestToolModulesAgree(t *testing.T) {
	tools, err := toolsDir()
	if err != nil {
		t.Fatal(err)
	}
	gomods := map[string]string{"the main module": filepath.Join(filepath.Dir(tools), "go.mod")}
	for _, dir := range agreeingTools {
		gomods["tools/"+dir] = filepath.Join(tools, dir, "go.mod")
	}
	// pins[module][version] are the go.mods that build with that version of the module.
	pins := map[string]map[string][]string{}
	for name, path := range gomods {
		for module, version := range requirements(t, path) {
			if pins[module] == nil {
				pins[module] = map[string][]string{}
			}
			pins[module][version] = append(pins[module][version], name)
		}
	}
	var differ []string
	for module, versions := range pins {
		if len(versions) < 2 {
			continue
		}
		var by []string
		for version, names := range versions {
			slices.Sort(names)
			by = append(by, fmt.Sprintf("%s in %s", version, strings.Join(names, ", ")))
		}
		slices.Sort(by)
		differ = append(differ, fmt.Sprintf("%s: %s", module, strings.Join(by, "; ")))
	}
	slices.Sort(differ)
	if len(differ) > 0 {
		t.Errorf("%d modules are pinned at more than one version (each version is compiled on a cold machine, with everything above it):\n%s",
			len(differ), strings.Join(differ, "\n"))
	}
}

// requirements are the versions a go.mod builds with: its requirements, with a replacement by
// another version of the same module (tools/kube's staging modules) in their place.
func requirements(t *testing.T, path string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := modfile.Parse(path, data, nil)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	versions := map[string]string{}
	for _, r := range f.Require {
		versions[r.Mod.Path] = r.Mod.Version
	}
	for _, r := range f.Replace {
		if r.New.Path == r.Old.Path && r.New.Version != "" {
			versions[r.Old.Path] = r.New.Version
		}
	}
	return versions
}
