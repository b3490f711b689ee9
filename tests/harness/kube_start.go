package harness

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// A control plane starts in the order its parts need each other: its certificates, ports and
// kubeconfigs first (controlPlaneFiles), then etcd, the API server, the controller manager
// and the scheduler (and kwok), and last the nodes (fake ones, or one real node).

// controlPlaneFiles are what a control plane's processes are started with: the certificates,
// the ports and each component's kubeconfig.
type controlPlaneFiles struct {
	ca, frontProxyCA                   *pki
	frontProxy, serving, kubeletClient keyPair
	saKey, saPub                       string

	etcdPort, etcdPeerPort, apiPort, kcmPort, schedPort, kubeletPort int
	server                                                           string
	kubeconfigs                                                      map[string]string
}

func (k *Kube) start(ctx context.Context, bins Binaries, nodeBins NodeBinaries, zones []string, opts KubeOptions) error {
	files, err := k.writeCertificates()
	if err != nil {
		return err
	}
	if err := k.writeKubeconfigs(files); err != nil {
		return err
	}
	etcd, etcdURL, err := k.startEtcd(ctx, bins.Etcd, files)
	if err != nil {
		return err
	}
	apiserver, err := k.startAPIServer(ctx, bins.KubeAPIServer, files, etcdURL, opts, etcd)
	if err != nil {
		return err
	}
	all, err := k.startControllers(ctx, bins, files, opts, etcd, apiserver)
	if err != nil {
		return err
	}
	return k.startNodes(ctx, nodeBins, files, zones, opts, all)
}

// writeCertificates makes the control plane's certificates and picks its ports.
func (k *Kube) writeCertificates() (*controlPlaneFiles, error) {
	f := &controlPlaneFiles{}
	var err error
	if f.ca, err = newPKI(filepath.Join(k.Dir, "pki"), "conveyor-test-ca"); err != nil {
		return nil, err
	}
	// The front proxy's CA and client certificate, as kubeadm sets them up: the API server
	// publishes the CA for the request-header authentication of extension API servers (the
	// controller manager and the scheduler check it too, and log an error a second without
	// it), and uses the client certificate to reach aggregated APIs.
	if f.frontProxyCA, err = newPKI(filepath.Join(k.Dir, "pki", "front-proxy"), "conveyor-test-front-proxy-ca"); err != nil {
		return nil, err
	}
	if f.frontProxy, err = f.frontProxyCA.client("front-proxy-client", "front-proxy-client"); err != nil {
		return nil, err
	}
	if f.serving, err = f.ca.serving("serving", serviceIP); err != nil {
		return nil, err
	}
	if f.saKey, f.saPub, err = f.ca.serviceAccountKey(); err != nil {
		return nil, err
	}
	// The API server reaches kwok's kubelet API (pod logs) with a client certificate of its
	// own, and checks kwok's serving certificate against the cluster's CA.
	if f.kubeletClient, err = f.ca.client("kubelet-client", "kube-apiserver-kubelet-client", "system:masters"); err != nil {
		return nil, err
	}
	ports, err := freePorts(6)
	if err != nil {
		return nil, err
	}
	f.etcdPort, f.etcdPeerPort, f.apiPort, f.kcmPort, f.schedPort, f.kubeletPort = ports[0], ports[1], ports[2], ports[3], ports[4], ports[5]
	f.server = "https://127.0.0.1:" + strconv.Itoa(f.apiPort)
	return f, nil
}

// writeKubeconfigs writes one kubeconfig per component, and gives k the admin's.
func (k *Kube) writeKubeconfigs(f *controlPlaneFiles) error {
	// One identity per component, as in a real cluster, so that the bootstrap RBAC policy for
	// the controller manager and the scheduler is exercised rather than bypassed.
	f.kubeconfigs = map[string]string{}
	identities := []struct{ name, user, group string }{
		{"admin", "conveyor-admin", "system:masters"},
		{"kube-controller-manager", "system:kube-controller-manager", ""},
		{"kube-scheduler", "system:kube-scheduler", ""},
		// kwok writes the status and leases of every fake node, which no single node
		// identity may do under the Node authorizer.
		{"kwok", "conveyor-kwok", "system:masters"},
	}
	var admin keyPair
	for _, id := range identities {
		var groups []string
		if id.group != "" {
			groups = []string{id.group}
		}
		kp, err := f.ca.client(id.name, id.user, groups...)
		if err != nil {
			return err
		}
		path := filepath.Join(k.Dir, id.name+".kubeconfig")
		if err := writeKubeconfig(path, f.server, f.ca.caPEM, kp); err != nil {
			return err
		}
		f.kubeconfigs[id.name] = path
		if id.name == "admin" {
			admin = kp
		}
	}
	k.Kubeconfig = f.kubeconfigs["admin"]
	k.Config = &rest.Config{
		Host: f.server,
		TLSClientConfig: rest.TLSClientConfig{
			CAData:   f.ca.caPEM,
			CertData: admin.certPEM,
			KeyData:  admin.keyPEM,
		},
		// Tests create objects in bursts; client-go's default 5 QPS would make them crawl.
		QPS:   100,
		Burst: 200,
	}
	client, err := kubernetes.NewForConfig(k.Config)
	if err != nil {
		return fmt.Errorf("creating the admin client: %w", err)
	}
	k.Client = client
	return nil
}

