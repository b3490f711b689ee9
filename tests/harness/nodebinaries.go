package harness

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// NodeBinaries are the binaries of the real node (KubeOptions.RealNode). The kubelet and
// kube-proxy come from the same pinned tool module as the control plane (tools/kube), so
// that they and kube-apiserver are always of one release.
type NodeBinaries struct {
	Kubelet   string
	KubeProxy string
	// CoreDNS is the cluster DNS, from tools/coredns (nodedns.go).
	CoreDNS string
	// NetworkPolicies is the NetworkPolicy agent, a patched kube-network-policies from
	// tools/netpol (nodepolicy.go).
	NetworkPolicies string
	// StandIns are the archives of the stand-in images the node's registry serves, in the
	// order of standIns (standins.go).
	StandIns []string
}

var (
	kubeletBinary = toolBinary{name: "kubelet", moduleDir: "kube", upstream: "k8s.io/kubernetes",
		pkg: "k8s.io/kubernetes/cmd/kubelet", ldflags: kubeVersionLDFlags}
	kubeProxyBinary = toolBinary{name: "kube-proxy", moduleDir: "kube", upstream: "k8s.io/kubernetes",
		pkg: "k8s.io/kubernetes/cmd/kube-proxy", ldflags: kubeVersionLDFlags}
)

// EnsureNodeBinaries returns the node's binaries and stand-in images, building those that are
// not cached yet (see EnsureBinaries for the cache and its locks).
func EnsureNodeBinaries(ctx context.Context, logf Logf) (NodeBinaries, error) {
	logf = logf.orDefault()
	tools, err := toolsDir()
	if err != nil {
		return NodeBinaries{}, err
	}
	var bins NodeBinaries
	// The four come from three modules with build caches of their own; built side by side, a
	// cold cache keeps both cores busy through each one's links and single large packages.
	builds := []struct {
		tool toolBinary
		path *string
	}{
		{kubeletBinary, &bins.Kubelet},
		{kubeProxyBinary, &bins.KubeProxy},
		{corednsBinary, &bins.CoreDNS},
		{netpolBinary, &bins.NetworkPolicies},
	}
	errs := make([]error, len(builds))
	var wg sync.WaitGroup
	for i, b := range builds {
		wg.Go(func() {
			var err error
			if *b.path, err = ensureTool(ctx, tools, b.tool, logf); err != nil {
				errs[i] = fmt.Errorf("building %s: %w", b.tool.name, err)
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return NodeBinaries{}, err
	}
	if bins.StandIns, err = EnsureStandInImages(ctx, logf); err != nil {
		return NodeBinaries{}, err
	}
	return bins, nil
}
