package harness

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

const (
	// FakeNodeAnnotation marks the nodes that kwok plays the kubelet of.
	FakeNodeAnnotation = "kwok.x-k8s.io/node"
	// ZoneLabel is the well-known topology label each fake node carries.
	ZoneLabel = "topology.kubernetes.io/zone"

	serviceCIDR = "10.96.0.0/12"
	clusterName = "conveyor-test"
)

// serviceIP is the first address of serviceCIDR: the `kubernetes` Service's ClusterIP.
var serviceIP = net.IPv4(10, 96, 0, 1)

// KubeOptions configure StartKube. The zero value is a usable default.
type KubeOptions struct {
	// TB, if set, receives progress through Logf and has Stop registered with Cleanup, which
	// also runs when the test fails. When the test has failed, Stop first logs the end of
	// every component's log.
	TB testing.TB
	// Logf receives progress; it defaults to TB.Logf, or to the standard logger.
	Logf Logf
	// Binaries to run; EnsureBinaries is called when nil.
	Binaries *Binaries
	// Zones get one fake node each, labelled topology.kubernetes.io/zone. The default is
	// zone-a, zone-b and zone-c.
	Zones []string
	// StartTimeout bounds the start once the binaries exist (building them is bounded by ctx
	// only). The default is three minutes, generous for a loaded two-core machine.
	StartTimeout time.Duration
	// APIServerArgs are appended to kube-apiserver's flags; a later flag overrides an
	// earlier one, so this can change any default below.
	APIServerArgs []string
	// ProvisionVolumes runs a volume provisioner beside the control plane: every pending
	// PersistentVolumeClaim gets a PersistentVolume of its own, deleted again once released,
	// as on a cluster with a default storage class (see provisionVolumes).
	ProvisionVolumes bool
	// LogContainers are container names that get a log file of their own
	// (Kube.ContainerLogFile); every other container shares one.
	LogContainers []string
	// RealNode runs one real node (NodeName) instead of kwok's fake ones: containerd, a
	// kubelet and kube-proxy of the control plane's release in namespaces of their own, so
	// that pods really run (see node.go). Zones and LogContainers are then unused. It needs
	// root and what .ci/install-node installs.
	RealNode bool
}

// Kube is a running control plane: etcd, kube-apiserver, kube-controller-manager,
// kube-scheduler, and kwok managing the fake nodes, all on 127.0.0.1.
type Kube struct {
	// Config authenticates as a member of system:masters with a client certificate.
	Config *rest.Config
	// Kubeconfig is the path of a kubeconfig file with the same credentials (certificates
	// embedded), for kubectl, the Pulumi Kubernetes provider, or any other tool.
	Kubeconfig string
	// Client is a clientset built from Config.
	Client kubernetes.Interface
	// Version is the server's version, as /version reports it, e.g. "v1.36.3".
	Version string
	// Nodes are the names of the fake nodes, in the order of KubeOptions.Zones.
	Nodes []string
	// Dir is the temporary directory holding certificates, data and logs (logs/<component>.log).
	// Stop removes it unless CONVEYOR_KEEP_KUBE_DIR=1.
	Dir string

	logf    Logf
	tb      testing.TB
	procs   []*process // in start order
	applier applier
	// stopVolumes stops the volume provisioner and waits for it; nil when none runs.
	stopVolumes func()
	// node is the real node, when KubeOptions.RealNode asked for one.
	node     *node
	stopOnce sync.Once
	stopErr  error
}

// KubeForTest starts a control plane for tb, stopped by tb's Cleanup. It skips tb if
// CONVEYOR_SKIP_KUBE=1 and fails it if the control plane cannot start.
func KubeForTest(tb testing.TB) *Kube {
	tb.Helper()
	return KubeForTestWith(tb, KubeOptions{})
}

// KubeForTestWith is KubeForTest with options; opts.TB is set to tb.
func KubeForTestWith(tb testing.TB, opts KubeOptions) *Kube {
	tb.Helper()
	SkipUnlessKube(tb)
	opts.TB = tb
	k, err := StartKube(tb.Context(), opts)
	if err != nil {
		tb.Fatalf("starting the Kubernetes control plane: %v", err)
	}
	return k
}

