package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

// With no kubeconfig, an operation on a local environment, or its status, says so in one
// sentence before the engine starts (no Pulumi CLI is located or built, no backend is touched,
// no passphrase is asked for).
func TestLocalEnvironmentWithoutACluster(t *testing.T) {
	t.Setenv("KUBECONFIG", filepath.Join(t.TempDir(), "none"))
	t.Setenv("HOME", t.TempDir())
	t.Setenv("PULUMI_CLI", filepath.Join(t.TempDir(), "no-pulumi-here"))
	for _, args := range [][]string{{"up", "--env", "local"}, {"preview", "--env", "local-alice"}, {"status", "--env", "local"}} {
		code, stdout, stderr := run(t, args...)
		if code != ExitSetup {
			t.Fatalf("%v: exit %d, want %d\n%s%s", args, code, ExitSetup, stdout, stderr)
		}
		msg := strings.TrimSpace(stderr)
		if !strings.HasPrefix(msg, "conveyor: there is no kubeconfig context in") || strings.Contains(msg, "\n") {
			t.Errorf("%v: stderr = %q, want one sentence about the kubeconfig", args, msg)
		}
	}
}