// startEtcd starts etcd and waits until it is healthy; it returns its client URL.
func (k *Kube) startEtcd(ctx context.Context, bin string, f *controlPlaneFiles) (*process, string, error) {
	etcdURL := "http://127.0.0.1:" + strconv.Itoa(f.etcdPort)
	peerURL := "http://127.0.0.1:" + strconv.Itoa(f.etcdPeerPort)
	etcd, err := k.run("etcd", nil, bin,
		"--name=conveyor",
		"--data-dir="+filepath.Join(k.Dir, "etcd"),
		"--listen-client-urls="+etcdURL,
		"--advertise-client-urls="+etcdURL,
		"--listen-peer-urls="+peerURL,
		"--initial-advertise-peer-urls="+peerURL,
		"--initial-cluster=conveyor="+peerURL,
		// The data is thrown away after the test; fsync would only make a shared disk the
		// bottleneck of every write.
		"--unsafe-no-fsync=true",
		"--log-level=warn",
	)
	if err != nil {
		return nil, "", err
	}
	if err := waitUntil(ctx, "etcd health", []*process{etcd}, func(ctx context.Context) error {
		body, err := httpGet(ctx, http.DefaultClient, etcdURL+"/health")
		if err == nil && !strings.Contains(body, `"health":"true"`) {
			err = fmt.Errorf("not healthy: %s", body)
		}
		return err
	}); err != nil {
		return nil, "", err
	}
	return etcd, etcdURL, nil
}

// startAPIServer starts kube-apiserver on etcd, with a real node's egress when there is one,
// waits until it is ready and records its version.
func (k *Kube) startAPIServer(ctx context.Context, bin string, f *controlPlaneFiles, etcdURL string, opts KubeOptions, etcd *process) (*process, error) {
	args := apiServerArgs(f, etcdURL, filepath.Join(k.Dir, "pki"))
	if opts.RealNode {
		var egress []string
		var err error
		if k.node, egress, err = prepareNode(ctx, filepath.Join(k.Dir, "node"), k.logf); err != nil {
			return nil, err
		}
		args = append(args, egress...)
	}
	apiserver, err := k.run("kube-apiserver", nil, bin, append(args, opts.APIServerArgs...)...)
	if err != nil {
		return nil, err
	}
	if err := waitUntil(ctx, "kube-apiserver /readyz", []*process{etcd, apiserver}, func(ctx context.Context) error {
		_, err := k.Client.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(ctx)
		return err
	}); err != nil {
		return nil, err
	}
	info, err := k.Client.Discovery().ServerVersion()
	if err != nil {
		return nil, fmt.Errorf("reading the server version: %w", err)
	}
	k.Version = info.GitVersion
	return apiserver, nil
}

// apiServerArgs are kube-apiserver's flags.
func apiServerArgs(f *controlPlaneFiles, etcdURL, pkiDir string) []string {
	return []string{
		"--etcd-servers=" + etcdURL,
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(f.apiPort),
		"--cert-dir=" + pkiDir,
		"--tls-cert-file=" + f.serving.certFile,
		"--tls-private-key-file=" + f.serving.keyFile,
		"--client-ca-file=" + f.ca.caFile(),
		"--requestheader-client-ca-file=" + f.frontProxyCA.caFile(),
		"--requestheader-allowed-names=front-proxy-client",
		"--requestheader-username-headers=X-Remote-User",
		"--requestheader-group-headers=X-Remote-Group",
		"--requestheader-extra-headers-prefix=X-Remote-Extra-",
		"--proxy-client-cert-file=" + f.frontProxy.certFile,
		"--proxy-client-key-file=" + f.frontProxy.keyFile,
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file=" + f.saPub,
		"--service-account-signing-key-file=" + f.saKey,
		"--service-cluster-ip-range=" + serviceCIDR,
		"--authorization-mode=Node,RBAC",
		// The default plugins stay on (among them PodSecurity, LimitRanger, ResourceQuota,
		// ServiceAccount, NamespaceLifecycle, DefaultTolerationSeconds, the admission
		// policies and webhooks); these are named to document that the tests rely on them,
		// and NodeRestriction is what a kubeadm cluster adds.
		"--enable-admission-plugins=NodeRestriction,PodSecurity,LimitRanger,ResourceQuota,ServiceAccount",
		// Privileged containers are allowed cluster-wide as on GKE, so that refusing one is
		// left to Pod Security admission, which is what the tests check.
		"--allow-privileged=true",
		// The `kubernetes` Service would get 127.0.0.1 as its endpoint, which Endpoints
		// validation rejects as loopback, every ten seconds; no pod here could use it anyway.
		"--endpoint-reconciler-type=none",
		"--profiling=false",
		// Every fake node's kubelet is kwok's server on loopback (see --node-ip below).
		"--kubelet-preferred-address-types=InternalIP",
		"--kubelet-certificate-authority=" + f.ca.caFile(),
		"--kubelet-client-certificate=" + f.kubeletClient.certFile,
		"--kubelet-client-key=" + f.kubeletClient.keyFile,
	}
}

