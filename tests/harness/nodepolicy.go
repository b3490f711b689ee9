package harness

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// The node enforces NetworkPolicies with kube-network-policies, the agent kind runs: it
// queues the first packet of every new connection to or from a pod to itself (nfqueue, in
// the node's network namespace) and accepts or drops it by the policies it watches. It runs
// as a process of the node, as kind runs it (the node's network, the RBAC of its own
// install.yaml), rather than as a DaemonSet pod, whose image would only wrap the same binary.
//
// It is a patched build (tools/netpol/nfqueue_target.go says why): its queue rules use the
// xtables NFQUEUE target instead of nftables' queue expression, which CI's kernel lacks.

var netpolBinary = toolBinary{name: "kube-network-policies", moduleDir: "netpol",
	upstream: "sigs.k8s.io/kube-network-policies", pkg: "sigs.k8s.io/kube-network-policies/cmd",
	recipe: netpolRecipe(), stage: stageNetworkPolicies}

const (
	netpolAccount = "kube-network-policies"
	// netpolQueue is the agent's nfqueue number (its default).
	netpolQueue = 100
	// netpolTarget is the file of tools/netpol that the staged agent gets.
	netpolTarget = "nfqueue_target.go"
)

// netpolPatch is one textual change to a file of the agent's module.
type netpolPatch struct {
	file     string // relative to the module
	old, new string
	count    int // how many times old must occur: a new upstream version fails loudly
}

// netpolPatches turn the agent's three queue expressions into the NFQUEUE target.
var netpolPatches = []netpolPatch{
	{
		file: "pkg/networkpolicy/controller.go",
		old: `queue := &expr.Queue{Num: uint16(c.config.QueueID)}
	if c.config.FailOpen {
		queue.Flag = expr.QueueFlagBypass
	}`,
		new:   `queue := nfqueueTarget(uint16(c.config.QueueID), c.config.FailOpen)`,
		count: 2,
	},
	{
		file:  "pkg/networkpolicy/dnsagent.go",
		old:   `&expr.Queue{Num: uint16(n.nfQueueID), Flag: expr.QueueFlagBypass},`,
		new:   `nfqueueTarget(uint16(n.nfQueueID), true),`,
		count: 1,
	},
}

// netpolRecipe names the staging for the cached binary's hash: the patches themselves
// (nfqueue_target.go is hashed as a source of the tool module).
func netpolRecipe() string {
	var b strings.Builder
	b.WriteString("kube-network-policies: replace with a patched copy; " + netpolTarget + " into pkg/networkpolicy")
	for _, p := range netpolPatches {
		fmt.Fprintf(&b, "\n%s x%d\n%s\n=>\n%s", p.file, p.count, p.old, p.new)
	}
	return b.String()
}

// stageNetworkPolicies lays out a temporary copy of tools/netpol whose go.mod replaces the
// agent's module with a patched copy of it from the module cache. Nothing is written into
// the repository or the module cache.
func stageNetworkPolicies(ctx context.Context, goBin string, plan buildPlan) (string, func(), error) {
	tmp, err := os.MkdirTemp("", "conveyor-netpol-")
	if err != nil {
		return "", nil, fmt.Errorf("staging kube-network-policies: %w", err)
	}
	cleanup := func() { _ = os.RemoveAll(tmp) }
	fail := func(err error) (string, func(), error) {
		cleanup()
		return "", nil, fmt.Errorf("staging kube-network-policies %s: %w", plan.version, err)
	}
	const upstreamDir = "kube-network-policies"
	goMod, err := os.ReadFile(filepath.Join(plan.dir, "go.mod"))
	if err != nil {
		return fail(err)
	}
	goMod = fmt.Appendf(goMod, "\nreplace %s => ./%s\n", plan.upstream, upstreamDir)
	goSum, err := os.ReadFile(filepath.Join(plan.dir, "go.sum"))
	if err != nil {
		return fail(err)
	}
	for name, data := range map[string][]byte{"go.mod": goMod, "go.sum": goSum} {
		if err := os.WriteFile(filepath.Join(tmp, name), data, 0o644); err != nil {
			return fail(err)
		}
	}
	src, err := moduleDir(ctx, goBin, plan.dir, plan.upstream+"@"+plan.version)
	if err != nil {
		return fail(err)
	}
	module := filepath.Join(tmp, upstreamDir)
	if err := os.CopyFS(module, os.DirFS(src)); err != nil {
		return fail(err)
	}
	for _, p := range netpolPatches {
		if err := applyPatch(module, p); err != nil {
			return fail(err)
		}
	}
	target, err := os.ReadFile(filepath.Join(plan.dir, netpolTarget))
	if err != nil {
		return fail(err)
	}
	// It is kept out of the tool module's own build by a constraint the copy must lose.
	target = bytes.Replace(target, []byte("//go:build ignore\n"), nil, 1)
	if err := os.WriteFile(filepath.Join(module, "pkg", "networkpolicy", netpolTarget), target, 0o644); err != nil {
		return fail(err)
	}
	return tmp, cleanup, nil
}

