package cli

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/pulumicli"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
)

// repoRoot finds the repository the command works in: $CONVEYOR_REPO, or the nearest
// directory above the working directory that holds the tool module pinning the Pulumi CLI.
// The project's Pulumi.yaml and its stacks/ are there too.
func repoRoot(getenv func(string) string) (string, error) {
	if dir := getenv("CONVEYOR_REPO"); dir != "" {
		return filepath.Abs(dir)
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", &stackops.SetupError{Err: err}
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		_, err := os.Stat(filepath.Join(dir, pulumicli.ToolDir, "go.mod"))
		if err == nil {
			return dir, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", &stackops.SetupError{Err: err}
		}
		if filepath.Dir(dir) == dir {
			return "", &stackops.SetupError{Err: errors.New("run conveyor inside the Conveyor repository (or set CONVEYOR_REPO to it): no " + pulumicli.ToolDir + " above " + wd)}
		}
	}
}
