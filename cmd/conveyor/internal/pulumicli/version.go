package pulumicli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/blang/semver"
	"golang.org/x/mod/modfile"
)

// CLIModule is the module whose version is the Pulumi CLI's, and CLIPackage its main package.
const (
	CLIModule  = "github.com/pulumi/pulumi/pkg/v3"
	CLIPackage = CLIModule + "/cmd/pulumi"
	// versionVar is where the CLI keeps the version it reports.
	versionVar = "github.com/pulumi/pulumi/sdk/v3/go/common/version.Version"
)

// ToolDir is the tool module that pins the CLI, relative to the repository.
const ToolDir = "tools/pulumi"

// PinnedVersion reads the CLI version that tools/pulumi/go.mod pins: the version of the
// module that provides the CLI's main package.
func PinnedVersion(repoRoot string) (semver.Version, error) {
	path := filepath.Join(repoRoot, ToolDir, "go.mod")
	data, err := os.ReadFile(path)
	if err != nil {
		return semver.Version{}, fmt.Errorf("reading the pinned Pulumi CLI version: %w", err)
	}
	f, err := modfile.ParseLax(path, data, nil)
	if err != nil {
		return semver.Version{}, fmt.Errorf("parsing %s: %w", path, err)
	}
	for _, r := range f.Require {
		if r.Mod.Path == CLIModule {
			v, err := semver.ParseTolerant(r.Mod.Version)
			if err != nil {
				return semver.Version{}, fmt.Errorf("%s: version %q of %s: %w", path, r.Mod.Version, CLIModule, err)
			}
			return v, nil
		}
	}
	return semver.Version{}, fmt.Errorf("%s does not require %s", path, CLIModule)
}

// RepoRootAbove finds the Conveyor repository from dir: the nearest directory at or above it
// that holds ToolDir's go.mod (the project's Pulumi.yaml and stacks/ are there too). The
// command, its tests and the tool prebuild all find the repository this one way.
func RepoRootAbove(dir string) (string, error) {
	for d := dir; ; d = filepath.Dir(d) {
		_, err := os.Stat(filepath.Join(d, ToolDir, "go.mod"))
		if err == nil {
			return d, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("locating the repository: %w", err)
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no %s above %s", ToolDir, dir)
		}
	}
}
