package pulumicli

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/blang/semver"
)

// standInTools is a test double of tools/pulumi: a tool module that pins the CLI module at
// v3.274.1, with the CLI's main package and the SDK's version package replaced by stand-ins of
// a few lines, so that the build-from-source fallback runs for real (the same go build, the
// same version stamp, the same check of the result) in seconds rather than the real CLI's
// minutes.
var standInTools = map[string]string{
	"go.mod": `module conveyor.test/tools/pulumi

go 1.22

require (
	github.com/pulumi/pulumi/pkg/v3 v3.274.1
	github.com/pulumi/pulumi/sdk/v3 v3.274.1
)

replace github.com/pulumi/pulumi/pkg/v3 => ./pkg

replace github.com/pulumi/pulumi/sdk/v3 => ./sdk
`,
	"tools.go":   "//go:build tools\n\npackage tools\n\nimport _ \"github.com/pulumi/pulumi/pkg/v3/cmd/pulumi\"\n",
	"pkg/go.mod": "module github.com/pulumi/pulumi/pkg/v3\n\ngo 1.22\n\nrequire github.com/pulumi/pulumi/sdk/v3 v3.274.1\n",
	"pkg/cmd/pulumi/main.go": `package main

import (
	"fmt"
	"os"

	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "version" {
		fmt.Println(version.Version)
		return
	}
	os.Exit(2)
}
`,
	"sdk/go.mod":                 "module github.com/pulumi/pulumi/sdk/v3\n\ngo 1.22\n",
	"sdk/go/common/version/v.go": "package version\n\n// Version is stamped by the build, as the real CLI's is.\nvar Version = \"v0.0.0-unstamped\"\n",
}

// TestBuildFallback: where no CLI is installed and the pinned release cannot be downloaded,
// Find builds the CLI from the repository's tool module with the version stamped in, checks
// it, and a second Find reuses the build (the README's fallback, run here with a stand-in
// tool module; TestBuild builds the real CLI on request).
func TestBuildFallback(t *testing.T) {
	root := t.TempDir()
	for name, text := range standInTools {
		path := filepath.Join(root, ToolDir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env := map[string]string{"CONVEYOR_CACHE_DIR": t.TempDir()}
	downloads := 0
	opts := Options{
		RepoRoot: root,
		Getenv:   func(k string) string { return env[k] },
		Download: func(context.Context, string, semver.Version) error {
			downloads++
			return errors.New("test double: get.pulumi.com cannot be reached")
		},
	}
	var progress strings.Builder
	opts.Progress = &progress
	b, err := Find(context.Background(), opts)
	if err != nil {
		t.Fatalf("%v\n%s", err, &progress)
	}
	if b.Source != SourceBuilt || b.Version.String() != "3.274.1" || downloads != 1 {
		t.Errorf("found %s v%s after %d downloads, want v3.274.1 built into the user cache after one\n%s", b.Source, b.Version, downloads, &progress)
	}
	for _, want := range []string{"the download failed", "building the Pulumi CLI v3.274.1 from tools/pulumi"} {
		if !strings.Contains(progress.String(), want) {
			t.Errorf("progress does not say %q:\n%s", want, &progress)
		}
	}
	// Another process (Find remembers per process, so a new key) finds the build in place.
	env["PATH"] = t.TempDir()
	again, err := Find(context.Background(), opts)
	if err != nil || again.Path != b.Path || downloads != 1 {
		t.Errorf("second Find: %+v, %v after %d downloads; want %s, reused", again, err, downloads, b.Path)
	}
}
