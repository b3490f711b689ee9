package pulumicli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/blang/semver"
)

// repoRoot is the repository this package is in.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", "..", "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// fakeCLI writes a script that answers `pulumi version` like a CLI of the given version.
func fakeCLI(t *testing.T, path, version string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("#!/bin/sh\necho "+version+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// fakeRepo makes a repository with the real tools/pulumi pin and, when version is set, a
// hand-built .cache/bin/pulumi of that version.
func fakeRepo(t *testing.T, version string) string {
	t.Helper()
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "tools"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(repoRoot(t), ToolDir), filepath.Join(root, ToolDir)); err != nil {
		t.Fatal(err)
	}
	if version != "" {
		fakeCLI(t, filepath.Join(root, ".cache", "bin", "pulumi"), version)
	}
	return root
}

func TestPinnedVersion(t *testing.T) {
	v, err := PinnedVersion(repoRoot(t))
	if err != nil {
		t.Fatal(err)
	}
	if v.String() != "3.274.1" {
		t.Errorf("pinned %s, want 3.274.1 (tools/pulumi/go.mod)", v)
	}
	empty := t.TempDir()
	if err := os.MkdirAll(filepath.Join(empty, ToolDir), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(empty, ToolDir, "go.mod"), []byte("module x\n\ngo 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := PinnedVersion(empty); err == nil || !strings.Contains(err.Error(), CLIModule) {
		t.Errorf("a tool module without the CLI: %v", err)
	}
}

func TestFind(t *testing.T) {
	tests := []struct {
		name       string
		repoCLI    string // version of <repo>/.cache/bin/pulumi; "" for none
		explicit   string // version of a $PULUMI_CLI binary; "" for unset
		userCLI    string // version already in the user cache; "" for none
		pathCLI    string // version of a pulumi on PATH; "" for none
		release    string // version the download (a test double) installs; "" when it fails
		wantSource string
		wantErr    string
	}{
		{name: "the repository's copy", repoCLI: "v3.274.1", wantSource: "repository cache"},
		{name: "PULUMI_CLI wins", repoCLI: "v3.274.1", explicit: "v3.280.0", wantSource: "PULUMI_CLI"},
		{name: "PULUMI_CLI too old is refused, not replaced", repoCLI: "v3.274.1", explicit: "v3.100.0", wantErr: "Automation API refuses it"},
		{name: "PULUMI_CLI with a placeholder version", explicit: "v3.274.1-dev.0+dirty", wantErr: "Automation API refuses it"},
		{name: "a repository copy of another version falls back to the user cache", repoCLI: "v3.249.0", userCLI: "v3.274.1", wantSource: "user cache"},
		{name: "a newer pulumi on PATH is used", pathCLI: "v3.280.0", userCLI: "v3.274.1", wantSource: "PATH"},
		{name: "an older pulumi on PATH is passed over", pathCLI: "v3.200.0", userCLI: "v3.274.1", wantSource: "user cache"},
		{name: "the release is downloaded when nothing is cached", release: "v3.274.1", wantSource: "download"},
		{name: "a downloaded release of another version is refused", release: "v3.273.0", wantErr: "Automation API refuses it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := fakeRepo(t, tt.repoCLI)
			cache := t.TempDir()
			env := map[string]string{"CONVEYOR_CACHE_DIR": cache}
			if tt.explicit != "" {
				env["PULUMI_CLI"] = fakeCLI(t, filepath.Join(t.TempDir(), "my-pulumi"), tt.explicit)
			}
			if tt.userCLI != "" {
				fakeCLI(t, filepath.Join(cache, "bin", "pulumi-v3.274.1"), tt.userCLI)
			}
			if tt.pathCLI != "" {
				dir := t.TempDir()
				fakeCLI(t, filepath.Join(dir, "pulumi"), tt.pathCLI)
				env["PATH"] = t.TempDir() + string(os.PathListSeparator) + dir
			}
			// A test double of get.pulumi.com: no test reaches the network, and none may fall
			// through to a real build.
			download := func(_ context.Context, root string, v semver.Version) error {
				if tt.release == "" {
					t.Fatalf("the CLI was downloaded although a copy was at hand")
				}
				if v.String() != "3.274.1" {
					t.Errorf("downloading v%s, want the pin", v)
				}
				fakeCLI(t, filepath.Join(root, "bin", "pulumi"), tt.release)
				return nil
			}
			b, err := Find(context.Background(), Options{RepoRoot: root, Getenv: func(k string) string { return env[k] }, Download: download})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if b.Source != tt.wantSource || b.Command == nil {
				t.Errorf("found %+v, want from the %s", b, tt.wantSource)
			}
		})
	}
}

func TestRootFor(t *testing.T) {
	cache := t.TempDir()
	inBin := fakeCLI(t, filepath.Join(t.TempDir(), "bin", "pulumi"), "v3.274.1")
	if root, err := rootFor(inBin, cache); err != nil || root != filepath.Dir(filepath.Dir(inBin)) {
		t.Errorf("rootFor(%s) = %s, %v", inBin, root, err)
	}
	other := fakeCLI(t, filepath.Join(t.TempDir(), "pulumi-v3.274.1"), "v3.274.1")
	for range 2 { // the second time finds the link in place
		root, err := rootFor(other, cache)
		if err != nil {
			t.Fatal(err)
		}
		if target, err := os.Readlink(filepath.Join(root, "bin", "pulumi")); err != nil || target != other {
			t.Errorf("link %s -> %s, %v", root, target, err)
		}
	}
}

// TestBuild builds the real CLI from tools/pulumi into an empty cache. It takes minutes cold
// (about one when Go's build cache is warm), so it runs only when asked:
// CONVEYOR_TEST_PULUMI_BUILD=1. TestBuildFallback runs the same path on every run, with a
// stand-in tool module.
func TestBuild(t *testing.T) {
	if os.Getenv("CONVEYOR_TEST_PULUMI_BUILD") != "1" {
		t.Skip("set CONVEYOR_TEST_PULUMI_BUILD=1 to build the Pulumi CLI from tools/pulumi into a temporary cache")
	}
	root := fakeRepo(t, "")
	env := map[string]string{"CONVEYOR_CACHE_DIR": t.TempDir()}
	var progress strings.Builder
	start := time.Now()
	b, err := Find(context.Background(), Options{RepoRoot: root, Getenv: func(k string) string { return env[k] }, Progress: &progress})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("built in %s: %+v\n%s", time.Since(start).Round(time.Second), b, &progress)
	if b.Source != "user cache" || b.Version.String() != "3.274.1" || !strings.Contains(progress.String(), "building the Pulumi CLI v3.274.1") {
		t.Errorf("found %+v", b)
	}
}