// StartKube builds the binaries if needed and starts a control plane in a new temporary
// directory. It returns once the API server is ready, the controllers and the scheduler are
// healthy, every fake node is Ready and schedulable, and the default service account exists.
// The caller must call Stop, unless opts.TB is set.
func StartKube(ctx context.Context, opts KubeOptions) (*Kube, error) {
	logf := logfFor(opts.TB, opts.Logf)

	var bins Binaries
	if opts.Binaries != nil {
		bins = *opts.Binaries
	} else {
		var err error
		if bins, err = EnsureBinaries(ctx, logf); err != nil {
			return nil, fmt.Errorf("building control-plane binaries: %w", err)
		}
	}
	var nodeBins NodeBinaries
	if opts.RealNode {
		var err error
		if nodeBins, err = EnsureNodeBinaries(ctx, logf); err != nil {
			return nil, fmt.Errorf("building the node's binaries: %w", err)
		}
	}
	zones := opts.Zones
	if len(zones) == 0 {
		zones = []string{"zone-a", "zone-b", "zone-c"}
	}
	dir, err := os.MkdirTemp("", "conveyor-kube-")
	if err != nil {
		return nil, fmt.Errorf("creating the control plane's directory: %w", err)
	}
	k := &Kube{Dir: dir, logf: logf, tb: opts.TB}
	took, err := launch(ctx, opts.TB, "the control plane", opts.StartTimeout, 3*time.Minute,
		func(ctx context.Context) error { return k.start(ctx, bins, nodeBins, zones, opts) }, k.Stop,
		func() { k.logTails(logf) })
	if err != nil {
		return nil, err
	}
	if opts.ProvisionVolumes {
		volCtx, stop := context.WithCancel(context.Background())
		done := make(chan struct{})
		go k.provisionVolumes(volCtx, done)
		k.stopVolumes = func() { stop(); <-done }
	}
	logf("harness: Kubernetes %s ready in %s with nodes %s (kubeconfig %s)",
		k.Version, took, strings.Join(k.Nodes, ", "), k.Kubeconfig)
	return k, nil
}

// startKwok starts kwok, which plays the kubelet of the fake nodes and serves the kubelet API
// (pod logs) on kubeletPort.
func (k *Kube) startKwok(bin string, logContainers []string, kubeconfig string, serving keyPair, kubeletPort int) (*process, error) {
	kwokConfig, err := k.writeKwokConfig(logContainers)
	if err != nil {
		return nil, err
	}
	return k.run("kwok",
		// kwok reads ~/.kwok/kwok.yaml when it exists; a private HOME keeps a developer's own
		// configuration out of the tests.
		[]string{"HOME=" + filepath.Join(k.Dir, "kwok-home")},
		bin,
		"--kubeconfig="+kubeconfig,
		"--config="+kwokConfig,
		"--manage-all-nodes=false",
		"--manage-nodes-with-annotation-selector="+FakeNodeAnnotation+"=fake",
		"--cidr=10.244.0.1/16",
		// The nodes' address and kubelet port are where kwok serves the kubelet API (pod
		// logs), so that the API server can reach it as it reaches a real kubelet.
		"--node-ip=127.0.0.1",
		"--node-port="+strconv.Itoa(kubeletPort),
		"--server-address=127.0.0.1:"+strconv.Itoa(kubeletPort),
		"--tls-cert-file="+serving.certFile,
		"--tls-private-key-file="+serving.keyFile,
	)
}

func (k *Kube) run(name string, env []string, bin string, args ...string) (*process, error) {
	if bin == "" {
		return nil, fmt.Errorf("no binary for %s", name)
	}
	p, err := startProcess(k.Dir, name, env, bin, args...)
	if err != nil {
		return nil, err
	}
	k.procs = append(k.procs, p)
	return p, nil
}

// createNodes registers one node per zone for kwok to manage. Capacity is generous so that
// scheduling is decided by the workloads' constraints (spread, affinity, quota), never by
// a fake node running out of room.
func (k *Kube) createNodes(ctx context.Context, zones []string) error {
	capacity := corev1.ResourceList{
		corev1.ResourceCPU:              resource.MustParse("32"),
		corev1.ResourceMemory:           resource.MustParse("128Gi"),
		corev1.ResourceEphemeralStorage: resource.MustParse("500Gi"),
		corev1.ResourcePods:             resource.MustParse("250"),
	}
	for _, zone := range zones {
		name := "kwok-" + zone
		node := &corev1.Node{
			ObjectMeta: metav1.ObjectMeta{
				Name: name,
				Labels: map[string]string{
					"kubernetes.io/hostname":        name,
					"kubernetes.io/os":              "linux",
					"kubernetes.io/arch":            "amd64",
					"type":                          "kwok",
					ZoneLabel:                       zone,
					"topology.kubernetes.io/region": "local",
				},
				Annotations: map[string]string{
					FakeNodeAnnotation: "fake",
					// No TTL-based caching of secrets and config maps by a kubelet.
					"node.alpha.kubernetes.io/ttl": "0",
				},
			},
			Status: corev1.NodeStatus{Capacity: capacity, Allocatable: capacity},
		}
		if _, err := k.Client.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("creating node %s: %w", name, err)
		}
		k.Nodes = append(k.Nodes, name)
	}
	return nil
}