// applyPatch makes one change to a file of the copied module; the module cache's files are
// read-only, and so are their copies, so the file is replaced rather than written to.
func applyPatch(module string, p netpolPatch) error {
	path := filepath.Join(module, p.file)
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if n := strings.Count(string(data), p.old); n != p.count {
		return fmt.Errorf("patching %s: found %d of the text to replace, want %d (a new upstream version needs the patch redone):\n%s", p.file, n, p.count, p.old)
	}
	if err := os.Remove(path); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(strings.ReplaceAll(string(data), p.old, p.new)), 0o644)
}

// policyAgent is how the node starts its NetworkPolicy agent: prepared with the node, started
// and stopped on request (Kube.StartNetworkPolicies).
type policyAgent struct {
	bin     string
	apiPort int
	proc    *process // nil while it does not run
	last    *process // the last one started, whose log a failed test shows
}

// prepareNetworkPolicies grants the agent's service account its rights and writes its token
// where in-cluster configuration reads it (the node's private /run), so that the agent can
// start at any time.
func (n *node) prepareNetworkPolicies(ctx context.Context, client kubernetes.Interface, bin string, caPEM []byte, apiPort int) error {
	token, err := netpolToken(ctx, client)
	if err != nil {
		return err
	}
	// /var/run is /run, the node's own tmpfs, reached through the holder's root.
	dir := filepath.Join("/proc", strconv.Itoa(n.sandbox.pid), "root", "run", "secrets", "kubernetes.io", "serviceaccount")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating the policy agent's service account directory: %w", err)
	}
	for name, data := range map[string][]byte{"token": []byte(token), "ca.crt": caPEM, "namespace": []byte(metav1.NamespaceSystem)} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			return fmt.Errorf("writing the policy agent's %s: %w", name, err)
		}
	}
	n.policy = &policyAgent{bin: bin, apiPort: apiPort}
	return nil
}

// StartNetworkPolicies starts the node's NetworkPolicy agent and returns once it listens on
// its queue, its rules in place: from then on the node drops what the NetworkPolicies do not
// allow. It needs KubeOptions.RealNode.
func (k *Kube) StartNetworkPolicies(ctx context.Context) error {
	if k.node == nil || k.node.policy == nil {
		return errors.New("no real node to enforce NetworkPolicies on (KubeOptions.RealNode)")
	}
	n, a := k.node, k.node.policy
	if a.proc != nil {
		return errors.New("the NetworkPolicy agent already runs")
	}
	cmd, args := n.sandbox.command(a.bin,
		"--hostname-override="+NodeName,
		// containerd 1.6 has no NRI; the agent then learns pod addresses from the API.
		"--disable-nri",
		"--metrics-bind-address=127.0.0.1:9080",
		"--nfqueue-id="+strconv.Itoa(netpolQueue),
		// The race it works around is fixed in the kernels from 6.12 on.
		"--netfilter-bug-1766-fix=false",
		"--v=2",
	)
	p, err := startProcess(n.paths.dir, "kube-network-policies",
		[]string{"KUBERNETES_SERVICE_HOST=127.0.0.1", "KUBERNETES_SERVICE_PORT=" + strconv.Itoa(a.apiPort)}, cmd, args...)
	if err != nil {
		return err
	}
	a.proc, a.last = p, p
	// It syncs its rules before it binds its queue.
	return waitUntil(ctx, "the NetworkPolicy agent's queue", []*process{p}, func(context.Context) error {
		bound, err := n.queueBound(netpolQueue)
		if err == nil && !bound {
			err = fmt.Errorf("queue %d not bound yet", netpolQueue)
		}
		return err
	})
}

