package harness

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/conveyor-paas/conveyor/internal/toolbuild"
)

// randomDoublePackage is the test double of the random provider plugin, in the root module.
const randomDoublePackage = "./tests/harness/cmd/pulumi-resource-random"

// EnginePlugins fills dir with the resource provider plugins the real engine needs to run
// Conveyor's program on a harness cluster: pulumi-resource-kubernetes, the real provider
// (EnsureKubernetesProvider), and pulumi-resource-random, a test double of the random provider
// that implements only RandomPassword (package randomdouble), because the real one cannot be
// obtained here. Put dir first on the PATH of the Pulumi CLI: the engine takes a
// pulumi-resource-<name> from PATH (with a warning) before any plugin it would download.
func EnginePlugins(ctx context.Context, dir string, logf Logf) error {
	logf = logf.orDefault()
	provider, err := EnsureKubernetesProvider(ctx, logf)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating the plugin directory: %w", err)
	}
	if err := os.Symlink(provider, filepath.Join(dir, kubernetesProvider.name)); err != nil {
		return fmt.Errorf("linking the kubernetes provider into %s: %w", dir, err)
	}
	return buildRandomDouble(ctx, filepath.Join(dir, "pulumi-resource-random"), logf)
}

// EnginePluginsForTest is EnginePlugins into a temporary directory of tb, which it returns.
// It fails tb when a plugin cannot be built.
func EnginePluginsForTest(tb testing.TB) string {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), "plugins")
	if err := EnginePlugins(tb.Context(), dir, tb.Logf); err != nil {
		tb.Fatalf("the provider plugins of the real engine: %v", err)
	}
	return dir
}

// buildRandomDouble builds the random provider's test double into out. It is small and
// Go's build cache keeps its packages, so it is built afresh rather than cached by hash.
func buildRandomDouble(ctx context.Context, out string, logf Logf) error {
	start := time.Now()
	if err := buildRootPackage(ctx, randomDoublePackage, out); err != nil {
		return fmt.Errorf("building the random provider's test double: %w", err)
	}
	logf("harness: built the random provider's test double in %s", time.Since(start).Round(100*time.Millisecond))
	return nil
}

// buildRootPackage builds a main package of this repository (pkg relative to its root) into
// out, with env added to the build's environment.
func buildRootPackage(ctx context.Context, pkg, out string, env ...string) error {
	tools, err := toolsDir()
	if err != nil {
		return err
	}
	_, goBin, err := buildSetup()
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, goBin, "build", "-o", out, pkg)
	cmd.Dir = filepath.Dir(tools)
	cmd.Env = append(append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=readonly -buildvcs=false"), env...)
	var output bytes.Buffer
	cmd.Stdout, cmd.Stderr = &output, &output
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build %s: %w\n%s", pkg, err, toolbuild.Tail(output.Bytes(), 4096))
	}
	return nil
}