// nodesReady checks that kwok has reported every node Ready and that the node lifecycle
// controller has lifted the not-ready taint, without which nothing would schedule.
func (k *Kube) nodesReady(ctx context.Context) error {
	for _, name := range k.Nodes {
		node, err := k.Client.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		ready := false
		for _, c := range node.Status.Conditions {
			if c.Type == corev1.NodeReady {
				ready = c.Status == corev1.ConditionTrue
			}
		}
		if !ready {
			return fmt.Errorf("node %s is not Ready", name)
		}
		for _, t := range node.Spec.Taints {
			if t.Key == corev1.TaintNodeNotReady || t.Key == corev1.TaintNodeUnreachable {
				return fmt.Errorf("node %s still has taint %s", name, t.Key)
			}
		}
	}
	return nil
}

// WaitForDefaultServiceAccount waits until the service-account controller has created the
// `default` ServiceAccount of namespace. A pod created in a new namespace before that is
// refused by the ServiceAccount admission plugin, ahead of any other admission check.
func (k *Kube) WaitForDefaultServiceAccount(ctx context.Context, namespace string) error {
	return waitUntil(ctx, "service account "+namespace+"/default", k.procs, func(ctx context.Context) error {
		_, err := k.Client.CoreV1().ServiceAccounts(namespace).Get(ctx, "default", metav1.GetOptions{})
		return err
	})
}

// LogFile returns the path of a component's log: etcd, kube-apiserver,
// kube-controller-manager, kube-scheduler or kwok.
func (k *Kube) LogFile(component string) string {
	return filepath.Join(k.Dir, "logs", component+".log")
}

// Stop stops every component and removes Dir. It is safe to call more than once.
func (k *Kube) Stop() error {
	k.stopOnce.Do(func() {
		if k.tb != nil && k.tb.Failed() {
			k.logTails(k.logf)
		}
		if k.stopVolumes != nil {
			k.stopVolumes()
		}
		var nodeErr error
		if k.node != nil {
			nodeErr = k.node.stop()
		}
		// In reverse order, so that no component spends its last seconds logging that the
		// one it depends on is gone.
		for i := len(k.procs) - 1; i >= 0; i-- {
			k.procs[i].stop(5 * time.Second)
		}
		k.stopErr = nodeErr
		if os.Getenv("CONVEYOR_KEEP_KUBE_DIR") == "1" {
			k.logf("harness: CONVEYOR_KEEP_KUBE_DIR=1: keeping %s", k.Dir)
			return
		}
		if err := os.RemoveAll(k.Dir); err != nil {
			k.stopErr = errors.Join(nodeErr, fmt.Errorf("removing %s: %w", k.Dir, err))
		}
	})
	return k.stopErr
}

func (k *Kube) logTails(logf Logf) {
	procs := k.procs
	if k.node != nil {
		procs = append(append([]*process{}, procs...), k.node.procs...)
		if k.node.policy != nil && k.node.policy.last != nil {
			procs = append(procs, k.node.policy.last)
		}
	}
	for _, p := range procs {
		logf("harness: end of %s log:\n%s", p.name, p.logTail(40))
	}
}

// freePorts reserves n distinct loopback ports by listening on port 0, and releases them for
// the components to bind. Another process could take one in between, but the kernel hands
// out ephemeral ports in sequence, which makes that unlikely enough for tests.
func freePorts(n int) ([]int, error) {
	var ports []int
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("finding a free port: %w", err)
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func writeKubeconfig(path, server string, caPEM []byte, kp keyPair) error {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters[clusterName] = &clientcmdapi.Cluster{Server: server, CertificateAuthorityData: caPEM}
	cfg.AuthInfos[clusterName] = &clientcmdapi.AuthInfo{ClientCertificateData: kp.certPEM, ClientKeyData: kp.keyPEM}
	cfg.Contexts[clusterName] = &clientcmdapi.Context{Cluster: clusterName, AuthInfo: clusterName, Namespace: metav1.NamespaceDefault}
	cfg.CurrentContext = clusterName
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		return fmt.Errorf("writing kubeconfig %s: %w", path, err)
	}
	return nil
}

func tlsClient(caPEM []byte) (*http.Client, error) {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return nil, errors.New("parsing the test CA")
	}
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}, nil
}

// httpGet returns the body of a 200 response, and an error for anything else.
func httpGet(ctx context.Context, client *http.Client, url string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET %s: %s: %s", url, resp.Status, strings.TrimSpace(string(body)))
	}
	return string(body), nil
}
