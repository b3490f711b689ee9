package envview

import (
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"

	"github.com/conveyor-paas/conveyor/naming"
)

// AllowSetting is the stack setting that opts a context in knowingly. It names the context,
// not a blanket yes: a later switch of the current context to another cluster is still
// refused.
const AllowSetting = naming.ConfigAllowKubeContext

// What "local" means. A local environment runs a throwaway PostgreSQL, an emulator and every
// module with one replica: deployed into a shared or production cluster by mistake, it would
// take namespaces and quota there. A context is local when:
//   - its name is one a local Kubernetes tool gives its clusters (kind, k3d, minikube, Docker
//     Desktop, Rancher Desktop, OrbStack, Colima, MicroK8s) and its server is on this machine
//     or a private network (a VM or a container network), not on a public address; or
//   - whatever its name, its server is on loopback;
//
// except that a context named by a managed cloud (gke_..., an EKS ARN) is never local, even on
// loopback, where it is a tunnel to the real cluster.
var (
	localContextPrefixes = []string{"kind-", "k3d-", "colima-"}
	localContextNames    = []string{"minikube", "docker-desktop", "docker-for-desktop", "rancher-desktop", "orbstack", "colima", "microk8s"}
	cloudContextPrefixes = []string{"gke_", "arn:aws:eks:"}
	// Host names local tools give their API servers.
	localHostSuffixes = []string{".internal", ".local", ".localhost"}
)

// locality says why context (reaching server) must not receive a local environment, or nil
// when it may: it is local, or it is the context allow names.
func locality(context, server, allow string) error {
	if allow != "" && context == allow {
		return nil
	}
	host := serverHost(server)
	switch {
	case hasAnyPrefix(context, cloudContextPrefixes):
	case isLoopback(host):
		return nil
	case (hasAnyPrefix(context, localContextPrefixes) || slices.Contains(localContextNames, context)) && isOnThisMachineOrPrivate(host):
		return nil
	}
	return fmt.Errorf("kubeconfig context %q (%s) is not a local cluster (kind, k3d, minikube, Docker Desktop, Rancher Desktop or a server on loopback), and a local environment deploys only into one: switch to a local context, set conveyor:kubeContext, or opt this one in knowingly with %s: %s in the stack's file", context, server, AllowSetting, context)
}

// serverHost is the host of a kubeconfig server URL ("https://127.0.0.1:6443").
func serverHost(server string) string {
	u, err := url.Parse(server)
	if err != nil || u.Host == "" {
		return strings.ToLower(server)
	}
	return strings.ToLower(u.Hostname())
}

func isLoopback(host string) bool {
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// isOnThisMachineOrPrivate: loopback, the unspecified address k3d writes (0.0.0.0), a
// private or link-local address (a VM, a container network), or a host name local tools use.
func isOnThisMachineOrPrivate(host string) bool {
	if ip := net.ParseIP(host); ip != nil {
		return ip.IsLoopback() || ip.IsUnspecified() || ip.IsPrivate() || ip.IsLinkLocalUnicast()
	}
	return host == "localhost" || hasAnySuffix(host, localHostSuffixes)
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

func hasAnySuffix(s string, suffixes []string) bool {
	for _, p := range suffixes {
		if strings.HasSuffix(s, p) {
			return true
		}
	}
	return false
}