// startControllers starts the controller manager, the scheduler and, without a real node,
// kwok, which only need the API server, and waits until the first two are healthy. It
// returns every process started so far.
func (k *Kube) startControllers(ctx context.Context, bins Binaries, f *controlPlaneFiles, opts KubeOptions, etcd, apiserver *process) ([]*process, error) {
	kcm, err := k.run("kube-controller-manager", nil, bins.KubeControllerManager, append(componentArgs(f, "kube-controller-manager", f.kcmPort),
		"--cluster-name="+clusterName,
		"--cluster-signing-cert-file="+f.ca.caFile(),
		"--cluster-signing-key-file="+f.ca.caKeyFile(),
		"--root-ca-file="+f.ca.caFile(),
		"--service-account-private-key-file="+f.saKey,
		// Each controller acts under its own service account, so its RBAC is real.
		"--use-service-account-credentials=true",
		"--service-cluster-ip-range="+serviceCIDR,
		"--allocate-node-cidrs=false",
		// All default controllers, among them node-lifecycle, which lifts the not-ready
		// taint once kwok reports a node Ready.
		"--controllers=*",
		// kwok's heartbeats are late when tests load the machine, and a node the controller
		// once marks NotReady leaves its pods NotReady for good (kwok readies a pod only
		// once), so a fake node is given minutes, not the default 50s, before it is unhealthy.
		"--node-monitor-grace-period=10m",
	)...)
	if err != nil {
		return nil, err
	}
	scheduler, err := k.run("kube-scheduler", nil, bins.KubeScheduler, componentArgs(f, "kube-scheduler", f.schedPort)...)
	if err != nil {
		return nil, err
	}
	all := []*process{etcd, apiserver, kcm, scheduler}
	if !opts.RealNode {
		kwok, err := k.startKwok(bins.Kwok, opts.LogContainers, f.kubeconfigs["kwok"], f.serving, f.kubeletPort)
		if err != nil {
			return nil, err
		}
		all = append(all, kwok)
	}
	httpsClient, err := tlsClient(f.ca.caPEM)
	if err != nil {
		return nil, err
	}
	for _, c := range []struct {
		name string
		port int
	}{{"kube-controller-manager", f.kcmPort}, {"kube-scheduler", f.schedPort}} {
		url := "https://127.0.0.1:" + strconv.Itoa(c.port) + "/healthz"
		if err := waitUntil(ctx, c.name+" /healthz", all, func(ctx context.Context) error {
			_, err := httpGet(ctx, httpsClient, url)
			return err
		}); err != nil {
			return nil, err
		}
	}
	return all, nil
}

// componentArgs are the flags the controller manager and the scheduler share.
func componentArgs(f *controlPlaneFiles, name string, port int) []string {
	return []string{
		"--kubeconfig=" + f.kubeconfigs[name],
		"--authentication-kubeconfig=" + f.kubeconfigs[name],
		"--authorization-kubeconfig=" + f.kubeconfigs[name],
		"--bind-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(port),
		// Our serving certificate, rather than one self-signed into a shared default
		// directory (/var/run/kubernetes) where parallel control planes would race.
		"--tls-cert-file=" + f.serving.certFile,
		"--tls-private-key-file=" + f.serving.keyFile,
		"--client-ca-file=" + f.ca.caFile(),
		// One instance: electing a leader would only add seconds to every start.
		"--leader-elect=false",
	}
}

// startNodes starts the real node or registers the fake ones, and waits until they are Ready
// and schedulable (with a real node, the cluster DNS too) and the default service account
// exists.
func (k *Kube) startNodes(ctx context.Context, nodeBins NodeBinaries, f *controlPlaneFiles, zones []string, opts KubeOptions, all []*process) error {
	if opts.RealNode {
		if err := k.node.start(ctx, k.Client, nodeBins, f.ca, f.apiPort); err != nil {
			return err
		}
		all = append(all, k.node.procs...)
		k.Nodes = []string{NodeName}
	} else if err := k.createNodes(ctx, zones); err != nil {
		return err
	}
	if err := waitUntil(ctx, "nodes Ready and schedulable", all, k.nodesReady); err != nil {
		return err
	}
	if opts.RealNode {
		if err := waitUntil(ctx, "the cluster DNS", all, dnsReady(k.Client)); err != nil {
			return err
		}
	}
	return waitUntil(ctx, "the default service account", all, func(ctx context.Context) error {
		_, err := k.Client.CoreV1().ServiceAccounts(metav1.NamespaceDefault).Get(ctx, "default", metav1.GetOptions{})
		return err
	})
}
