package components_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/conveyor-paas/conveyor/evaluation/evaluationtest"
)

// The cluster stack makes the admin the environments' setup jobs connect as, the one Cloud SQL
// user, whose password is a secret; and the DNS zone that sends Google APIs to Private Google
// Access, where the pods' egress policy lets them go.
func TestClusterWalls(t *testing.T) {
	rec := gkeCluster(t, true)
	users := evaluationtest.OfType(rec, typeSQLUser)
	if len(users) != 1 {
		t.Fatalf("%d Cloud SQL users, want only the admin", len(users))
	}
	admin := &users[0]
	if str(admin, "name") != "conveyor_admin" || str(admin, "instance") != "conveyor-prod-pg" || !admin.Protect {
		t.Errorf("admin user %v (protected %v)", admin.Inputs, admin.Protect)
	}
	if !isSecret(admin, "password") {
		t.Errorf("the admin's password is not a secret")
	}
	zone := must(t, rec, "gcp:dns/managedZone:ManagedZone", "conveyor-prod-googleapis")
	if str(zone, "dnsName") != "googleapis.com." || str(zone, "visibility") != "private" ||
		str(zone, "privateVisibilityConfig.networks[0].networkUrl") != "projects/acme-prod/global/networks/conveyor-prod" {
		t.Errorf("zone %v", zone.Inputs)
	}
	a := must(t, rec, "gcp:dns/recordSet:RecordSet", "conveyor-prod-googleapis/private.googleapis.com.")
	var addresses []string
	for i := 0; i < 5; i++ {
		if v, ok := lookupString(a, fmt.Sprintf("rrdatas[%d]", i)); ok {
			addresses = append(addresses, v)
		}
	}
	if got := strings.Join(addresses, " "); got != "199.36.153.8 199.36.153.9 199.36.153.10 199.36.153.11" {
		t.Errorf("private.googleapis.com resolves to %s", got)
	}
	cname := must(t, rec, "gcp:dns/recordSet:RecordSet", "conveyor-prod-googleapis/*.googleapis.com.")
	if got, _ := lookupString(cname, "rrdatas[0]"); got != "private.googleapis.com." || str(cname, "type") != "CNAME" {
		t.Errorf("*.googleapis.com is %s %q", str(cname, "type"), got)
	}
}
