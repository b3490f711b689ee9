package cli

import (
	"fmt"
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
	root, err := pulumicli.RepoRootAbove(wd)
	if err != nil {
		return "", &stackops.SetupError{Err: fmt.Errorf("run conveyor inside the Conveyor repository (or set CONVEYOR_REPO to it): %w", err)}
	}
	return root, nil
}
