package envview

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/conveyor-paas/conveyor/tests/harness"
)

func writeKubeconfig(t *testing.T, text string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("KUBECONFIG", path)
}

// unreachable is an address on loopback where nothing listens.
func unreachable(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func TestCheckSaysWhatIsWrong(t *testing.T) {
	addr := unreachable(t)
	tests := []struct {
		name       string
		kubeconfig string // "" leaves no file at all
		context    string
		want       string
	}{
		{"no kubeconfig", "", "", "there is no kubeconfig context in"},
		{"no current context", "apiVersion: v1\nkind: Config\ncontexts:\n- name: a\n  context: {cluster: a, user: a}\nclusters:\n- name: a\n  cluster: {server: 'https://" + addr + "'}\nusers:\n- name: a\n  user: {}\n", "", "the kubeconfig has no current context"},
		{"unknown context", "apiVersion: v1\nkind: Config\ncurrent-context: a\ncontexts:\n- name: a\n  context: {cluster: a, user: a}\nclusters:\n- name: a\n  cluster: {server: 'https://" + addr + "'}\nusers:\n- name: a\n  user: {}\n", "kind-dev", `the kubeconfig has no context "kind-dev"`},
		{"cluster down", "apiVersion: v1\nkind: Config\ncurrent-context: a\ncontexts:\n- name: a\n  context: {cluster: a, user: a}\nclusters:\n- name: a\n  cluster: {server: 'https://" + addr + "', insecure-skip-tls-verify: true}\nusers:\n- name: a\n  user: {}\n", "", `the cluster of kubeconfig context "a" at https://` + addr + ` cannot be reached`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.kubeconfig == "" {
				t.Setenv("KUBECONFIG", filepath.Join(t.TempDir(), "missing"))
				t.Setenv("HOME", t.TempDir())
			} else {
				writeKubeconfig(t, tt.kubeconfig)
			}
			_, err := Probe(context.Background(), Target{Context: tt.context})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want one containing %q", err, tt.want)
			}
			if strings.Count(err.Error(), "\n") > 0 {
				t.Errorf("the message is not one sentence on one line: %q", err)
			}
		})
	}
}

// TestCheckReachesARealCluster: with a kubeconfig for a running API server, the check finds
// the context and the server's version.
func TestCheckReachesARealCluster(t *testing.T) {
	kube := harness.KubeForTest(t)
	t.Setenv("KUBECONFIG", kube.Kubeconfig)
	cluster, err := Probe(t.Context(), Target{})
	if err != nil {
		t.Fatal(err)
	}
	if cluster.Version != kube.Version || cluster.Server != kube.Config.Host {
		t.Errorf("cluster = %+v, want version %s at %s", cluster, kube.Version, kube.Config.Host)
	}
}
