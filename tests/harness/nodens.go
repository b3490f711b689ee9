package harness

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// The node's own network: an interface of its own holds the node's address and the default
// route ends there, so nothing leaves the namespace; the pods' point-to-point links are routes
// beside it. The interface is a bridge without ports, a dummy in all but name: CI's kernel
// has no dummy driver.
const (
	nodeIP        = "10.200.0.1"
	nodeInterface = "conveyor0"
	podCIDR       = "10.244.0.0/24"
	clusterCIDR   = "10.244.0.0/16"
)

// nodeSandbox is the set of namespaces every process of the node runs in: a network
// namespace (the node's addresses, its pods' links, kube-proxy's iptables rules), a mount
// namespace (containerd's and the kubelet's mounts, with a private tmpfs on /run) and a PID
// namespace. A holder process is the PID namespace's init; when it dies, for whatever reason,
// the kernel kills every process of the node, container shims and containers included, and
// the namespaces go with the last of them: nothing the node made outlives it, and the
// machine's own network, mounts and iptables rules are never touched.
type nodeSandbox struct {
	holder *process
	// pid is the holder's process ID as the test binary sees it: its /proc/<pid>/ns/ files
	// are the namespaces to enter.
	pid int
	// netns is an open descriptor of the network namespace, for dialing and listening in it.
	netns *os.File
}

// holderScript sets the namespaces up from inside and then waits as their init. It runs
// under `unshare`, which has made them; the ready file tells the harness it is done.
const holderScript = `set -e
ip link set lo up
ip link add ` + nodeInterface + ` type bridge
ip addr add ` + nodeIP + `/32 dev ` + nodeInterface + `
ip link set ` + nodeInterface + ` up
ip route add default dev ` + nodeInterface + `
echo 1 > /proc/sys/net/ipv4/ip_forward
mount -t tmpfs -o mode=0755 tmpfs /run
touch "$1"
exec sleep infinity
`

// startNodeSandbox starts the holder in dir (its log goes to dir/logs/node-namespaces.log)
// and waits until the namespaces are set up.
func startNodeSandbox(ctx context.Context, dir string) (*nodeSandbox, error) {
	ready := filepath.Join(dir, "namespaces.ready")
	holder, err := startProcess(dir, "node-namespaces", nil, "unshare",
		"--net", "--mount", "--pid", "--fork", "--mount-proc",
		// The holder's init dies with unshare, whoever kills it.
		"--kill-child",
		"--", "/bin/sh", "-c", holderScript, "sh", ready)
	if err != nil {
		return nil, err
	}
	s := &nodeSandbox{holder: holder, pid: holder.cmd.Process.Pid}
	if err := waitUntil(ctx, "the node's namespaces", []*process{holder}, func(context.Context) error {
		_, err := os.Stat(ready)
		return err
	}); err != nil {
		s.stop()
		return nil, err
	}
	// unshare made the network and mount namespaces its own before it forked the holder's
	// init, so its /proc entry names them.
	if s.netns, err = os.Open(s.nsPath("net")); err != nil {
		s.stop()
		return nil, fmt.Errorf("opening the node's network namespace: %w", err)
	}
	return s, nil
}

func (s *nodeSandbox) nsPath(kind string) string {
	return filepath.Join("/proc", strconv.Itoa(s.pid), "ns", kind)
}

// command returns the command line that runs bin with args inside the node's namespaces.
func (s *nodeSandbox) command(bin string, args ...string) (string, []string) {
	return "nsenter", append([]string{
		"--net=" + s.nsPath("net"),
		"--mount=" + s.nsPath("mnt"),
		// unshare's own PID namespace is the machine's; its children's is the node's.
		"--pid=" + s.nsPath("pid_for_children"),
		"--", bin,
	}, args...)
}

// inNetwork runs fn on an OS thread that has entered the node's network namespace. Sockets
// made by fn belong to that namespace and keep working from any thread afterwards. The thread
// goes back to the test binary's namespace before it runs anything else; if it cannot, it
// stays locked and is never used again.
func (s *nodeSandbox) inNetwork(fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		own, err := os.Open("/proc/thread-self/ns/net")
		if err != nil {
			runtime.UnlockOSThread()
			errc <- fmt.Errorf("opening the test binary's network namespace: %w", err)
			return
		}
		defer own.Close()
		if err := unix.Setns(int(s.netns.Fd()), unix.CLONE_NEWNET); err != nil {
			runtime.UnlockOSThread()
			errc <- fmt.Errorf("entering the node's network namespace: %w", err)
			return
		}
		err = fn()
		if unix.Setns(int(own.Fd()), unix.CLONE_NEWNET) == nil {
			runtime.UnlockOSThread()
		}
		errc <- err
	}()
	return <-errc
}

// dial connects to address as seen from inside the node: its own address, a pod's, a
// Service's ClusterIP.
func (s *nodeSandbox) dial(ctx context.Context, network, address string) (net.Conn, error) {
	var conn net.Conn
	err := s.inNetwork(func() error {
		var err error
		var d net.Dialer
		conn, err = d.DialContext(ctx, network, address)
		return err
	})
	return conn, err
}

// listen listens on address inside the node.
func (s *nodeSandbox) listen(network, address string) (net.Listener, error) {
	var l net.Listener
	err := s.inNetwork(func() error {
		var err error
		l, err = net.Listen(network, address)
		return err
	})
	return l, err
}

// stop kills the holder, and with it every process of the node, and releases the namespace.
func (s *nodeSandbox) stop() {
	s.holder.stop(5 * time.Second)
	if s.netns != nil {
		_ = s.netns.Close()
	}
}