// StopNetworkPolicies stops the node's NetworkPolicy agent, which removes its rules first:
// the node then forwards every connection again.
func (k *Kube) StopNetworkPolicies() error {
	if k.node == nil || k.node.policy == nil || k.node.policy.proc == nil {
		return nil
	}
	return k.node.stopNetworkPolicies()
}

func (n *node) stopNetworkPolicies() error {
	p := n.policy.proc
	n.policy.proc = nil
	// SIGINT, the one signal on which it deletes its nftables table (with SIGTERM its queue
	// rules would stay behind with nobody reading the queue, and every pod's new connections
	// would be dropped). It waits five seconds after deleting it before it exits.
	// nsenter, the group's leader, dies of it at once; the agent is waited for.
	pgid := p.cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGINT)
	for deadline := time.Now().Add(20 * time.Second); groupAlive(pgid) && time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
	}
	p.stop(5 * time.Second)
	if bound, err := n.queueBound(netpolQueue); err != nil || bound {
		return fmt.Errorf("the NetworkPolicy agent stopped, its queue still bound (%v); end of %s:\n%s", err, p.logPath, p.logTail(20))
	}
	return nil
}

// queueBound reports whether a program listens on nfqueue num in the node's network
// namespace (/proc/<pid>/net is the namespace of that process).
func (n *node) queueBound(num int) (bool, error) {
	data, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(n.sandbox.pid), "net", "netfilter", "nfnetlink_queue"))
	if errors.Is(err, os.ErrNotExist) {
		return false, nil // no queue was ever bound in the namespace
	}
	if err != nil {
		return false, fmt.Errorf("reading the node's nfqueues: %w", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) > 0 && f[0] == strconv.Itoa(num) {
			return true, nil
		}
	}
	return false, nil
}

// netpolToken creates the agent's service account and role, as its install.yaml does, and
// returns a token of the account.
func netpolToken(ctx context.Context, client kubernetes.Interface) (string, error) {
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: netpolAccount, Namespace: metav1.NamespaceSystem}}
	role := &rbacv1.ClusterRole{
		ObjectMeta: metav1.ObjectMeta{Name: netpolAccount},
		Rules: []rbacv1.PolicyRule{
			{APIGroups: []string{""}, Resources: []string{"pods", "namespaces"}, Verbs: []string{"list", "watch"}},
			{APIGroups: []string{"networking.k8s.io"}, Resources: []string{"networkpolicies"}, Verbs: []string{"list", "watch"}},
		},
	}
	binding := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: netpolAccount},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: netpolAccount},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: netpolAccount, Namespace: metav1.NamespaceSystem}},
	}
	for _, create := range []func() error{
		func() error {
			_, err := client.CoreV1().ServiceAccounts(sa.Namespace).Create(ctx, sa, metav1.CreateOptions{})
			return err
		},
		func() error {
			_, err := client.RbacV1().ClusterRoles().Create(ctx, role, metav1.CreateOptions{})
			return err
		},
		func() error {
			_, err := client.RbacV1().ClusterRoleBindings().Create(ctx, binding, metav1.CreateOptions{})
			return err
		},
	} {
		if err := create(); err != nil && !apierrors.IsAlreadyExists(err) {
			return "", fmt.Errorf("granting the policy agent its rights: %w", err)
		}
	}
	// A day outlives any test; the control plane is thrown away with it.
	expiry := int64(24 * 60 * 60)
	tr, err := client.CoreV1().ServiceAccounts(sa.Namespace).CreateToken(ctx, netpolAccount,
		&authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: &expiry}}, metav1.CreateOptions{})
	if err != nil {
		return "", fmt.Errorf("creating the policy agent's token: %w", err)
	}
	return tr.Status.Token, nil
}
