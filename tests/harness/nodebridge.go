package harness

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"time"
)

// The control plane listens on the machine's loopback and the node lives in a network
// namespace of its own. Two bridges, both run by the test binary, join them without adding an
// interface, an address or a route to the machine:
//   - into the node: the API server's egress selector sends its traffic for the cluster (the
//     kubelet's logs and exec, the proxy to pods and Services) as HTTP CONNECT requests to a
//     Unix socket, and the bridge dials the address inside the node's namespace;
//   - out of the node: a listener on the node's loopback, at the API server's port, forwards
//     to the API server, so that the kubelet and kube-proxy reach it at the address its
//     certificate names.

// bridge accepts connections on l and joins each to what dial returns, until close.
type bridge struct {
	l    net.Listener
	wg   sync.WaitGroup
	mu   sync.Mutex
	open map[net.Conn]struct{}
}

func newBridge(l net.Listener) *bridge {
	return &bridge{l: l, open: map[net.Conn]struct{}{}}
}

// forward joins every accepted connection to a connection to the same fixed target.
func (b *bridge) forward(dial func(ctx context.Context) (net.Conn, error)) {
	b.serve(func(c net.Conn) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		target, err := dial(ctx)
		cancel()
		if err != nil {
			_ = c.Close()
			return
		}
		b.join(c, target)
	})
}

// connect answers HTTP CONNECT requests, the protocol of the API server's egress selector,
// by dialing the requested address with dial.
func (b *bridge) connect(dial func(ctx context.Context, address string) (net.Conn, error)) {
	b.serve(func(c net.Conn) {
		br := bufio.NewReader(c)
		req, err := http.ReadRequest(br)
		if err != nil {
			_ = c.Close()
			return
		}
		if req.Method != http.MethodConnect {
			_, _ = io.WriteString(c, "HTTP/1.1 405 Method Not Allowed\r\n\r\n")
			_ = c.Close()
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		target, err := dial(ctx, req.Host)
		cancel()
		if err != nil {
			_, _ = fmt.Fprintf(c, "HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/plain\r\n\r\n%v", err)
			_ = c.Close()
			return
		}
		if _, err := io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
			_ = c.Close()
			_ = target.Close()
			return
		}
		// Whatever the client sent after its request is already in br.
		b.join(&bufferedConn{Conn: c, r: br}, target)
	})
}

func (b *bridge) serve(handle func(net.Conn)) {
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		for {
			c, err := b.l.Accept()
			if err != nil {
				return // closed
			}
			if !b.track(c) {
				return
			}
			b.wg.Add(1)
			go func() {
				defer b.wg.Done()
				handle(c)
			}()
		}
	}()
}

// track records c for close; it refuses (and closes c) once the bridge is closing.
func (b *bridge) track(c net.Conn) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.open == nil {
		_ = c.Close()
		return false
	}
	b.open[c] = struct{}{}
	return true
}

// join copies both ways until either side ends, then closes both.
func (b *bridge) join(a, c net.Conn) {
	if !b.track(c) {
		_ = a.Close()
		return
	}
	done := make(chan struct{}, 2)
	cp := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src)
		done <- struct{}{}
	}
	go cp(a, c)
	go cp(c, a)
	<-done
	_ = a.Close()
	_ = c.Close()
	<-done
	b.mu.Lock()
	delete(b.open, a)
	delete(b.open, c)
	b.mu.Unlock()
}

// close stops accepting, ends every open connection and waits for the bridge's goroutines.
func (b *bridge) close() {
	_ = b.l.Close()
	b.mu.Lock()
	for c := range b.open {
		_ = c.Close()
	}
	b.open = nil
	b.mu.Unlock()
	b.wg.Wait()
}

// bufferedConn reads what a bufio.Reader already holds before reading the connection.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufferedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// egressSelectorConfig is the API server's EgressSelectorConfiguration: its traffic to the
// cluster goes through the HTTP CONNECT bridge on socket; to etcd and the control plane, direct.
func egressSelectorConfig(socket string) string {
	return `apiVersion: apiserver.k8s.io/v1beta1
kind: EgressSelectorConfiguration
egressSelections:
- name: cluster
  connection:
    proxyProtocol: HTTPConnect
    transport:
      uds:
        udsName: ` + socket + "\n"
}

// listenUnix listens on a Unix socket at path, replacing a stale one.
func listenUnix(path string) (net.Listener, error) {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("removing stale socket %s: %w", path, err)
	}
	l, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("listening on %s: %w", path, err)
	}
	return l, nil
}
