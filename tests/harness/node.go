package harness

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"k8s.io/client-go/kubernetes"
)

// NodeName is the name the real node registers under.
const NodeName = "conveyor-node"

// node is a real single-node Kubernetes worker beside the control plane: containerd (with
// runc and the CNI plugins of the machine, see .ci/install-node), a kubelet and kube-proxy of
// the control plane's release, all inside the namespaces of a nodeSandbox. Pods on it really
// run, from images the harness builds and imports (images.go).
type node struct {
	paths   nodePaths
	sandbox *nodeSandbox
	// egress carries the API server's traffic into the node; apiBridge the node's to the
	// API server.
	egress, apiBridge *bridge
	// registry serves the images the node's pods pull (noderegistry.go).
	registry *nodeRegistry
	procs    []*process // in start order
	// policy is the NetworkPolicy agent, which tests start and stop (nodepolicy.go).
	policy *policyAgent
	logf   Logf
}

// prepareNode starts the node's namespaces and the bridge the API server reaches the node
// through, before the API server starts: it returns the flag that points the API server at
// the bridge.
func prepareNode(ctx context.Context, dir string, logf Logf) (*node, []string, error) {
	n := &node{paths: nodePaths{dir: dir}, logf: logf}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, nil, fmt.Errorf("creating the node's directory: %w", err)
	}
	var err error
	if n.sandbox, err = startNodeSandbox(ctx, dir); err != nil {
		return nil, nil, err
	}
	l, err := listenUnix(n.paths.join("egress.sock"))
	if err != nil {
		_ = n.stop()
		return nil, nil, err
	}
	n.egress = newBridge(l)
	n.egress.connect(func(ctx context.Context, address string) (net.Conn, error) {
		return n.sandbox.dial(ctx, "tcp", address)
	})
	config := n.paths.join("egress-selector.yaml")
	if err := os.WriteFile(config, []byte(egressSelectorConfig(n.paths.join("egress.sock"))), 0o644); err != nil {
		_ = n.stop()
		return nil, nil, fmt.Errorf("writing the API server's egress selector: %w", err)
	}
	return n, []string{
		"--egress-selector-config-file=" + config,
		// Pods reach the API server as in any cluster, through the `kubernetes` Service,
		// whose endpoint is the node's address: the bridge out of the node listens there.
		"--advertise-address=" + nodeIP,
		"--endpoint-reconciler-type=lease",
	}, nil
}

