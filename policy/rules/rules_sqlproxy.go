package rules

import (
	"net"
	"net/url"
	"slices"
	"strings"

	"github.com/conveyor-paas/conveyor/components/images"
	"github.com/conveyor-paas/conveyor/naming"
)

// The proxy rule keeps every connection to Cloud SQL verified: sslmode=require encrypts but
// checks no certificate, so whoever can answer on the instance's address (a spoofed route, a
// hijacked peering) reads every password and row. The Cloud SQL Auth Proxy verifies the
// instance by the CA the SQL Admin API hands it; a client that connects past it must verify
// the server itself (sslmode=verify-full).
func sqlProxyRules() []Rule {
	return []Rule{{
		ID: "CONV-SQL-010", Severity: SeverityCritical, Types: append(WorkloadTypes(), TypeSecret),
		Description: "On GKE a workload reaches Cloud SQL only through the Cloud SQL Auth Proxy on its pod's loopback " +
			"(a native sidecar), or with sslmode=verify-full: sslmode=require verifies no server.",
		Remediation: "Run the proxy (components/images.CloudSQLProxy) as an init container named " + naming.SQLProxyContainer +
			" with restartPolicy: Always, listening on 127.0.0.1, and connect to 127.0.0.1 (components.Module and the " +
			"platform's jobs do); or set PGSSLMODE / sslmode=verify-full with the instance's CA.",
		Check: checkSQLProxy,
	}}
}

// Variables by which a container connects to PostgreSQL: libpq's, and those components read
// from their module's database Secret.
var (
	hostVariables = []string{"PGHOST", naming.EnvDatabaseHost, naming.EnvDatabaseURL}
	verifyFull    = "verify-full"
)

func checkSQLProxy(r Resource) []Finding {
	if kind, err := naming.ClassifyStack(r.Environment); err == nil && kind == naming.StackLocal {
		return nil // a local cluster's PostgreSQL runs in the cluster, with no proxy and no certificate
	}
	if r.Type == TypeSecret {
		return checkDatabaseSecretHost(r)
	}
	p, _ := podOf(r)
	cs, pending := p.containers()
	if pending != nil {
		return []Finding{undecided(*pending)}
	}
	proxy, out := podProxy(cs)
	for _, c := range cs {
		if isSQLProxy(c) {
			continue
		}
		host, connects, waiting := connection(c)
		switch {
		case waiting != nil:
			out = append(out, undecided(*waiting))
			continue
		case !connects:
			continue
		}
		mode, _ := variable(c, "PGSSLMODE")
		if mode.unknown() {
			out = append(out, undecided(mode))
			continue
		}
		if mode.str() == verifyFull {
			continue
		}
		if !proxy {
			out = append(out, violationf("%s connects to Cloud SQL with no Cloud SQL Auth Proxy beside it (an init container %q "+
				"with restartPolicy Always) and PGSSLMODE %s, not %q: nothing verifies the server", c.label, naming.SQLProxyContainer, mode.show(), verifyFull))
			continue
		}
		if host.set() && !loopbackHost(host.str()) {
			out = append(out, violationf("%s connects to PGHOST %s past its proxy, with PGSSLMODE %s: nothing verifies the server",
				c.label, host.show(), mode.show()))
		}
	}
	return out
}

// podProxy says whether a pod runs the Cloud SQL Auth Proxy as a native sidecar, and what is
// wrong with the one it runs: a proxy that listens beyond loopback serves the instance, as the
// pod's identity, to whoever reaches the pod.
func podProxy(cs []container) (found bool, out []Finding) {
	for _, c := range cs {
		if !isSQLProxy(c) {
			continue
		}
		policy := c.key("restartPolicy")
		if policy.unknown() {
			return false, []Finding{undecided(policy)}
		}
		if policy.str() != "Always" {
			out = append(out, violationf("%s has restartPolicy %s, not \"Always\": it is no sidecar, so the pod's containers "+
				"would start only after it ended", c.label, policy.show()))
			continue
		}
		for _, a := range c.key("args").items() {
			if a.unknown() {
				return false, []Finding{undecided(a)}
			}
			for _, flag := range []string{"--address=", "-a="} {
				if addr, ok := strings.CutPrefix(a.str(), flag); ok && !loopbackHost(addr) {
					out = append(out, violationf("%s listens on %s, beyond the pod's loopback: every pod that reaches it "+
						"connects to Cloud SQL as the pod's identity", c.label, a.show()))
				}
			}
		}
		found = true
	}
	return found, out
}

// isSQLProxy says whether a container is the Cloud SQL Auth Proxy: an init container of that
// name running the proxy's image (any tag or digest of its repository).
func isSQLProxy(c container) bool {
	if !c.init || c.key("name").str() != naming.SQLProxyContainer {
		return false
	}
	repo, _, _ := strings.Cut(images.CloudSQLProxy, ":")
	image := c.key("image").str()
	return image == repo || strings.HasPrefix(image, repo+":") || strings.HasPrefix(image, repo+"@")
}

// connection is where a container connects to PostgreSQL: host is PGHOST when it is a plain
// value (unset otherwise); connects is false when the container names no database server.
func connection(c container) (host value, connects bool, pending *value) {
	for _, e := range c.key("env").items() {
		name := e.key("name")
		if name.unknown() {
			return value{}, false, &name
		}
		if !slices.Contains(hostVariables, name.str()) {
			continue
		}
		connects = true
		if name.str() == "PGHOST" {
			v := e.key("value")
			if v.unknown() {
				return value{}, false, &v
			}
			host = v
		}
	}
	return host, connects, nil
}

// checkDatabaseSecretHost: a module's database Secret names the proxy on loopback, or asks
// verify-full of the server it names.
func checkDatabaseSecretHost(r Resource) []Finding {
	scope, _, pending := scopeOf(r)
	switch {
	case pending != nil:
		return []Finding{undecided(*pending)}
	case scope.Module == "" || scope.Component != "" || scope.Space == naming.ReservedSpace:
		return nil // not a module's database credentials
	}
	data := inputs(r).key("stringData")
	host, link := data.key("host"), data.key("url")
	for _, v := range []value{host, link} {
		if v.unknown() {
			return []Finding{undecided(v)}
		}
	}
	var out []Finding
	verified := false
	if link.set() {
		u, err := url.Parse(link.str())
		switch {
		case err != nil:
			out = append(out, violationf("%s is no connection URL", link.path))
		case u.Query().Get("sslmode") == verifyFull:
			verified = true
		case !loopbackHost(u.Hostname()):
			out = append(out, violationf("%s connects past the proxy (to no loopback address) with sslmode %q, not %q: "+
				"nothing verifies the server", link.path, u.Query().Get("sslmode"), verifyFull))
		}
	}
	if host.set() && !verified && !loopbackHost(host.str()) {
		out = append(out, violationf("%s is %s, not the proxy on loopback: the module's components would connect past it",
			host.path, host.show()))
	}
	return out
}

// loopbackHost says whether a host is the pod's own loopback.
func loopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(strings.Trim(h, "[]"))
	return ip != nil && ip.IsLoopback()
}
