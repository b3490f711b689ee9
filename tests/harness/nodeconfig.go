package harness

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
)

// cniBinDir is where Debian's containernetworking-plugins installs the CNI plugins.
const cniBinDir = "/usr/lib/cni"

// nodePaths are the files and directories of one node, all under its directory, so that two
// nodes (two test processes) never share one and removing the directory removes everything.
type nodePaths struct {
	dir string
}

func (p nodePaths) join(elem ...string) string {
	return filepath.Join(append([]string{p.dir}, elem...)...)
}

func (p nodePaths) containerdSocket() string { return p.join("containerd.sock") }
func (p nodePaths) cniConfDir() string       { return p.join("cni", "net.d") }

// containerdConfig is containerd 1.6's configuration (version 2) for the node.
//   - restrict_oom_score_adj: CI's machine lacks CAP_SYS_RESOURCE, so the sandbox cannot
//     lower its oom_score_adj, and runc fails with "can't get final child's PID from pipe:
//     EOF" unless the CRI keeps scores at or above containerd's own;
//   - the pause image is containerd's default name, which the harness imports a stand-in for
//     (no registry is reachable);
//   - runc rather than crun: Debian's crun 1.8.1 refuses the machine's hybrid cgroups.
func containerdConfig(p nodePaths) string {
	q := strconv.Quote
	return fmt.Sprintf(`version = 2
root = %s
state = %s
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs"]

[grpc]
  address = %s

[plugins."io.containerd.internal.v1.opt"]
  path = %s

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = %s
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = %s
    conf_dir = %s
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
`, q(p.join("containerd", "root")), q(p.join("containerd", "state")), q(p.containerdSocket()),
		q(p.join("containerd", "opt")), q(PauseImage), q(cniBinDir), q(p.cniConfDir())) + registryMirrors()
}

// registryMirrors points the CRI's pulls from every mirrored registry at the node's own
// (noderegistry.go), over plain HTTP on the node's loopback.
func registryMirrors() string {
	var b strings.Builder
	for _, host := range mirroredRegistries {
		fmt.Fprintf(&b, "  [plugins.\"io.containerd.grpc.v1.cri\".registry.mirrors.%s]\n    endpoint = [\"http://127.0.0.1:%d\"]\n",
			strconv.Quote(host), registryPort)
	}
	return b.String()
}

// cniConfig is the pods' network: ptp gives each pod a point-to-point link into the node's
// namespace rather than a port on a bridge, so that every packet between two pods is routed
// by the node, where kube-proxy's and the NetworkPolicy agent's rules see it (on a bridge,
// pod-to-pod traffic is switched past iptables unless br_netfilter is set up); host-local
// hands out the addresses, its state in the node's directory; portmap serves hostPort.
func cniConfig(p nodePaths) string {
	return fmt.Sprintf(`{
  "cniVersion": "1.0.0",
  "name": "conveyor",
  "plugins": [
    {
      "type": "ptp",
      "ipMasq": false,
      "mtu": 1500,
      "ipam": {
        "type": "host-local",
        "dataDir": %s,
        "ranges": [[{"subnet": %q}]],
        "routes": [{"dst": "0.0.0.0/0"}]
      }
    },
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
`, strconv.Quote(p.join("cni", "ipam")), podCIDR)
}

// kubeletConfig is the kubelet's KubeletConfiguration for CI's machine: cgroup v1
// hierarchies (failCgroupV1: false), no systemd (cgroupfs), no QoS cgroups or node
// allocatable enforcement (the kubelet would need to own the machine's cgroup tree), no swap
// check; no eviction and no image garbage collection on a disk the whole machine shares;
// x509 authentication against the cluster's CA for the API server's requests (logs, exec).
func kubeletConfig(p nodePaths, caFile string, serving keyPair) string {
	q := strconv.Quote
	return fmt.Sprintf(`apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
failCgroupV1: false
cgroupDriver: cgroupfs
cgroupsPerQOS: false
enforceNodeAllocatable: []
failSwapOn: false
containerRuntimeEndpoint: %s
address: %s
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
tlsCertFile: %s
tlsPrivateKeyFile: %s
authentication:
  anonymous:
    enabled: false
  webhook:
    enabled: false
  x509:
    clientCAFile: %s
authorization:
  mode: AlwaysAllow
clusterDomain: cluster.local
clusterDNS: [%s]
podLogsDir: %s
evictionHard:
  nodefs.available: "0%%"
  nodefs.inodesFree: "0%%"
  imagefs.available: "0%%"
imageGCHighThresholdPercent: 100
serializeImagePulls: false
nodeStatusUpdateFrequency: 4s
syncFrequency: 10s
`, q("unix://"+p.containerdSocket()), q(nodeIP), q(serving.certFile), q(serving.keyFile), q(caFile),
		q(clusterDNSIP), q(p.join("pod-logs")))
}

// kubeProxyConfig runs kube-proxy in iptables mode in the node's namespace. The conntrack
// settings are left as they are (zero): some of them are the machine's, not the namespace's.
func kubeProxyConfig(kubeconfig, nodeName string) string {
	return fmt.Sprintf(`apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection:
  kubeconfig: %s
mode: iptables
hostnameOverride: %s
clusterCIDR: %s
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
conntrack:
  maxPerCore: 0
  min: 0
  tcpEstablishedTimeout: 0s
  tcpCloseWaitTimeout: 0s
iptables:
  minSyncPeriod: 0s
`, strconv.Quote(kubeconfig), strconv.Quote(nodeName), clusterCIDR)
}
