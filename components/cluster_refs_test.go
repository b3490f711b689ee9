package components_test

import (
	"testing"

	"github.com/conveyor-paas/conveyor/evaluation"
)

// TestGKEClusterReferences: every resource of a GKE cluster refers to the right other one,
// by the right handle (an id where GCP wants a resource path, a name where it wants a
// name). The simulated ids are the providers' formats and never a logical name, so a
// reference to the wrong resource, or a name in place of an id, shows here.
func TestGKEClusterReferences(t *testing.T) {
	rec := gkeCluster(t, true)
	network := must(t, rec, "gcp:compute/network:Network", "conveyor-prod")
	subnet := must(t, rec, "gcp:compute/subnetwork:Subnetwork", "conveyor-prod-europe-west1")
	router := must(t, rec, "gcp:compute/router:Router", "conveyor-prod-router")
	address := must(t, rec, "gcp:compute/globalAddress:GlobalAddress", "conveyor-prod-private-services")
	cluster := must(t, rec, "gcp:container/cluster:Cluster", "conveyor-prod")
	account := must(t, rec, "gcp:serviceaccount/account:Account", "conveyor-prod-nodes")
	email := "conveyor-prod-nodes@acme-prod.iam.gserviceaccount.com"
	if network.ID != "projects/acme-prod/global/networks/conveyor-prod" {
		t.Fatalf("the simulated network id is %q, not the provider's format", network.ID)
	}
	tests := []struct {
		r    *evaluation.Resource
		path string
		want string
	}{
		{subnet, "network", network.ID},
		{router, "network", network.ID},
		{address, "network", network.ID},
		{must(t, rec, "gcp:servicenetworking/connection:Connection", "conveyor-prod-private-services"), "network", network.ID},
		{must(t, rec, "gcp:servicenetworking/connection:Connection", "conveyor-prod-private-services"), "reservedPeeringRanges[0]", str(address, "name")},
		{cluster, "network", network.ID},
		{cluster, "subnetwork", subnet.ID},
		{must(t, rec, "gcp:sql/databaseInstance:DatabaseInstance", "conveyor-prod-pg"), "settings.ipConfiguration.privateNetwork", network.ID},
		{must(t, rec, "gcp:compute/routerNat:RouterNat", "conveyor-prod-nat"), "router", str(router, "name")},
		{must(t, rec, "gcp:container/nodePool:NodePool", "conveyor-prod-general"), "cluster", str(cluster, "name")},
		{must(t, rec, "gcp:container/nodePool:NodePool", "conveyor-prod-general"), "nodeConfig.serviceAccount", email},
		{must(t, rec, "gcp:projects/iAMMember:IAMMember", "conveyor-prod-nodes-roles/logging.logWriter"), "member", "serviceAccount:" + email},
	}
	for _, tt := range tests {
		if got := str(tt.r, tt.path); got != tt.want {
			t.Errorf("%s %s %s = %q, want %q", tt.r.Type, tt.r.Name, tt.path, got, tt.want)
		}
	}
	if str(account, "accountId") != "conveyor-prod-nodes" {
		t.Errorf("node account id = %q", str(account, "accountId"))
	}
}
