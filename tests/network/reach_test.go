package network

import (
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

// Addresses outside the cluster. The database address is the simulated Cloud SQL instance's,
// the one the offline evaluation gives cluster-nonprod.
const (
	cloudSQL      = "10.100.0.3"
	metadata      = "169.254.169.254"
	googleAPIs    = "199.36.153.9" // private.googleapis.com
	publicGoogle  = "142.250.74.106"
	internet      = "93.184.215.14"
	otherPrivate  = "10.100.0.4" // another address of the private services range
	apiPort       = 9898         // the demo catalog's apis listen there
	postgres      = 5432
	sqlProxy      = 3307 // where Cloud SQL takes the Cloud SQL Auth Proxy's connections
	pubsubEmu     = 8085
	tcp, udp      = corev1.ProtocolTCP, corev1.ProtocolUDP
	dns           = "kube-system/kube-dns"
	dnsPort       = 53
	httpsPort     = 443
	httpPort      = 80
	sshPort       = 22
	metadataPort  = 80
	unrelatedPort = 8443
)

// reach is one row of a reachability table: from a pod, to a pod or an address, on a port.
type reach struct {
	from, to string
	port     int
	protocol corev1.Protocol
	want     bool
}

// gcpEnvironment is what one GCP environment's pods must and must not reach, within the
// environment and outside the cluster. "<env>" stands for the environment.
func gcpEnvironment() []reach {
	return []reach{
		// Its own space, both ways.
		{"<env>-sales/quotes-api", "<env>-sales/policies-api", apiPort, tcp, true},
		{"<env>-sales/policies-issuer", "<env>-sales/quotes-api", apiPort, tcp, true},
		// sales allows claims in; claims allows nobody.
		{"<env>-claims/claims-api", "<env>-sales/quotes-api", apiPort, tcp, true},
		{"<env>-claims/payments-handler", "<env>-sales/policies-api", apiPort, tcp, true},
		{"<env>-sales/quotes-api", "<env>-claims/claims-api", apiPort, tcp, false},
		// DNS, and nothing else in kube-system.
		{"<env>-sales/quotes-api", dns, dnsPort, udp, true},
		{"<env>-claims/claims-migrate", dns, dnsPort, tcp, true},
		{"<env>-sales/quotes-api", dns, unrelatedPort, tcp, false},
		// The metadata server (workload identity), on its port only.
		{"<env>-sales/quotes-api", metadata, metadataPort, tcp, true},
		{"<env>-claims/payments-reconcile", metadata, metadataPort, tcp, true},
		{"<env>-sales/quotes-api", metadata, unrelatedPort, tcp, false},
		// The environment's database, on the proxy's port only (never PostgreSQL's: nothing
		// connects past the proxy), and no other private address.
		{"<env>-sales/quotes-api", cloudSQL, sqlProxy, tcp, true},
		{"<env>-claims/claims-migrate", cloudSQL, sqlProxy, tcp, true},
		{"<env>-sales/quotes-api", cloudSQL, postgres, tcp, false},
		{"<env>-sales/quotes-api", cloudSQL, sshPort, tcp, false},
		{"<env>-sales/quotes-api", otherPrivate, sqlProxy, tcp, false},
		// Google APIs on 443 through Private Google Access; nothing else on the internet.
		{"<env>-sales/quotes-api", googleAPIs, httpsPort, tcp, true},
		{"<env>-sales/quotes-api", googleAPIs, httpPort, tcp, false},
		{"<env>-sales/quotes-api", publicGoogle, httpsPort, tcp, false},
		{"<env>-sales/quotes-api", internet, httpsPort, tcp, false},
		{"<env>-claims/claims-api", internet, httpPort, tcp, false},
		// Nothing from outside the cluster gets in.
		{internet, "<env>-sales/quotes-api", apiPort, tcp, false},
		// The platform namespace: its jobs reach the database through the proxy, and DNS,
		// the metadata server and Google's APIs, where the proxy gets its token and
		// certificate; nothing else, and nothing reaches them.
		{"<env>-conveyor/quotes-database-setup", cloudSQL, sqlProxy, tcp, true},
		{"<env>-conveyor/quotes-database-setup", cloudSQL, postgres, tcp, false},
		{"<env>-conveyor/quotes-database-setup", dns, dnsPort, udp, true},
		{"<env>-conveyor/quotes-database-setup", metadata, metadataPort, tcp, true},
		{"<env>-conveyor/quotes-database-setup", googleAPIs, httpsPort, tcp, true},
		{"<env>-conveyor/quotes-database-setup", internet, httpsPort, tcp, false},
		{"<env>-conveyor/quotes-database-setup", publicGoogle, httpsPort, tcp, false},
		{"<env>-conveyor/quotes-database-setup", "<env>-sales/quotes-api", apiPort, tcp, false},
		{"<env>-sales/quotes-api", "<env>-conveyor/claims-database-setup", apiPort, tcp, false},
	}
}

// acrossEnvironments is what must not connect between two environments on one cluster: no
// pod of either reaches any namespace of the other, whatever allowFrom says.
func acrossEnvironments(a, b string) []reach {
	var rows []reach
	for _, pair := range [][2]string{{a, b}, {b, a}} {
		from, to := pair[0], pair[1]
		rows = append(rows,
			reach{from + "-sales/quotes-api", to + "-sales/quotes-api", apiPort, tcp, false},
			reach{from + "-sales/policies-issuer", to + "-sales/policies-api", apiPort, tcp, false},
			reach{from + "-claims/claims-api", to + "-sales/quotes-api", apiPort, tcp, false},
			reach{from + "-claims/payments-handler", to + "-claims/claims-api", apiPort, tcp, false},
			reach{from + "-sales/quotes-api", to + "-conveyor/quotes-database-setup", postgres, tcp, false},
			reach{from + "-conveyor/quotes-database-setup", to + "-sales/quotes-api", apiPort, tcp, false},
		)
	}
	return rows
}

func expand(rows []reach, env string) []reach {
	out := make([]reach, len(rows))
	for i, r := range rows {
		r.from, r.to = strings.ReplaceAll(r.from, "<env>", env), strings.ReplaceAll(r.to, "<env>", env)
		out[i] = r
	}
	return out
}

// TestReachabilityOfDevAndAnAdHocEnvironment puts dev and pr-123 on one cluster, as they share
// cluster-nonprod, and asks a real NetworkPolicy engine (cyclonus's matcher, the engine of the
// network-policy-api project's policy-assistant) about every row of the table.
func TestReachabilityOfDevAndAnAdHocEnvironment(t *testing.T) {
	c := newCluster(t, "dev", "pr-123")
	rows := append(expand(gcpEnvironment(), "dev"), expand(gcpEnvironment(), "pr-123")...)
	check(t, c, append(rows, acrossEnvironments("dev", "pr-123")...))
}

// TestReachabilityOfTwoLocalEnvironments puts local and local-alice on one local cluster:
// each reaches its own PostgreSQL and Pub/Sub emulator, and not the other's, nor the cloud.
//
// Some of these rows are also tried live, by pods on a node that enforces the policies
// (cmd/conveyor/internal/realengine TestLocalEnvironmentPoliciesOnANode): a space's api
// reached from a space it admits and not from one it does not, nothing in kube-system but
// DNS, the environment's own PostgreSQL. The rows across environments and to addresses
// outside the cluster are this engine's alone (the README's test tiers say why).
func TestReachabilityOfTwoLocalEnvironments(t *testing.T) {
	c := newCluster(t, "local", "local-alice")
	var rows []reach
	for _, env := range []string{"local", "local-alice"} {
		rows = append(rows, expand([]reach{
			{"<env>-sales/quotes-api", "<env>-sales/policies-api", apiPort, tcp, true},
			{"<env>-claims/claims-api", "<env>-sales/quotes-api", apiPort, tcp, true},
			{"<env>-sales/quotes-api", "<env>-claims/claims-api", apiPort, tcp, false},
			{"<env>-sales/quotes-api", dns, dnsPort, udp, true},
			{"<env>-sales/quotes-api", "<env>-conveyor/conveyor-postgres", postgres, tcp, true},
			{"<env>-claims/payments-handler", "<env>-conveyor/conveyor-pubsub-emulator", pubsubEmu, tcp, true},
			{"<env>-sales/quotes-api", "<env>-conveyor/conveyor-postgres", sshPort, tcp, false},
			{"<env>-sales/quotes-api", "<env>-conveyor/conveyor-pubsub-emulator", postgres, tcp, false},
			{"<env>-sales/quotes-api", "<env>-conveyor/quotes-database-setup", postgres, tcp, false},
			{"<env>-conveyor/quotes-database-setup", "<env>-conveyor/conveyor-postgres", postgres, tcp, true},
			{"<env>-conveyor/quotes-topics-setup", "<env>-conveyor/conveyor-pubsub-emulator", pubsubEmu, tcp, true},
			{"<env>-conveyor/conveyor-postgres", "<env>-sales/quotes-api", apiPort, tcp, false},
			{"<env>-sales/quotes-api", metadata, metadataPort, tcp, false},
			{"<env>-sales/quotes-api", googleAPIs, httpsPort, tcp, false},
			{"<env>-sales/quotes-api", internet, httpsPort, tcp, false},
		}, env)...)
	}
	for _, pair := range [][2]string{{"local", "local-alice"}, {"local-alice", "local"}} {
		from, to := pair[0], pair[1]
		rows = append(rows,
			reach{from + "-sales/quotes-api", to + "-conveyor/conveyor-postgres", postgres, tcp, false},
			reach{from + "-claims/payments-handler", to + "-conveyor/conveyor-pubsub-emulator", pubsubEmu, tcp, false},
			reach{from + "-conveyor/quotes-database-setup", to + "-conveyor/conveyor-postgres", postgres, tcp, false},
			reach{from + "-claims/claims-api", to + "-sales/quotes-api", apiPort, tcp, false},
		)
	}
	check(t, c, rows)
}

// check asks the engine about every row, logs the table, and fails on every row the engine
// answers otherwise, with the policies that decided.
func check(t *testing.T, c *cluster, rows []reach) {
	t.Helper()
	if len(c.policies) == 0 {
		t.Fatal("the environments render no network policy")
	}
	var table strings.Builder
	connects := 0
	for _, r := range rows {
		got, why := c.allows(t, r.from, r.to, r.port, r.protocol)
		verdict := map[bool]string{true: "connects", false: "refused"}
		fmt.Fprintf(&table, "%-40s -> %-42s %5d/%s  %s\n", r.from, r.to, r.port, r.protocol, verdict[got])
		if got != r.want {
			t.Errorf("%s -> %s %d/%s %s, want it %s:\n%s", r.from, r.to, r.port, r.protocol, verdict[got], verdict[r.want], why)
		}
		if r.want {
			connects++
		}
	}
	if connects == 0 || connects == len(rows) {
		t.Fatalf("a table that only allows or only refuses proves nothing")
	}
	t.Logf("%d policies, %d pairs:\n%s", len(c.policies), len(rows), table.String())
}