// start starts containerd, imports the images, and starts the kubelet and kube-proxy, which
// reach the API server on the node's loopback at apiPort, and deploys the cluster DNS. ca
// issues their identities; client, the control plane's admin, grants the DNS its rights.
func (n *node) start(ctx context.Context, client kubernetes.Interface, bins NodeBinaries, ca *pki, apiPort int) error {
	// On every address of the node: its loopback for the kubelet and kube-proxy, its own
	// address for the pods (the `kubernetes` Service's endpoint).
	apiListener, err := n.sandbox.listen("tcp", ":"+strconv.Itoa(apiPort))
	if err != nil {
		return fmt.Errorf("listening for the API server inside the node: %w", err)
	}
	n.apiBridge = newBridge(apiListener)
	n.apiBridge.forward(func(ctx context.Context) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "tcp", "127.0.0.1:"+strconv.Itoa(apiPort))
	})
	server := "https://127.0.0.1:" + strconv.Itoa(apiPort)

	kubeletKubeconfig, err := n.identity(ca, server, "kubelet", "system:node:"+NodeName, "system:nodes")
	if err != nil {
		return err
	}
	proxyKubeconfig, err := n.identity(ca, server, "kube-proxy", "system:kube-proxy")
	if err != nil {
		return err
	}
	serving, err := ca.servingFor("kubelet-serving", []string{NodeName}, []net.IP{net.ParseIP(nodeIP)})
	if err != nil {
		return err
	}

	files := map[string]string{
		n.paths.join("containerd.toml"):                      containerdConfig(n.paths),
		n.paths.join("cni", "net.d", "10-conveyor.conflist"): cniConfig(n.paths),
		n.paths.join("kubelet.yaml"):                         kubeletConfig(n.paths, ca.caFile(), serving),
		n.paths.join("kube-proxy.yaml"):                      kubeProxyConfig(proxyKubeconfig, NodeName),
	}
	for path, content := range files {
		if err := writeFile(path, content); err != nil {
			return err
		}
	}

	if _, err := n.run("containerd", nil, "containerd", "--config", n.paths.join("containerd.toml")); err != nil {
		return err
	}
	if err := waitUntil(ctx, "containerd's socket", n.procs, func(ctx context.Context) error {
		var d net.Dialer
		c, err := d.DialContext(ctx, "unix", n.paths.containerdSocket())
		if err == nil {
			_ = c.Close()
		}
		return err
	}); err != nil {
		return err
	}
	dnsImage := nodeImage{file: bins.CoreDNS, refs: []string{CoreDNSImage}}
	own, err := importImages(ctx, n.paths.join("images"), n.paths.containerdSocket(), []nodeImage{dnsImage}, n.logf)
	if err != nil {
		return err
	}
	if n.registry, err = startNodeRegistry(n.sandbox); err != nil {
		return err
	}
	served := time.Now()
	if err := n.serveImages(ctx, own, bins.StandIns); err != nil {
		return err
	}
	n.logf("harness: the node's registry serves its images and the stand-ins (pushed in %s)", time.Since(served).Round(100*time.Millisecond))
	if _, err := n.run("kubelet", nil, bins.Kubelet,
		"--config="+n.paths.join("kubelet.yaml"),
		"--kubeconfig="+kubeletKubeconfig,
		"--root-dir="+n.paths.join("kubelet"),
		"--cert-dir="+n.paths.join("kubelet", "pki"),
		"--hostname-override="+NodeName,
		"--node-ip="+nodeIP,
		"--node-labels="+ZoneLabel+"=zone-a",
	); err != nil {
		return err
	}
	if _, err := n.run("kube-proxy", nil, bins.KubeProxy, "--config="+n.paths.join("kube-proxy.yaml")); err != nil {
		return err
	}
	if err := n.prepareNetworkPolicies(ctx, client, bins.NetworkPolicies, ca.caPEM, apiPort); err != nil {
		return err
	}
	return deployDNS(ctx, client)
}

// identity writes a kubeconfig for a component of the node, with a client certificate of
// the cluster's CA for user in groups, and returns its path.
func (n *node) identity(ca *pki, server, name, user string, groups ...string) (string, error) {
	kp, err := ca.client(name, user, groups...)
	if err != nil {
		return "", err
	}
	path := n.paths.join(name + ".kubeconfig")
	if err := writeKubeconfig(path, server, ca.caPEM, kp); err != nil {
		return "", err
	}
	return path, nil
}

// run starts a component inside the node's namespaces, with env added to its environment.
func (n *node) run(name string, env []string, bin string, args ...string) (*process, error) {
	cmd, cmdArgs := n.sandbox.command(bin, args...)
	p, err := startProcess(n.paths.dir, name, env, cmd, cmdArgs...)
	if err != nil {
		return nil, err
	}
	n.procs = append(n.procs, p)
	return p, nil
}

// stop stops the node's components in reverse order, then its namespaces, which takes every
// container with them, closes the bridges, and removes the cgroups the containers leave.
func (n *node) stop() error {
	// Asked while containerd still answers: the IDs name the containers' cgroups.
	ids, listErr := n.containerIDs()
	if n.policy != nil && n.policy.proc != nil {
		// Its rules go with the node's network namespace.
		n.policy.proc.stop(5 * time.Second)
	}
	for i := len(n.procs) - 1; i >= 0; i-- {
		n.procs[i].stop(10 * time.Second)
	}
	if n.sandbox != nil {
		n.sandbox.stop()
	}
	for _, b := range []*bridge{n.apiBridge, n.egress} {
		if b != nil {
			b.close()
		}
	}
	if n.registry != nil {
		n.registry.close()
	}
	return errors.Join(listErr, removeContainerCgroups(ids))
}

// containerIDs lists the containers of the node's containerd, pods' sandboxes included.
func (n *node) containerIDs() ([]string, error) {
	if len(n.procs) == 0 {
		return nil, nil // containerd never started
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "ctr", "--address", n.paths.containerdSocket(), "--namespace", "k8s.io",
		"containers", "list", "--quiet").Output()
	if err != nil {
		return nil, fmt.Errorf("listing the node's containers: %w", err)
	}
	return strings.Fields(string(out)), nil
}

func writeFile(path, content string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("creating the directory of %s: %w", path, err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
