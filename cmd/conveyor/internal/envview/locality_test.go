package envview

import (
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/conveyor-paas/conveyor/tests/harness"
)

func TestLocality(t *testing.T) {
	const gke = "gke_acme-prod_europe-west1_conveyor-prod"
	tests := []struct {
		name, context, server, allow string
		local                        bool
	}{
		{"kind", "kind-dev", "https://127.0.0.1:40123", "", true},
		{"kind on its docker network", "kind-dev", "https://172.18.0.2:6443", "", true},
		{"k3d", "k3d-conveyor", "https://0.0.0.0:6550", "", true},
		{"minikube in a VM", "minikube", "https://192.168.49.2:8443", "", true},
		{"docker desktop", "docker-desktop", "https://kubernetes.docker.internal:6443", "", true},
		{"rancher desktop", "rancher-desktop", "https://127.0.0.1:6443", "", true},
		{"any context on loopback", "lab", "https://localhost:6443", "", true},
		{"any context on ipv6 loopback", "lab", "https://[::1]:6443", "", true},
		{"gke", gke, "https://203.0.113.10", "", false},
		{"gke through a tunnel on loopback", gke, "https://127.0.0.1:8443", "", false},
		{"eks", "arn:aws:eks:eu-west-1:123456789012:cluster/prod", "https://ABC.gr7.eu-west-1.eks.amazonaws.com", "", false},
		{"a remote cluster", "office", "https://k8s.example.com", "", false},
		{"a private remote cluster", "office", "https://10.0.0.5", "", false},
		{"a local tool's name on a public server", "kind-prod", "https://203.0.113.10", "", false},
		{"opted in knowingly", "office", "https://k8s.example.com", "office", true},
		{"the opt-in names another context", "office", "https://k8s.example.com", "lab", false},
		{"gke opted in knowingly", gke, "https://203.0.113.10", gke, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := locality(tt.context, tt.server, tt.allow)
			if (err == nil) != tt.local {
				t.Fatalf("locality(%q, %q, allow %q) = %v, want local %v", tt.context, tt.server, tt.allow, err, tt.local)
			}
			if err == nil {
				return
			}
			for _, want := range []string{`"` + tt.context + `"`, tt.server, "is not a local cluster", "conveyor:allowKubeContext"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("message %q lacks %q", err, want)
				}
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("the message is not one line: %q", err)
			}
		})
	}
}

// TestCheckRefusesARemoteContextBeforeContactingIt: a context that is not local is refused
// from the kubeconfig alone; nothing is sent to its server (which is not on this machine).
func TestCheckRefusesARemoteContextBeforeContactingIt(t *testing.T) {
	writeKubeconfig(t, "apiVersion: v1\nkind: Config\ncurrent-context: gke_acme_europe-west1_prod\ncontexts:\n- name: gke_acme_europe-west1_prod\n  context: {cluster: c, user: u}\nclusters:\n- name: c\n  cluster: {server: 'https://203.0.113.10'}\nusers:\n- name: u\n  user: {}\n")
	_, err := Probe(t.Context(), Target{})
	if err == nil || !strings.Contains(err.Error(), `kubeconfig context "gke_acme_europe-west1_prod" (https://203.0.113.10) is not a local cluster`) {
		t.Fatalf("error = %v, want a refusal of the GKE context", err)
	}
	// What the sweep of a local environment deletes with.
	if _, _, err := LocalConfig(Target{}); err == nil || !strings.Contains(err.Error(), "is not a local cluster") {
		t.Fatalf("LocalConfig: %v, want a refusal of the GKE context", err)
	}
}

// TestCheckOptsInAContextKnowingly: a real API server under a GKE context's name is refused
// (the name says it is a cloud cluster, reached through a tunnel), and reached once the stack
// names that very context as allowed.
func TestCheckOptsInAContextKnowingly(t *testing.T) {
	kube := harness.KubeForTest(t)
	const name = "gke_acme_europe-west1_prod"
	raw, err := clientcmd.LoadFromFile(kube.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	raw.Contexts = map[string]*clientcmdapi.Context{name: raw.Contexts[raw.CurrentContext]}
	raw.CurrentContext = name
	path := filepath.Join(t.TempDir(), "config")
	if err := clientcmd.WriteToFile(*raw, path); err != nil {
		t.Fatal(err)
	}
	t.Setenv("KUBECONFIG", path)
	if _, err := Probe(t.Context(), Target{}); err == nil || !strings.Contains(err.Error(), "is not a local cluster") {
		t.Fatalf("error = %v, want a refusal", err)
	}
	cluster, err := Probe(t.Context(), Target{Allow: name})
	if err != nil {
		t.Fatal(err)
	}
	if cluster.Context != name || cluster.Version != kube.Version {
		t.Errorf("cluster = %+v", cluster)
	}
}
