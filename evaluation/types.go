package evaluation

import "strings"

// IsKubernetesObject reports whether a type token is a Kubernetes object of the kubernetes
// provider ("kubernetes:apps/v1:Deployment", "kubernetes:security.istio.io/v1:PeerAuthentication"),
// and not the provider itself, nor a Helm release, chart or YAML component, which hold no
// object of their own.
func IsKubernetesObject(typ string) bool {
	mod, ok := strings.CutPrefix(typ, "kubernetes:")
	if !ok {
		return false
	}
	mod, _, _ = strings.Cut(mod, ":")
	for _, component := range []string{"helm.sh/", "yaml/", "kustomize/"} {
		if strings.HasPrefix(mod, component) {
			return false
		}
	}
	return strings.Contains(mod, "/")
}
