package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A local environment never deploys into a context that is not a local cluster: with the
// current context on a GKE cluster, `up --env local` stops before the engine (no Pulumi CLI is
// located or built, no backend is touched, nothing is sent to the cluster) and says how to
// opt a context in knowingly.
func TestLocalEnvironmentRefusesARemoteContext(t *testing.T) {
	remoteKubeconfig(t)
	t.Setenv("PULUMI_CLI", filepath.Join(t.TempDir(), "no-pulumi-here"))
	code, stdout, stderr := run(t, "up", "--env", "local")
	if code != ExitSetup {
		t.Fatalf("exit %d, want %d\n%s%s", code, ExitSetup, stdout, stderr)
	}
	msg := strings.TrimSpace(stderr)
	for _, want := range []string{`kubeconfig context "gke_acme-prod_europe-west1_conveyor-prod" (https://203.0.113.10) is not a local cluster`, "conveyor:allowKubeContext"} {
		if !strings.Contains(msg, want) {
			t.Errorf("stderr = %q, want it to contain %q", msg, want)
		}
	}
	if strings.Contains(msg, "\n") {
		t.Errorf("stderr is not one line: %q", msg)
	}
}

// remoteKubeconfig makes a kubeconfig whose current context is a GKE cluster's the one of
// this test.
func remoteKubeconfig(t *testing.T) {
	t.Helper()
	kubeconfig := filepath.Join(t.TempDir(), "config")
	const text = "apiVersion: v1\nkind: Config\ncurrent-context: gke_acme-prod_europe-west1_conveyor-prod\n" +
		"contexts:\n- name: gke_acme-prod_europe-west1_conveyor-prod\n  context: {cluster: prod, user: prod}\n" +
		"clusters:\n- name: prod\n  cluster: {server: 'https://203.0.113.10'}\nusers:\n- name: prod\n  user: {}\n"
	if err := os.WriteFile(kubeconfig, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("KUBECONFIG", kubeconfig)
}

// TestSweepRefusesARemoteContext: the sweep of a local environment deletes with the client
// the command gives the engine, which checks anew that its context is a local cluster: the
// current context may have been switched to a shared cluster since the operation began.
func TestSweepRefusesARemoteContext(t *testing.T) {
	remoteKubeconfig(t)
	_, err := localClusterConfig(t.TempDir())(t.Context(), "local")
	if err == nil || !strings.Contains(err.Error(), "is not a local cluster") {
		t.Fatalf("the sweep's client for a GKE context: %v, want a refusal", err)
	}
}
