// Command coredns is CoreDNS with only the plugins the harness's node uses, so that its build
// brings in client-go and little else (the full CoreDNS also compiles the clients of AWS,
// Azure, Google Cloud, etcd and more). The order of Directives is the order in which the
// plugins see a query, as in CoreDNS's own plugin.cfg.
package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/forward"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/loop"
	_ "github.com/coredns/coredns/plugin/ready"
)

func init() {
	dnsserver.Directives = []string{"errors", "health", "ready", "kubernetes", "loop", "cache", "forward"}
}

func main() {
	coremain.Run()
}
