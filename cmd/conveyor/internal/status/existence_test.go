package status

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/conveyor-paas/conveyor/tests/harness"
)

// cloudSQLDouble is a test double of the Cloud SQL Admin API's databases.get, which cannot
// run here: it knows one database of one instance, and answers 404 for any other.
func cloudSQLDouble(t *testing.T, project, instance, database string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/projects/"+project+"/instances/"+instance+"/databases/"+database {
			_, _ = w.Write([]byte(`{"kind": "sql#database", "name": "` + database + `"}`))
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestCloudExistence asks the real Pub/Sub emulator whether topics and subscriptions exist
// (after creating some of them as the program would on GCP), and the Cloud SQL double
// whether databases do; an API that cannot be asked is unknown, not missing.
func TestCloudExistence(t *testing.T) {
	ps := harness.PubSubForTest(t)
	base := "http://" + ps.Host
	put := func(path, body string) {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPut, base+"/v1/projects/"+ps.Project+"/"+path, bytes.NewBufferString(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("PUT %s: %s", path, resp.Status)
		}
	}
	put("topics/dev.shop.orders.order-placed", "{}")
	put("subscriptions/dev.shop.billing.from.shop.orders.order-placed", `{"topic": "projects/`+ps.Project+`/topics/dev.shop.orders.order-placed"}`)

	sql := cloudSQLDouble(t, ps.Project, "conveyor-nonprod", "dev_orders")
	ex := CloudExistence{
		Project: ps.Project, SQLInstance: "conveyor-nonprod",
		SQLAdmin: API{URL: sql.URL, HTTP: http.DefaultClient},
		PubSub:   API{URL: base, HTTP: http.DefaultClient},
	}
	db, topics, subs := ex.Check(t.Context(), DesiredModule{
		Name: "orders", Database: "dev_orders",
		Topics:        []string{"dev.shop.orders.order-placed", "dev.shop.orders.order-shipped"},
		Subscriptions: []string{"dev.shop.billing.from.shop.orders.order-placed"},
	}, nil)
	if db == nil || db.State != Exists || !strings.Contains(db.How, "Cloud SQL instance conveyor-nonprod") {
		t.Errorf("database: %+v", db)
	}
	if len(topics) != 2 || topics[0].State != Exists || topics[1].State != Absent {
		t.Errorf("topics: %+v; want the first to exist and the second missing", topics)
	}
	if len(subs) != 1 || subs[0].State != Exists {
		t.Errorf("subscriptions: %+v", subs)
	}

	db, _, _ = ex.Check(t.Context(), DesiredModule{Name: "carts", Database: "dev_carts"}, nil)
	if db.State != Absent {
		t.Errorf("a database the instance lacks: %+v", db)
	}

	// A server that refuses (no credentials, no permission) is not an answer.
	refusing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "forbidden", http.StatusForbidden)
	}))
	defer refusing.Close()
	ex.SQLAdmin.URL = refusing.URL
	db, _, _ = ex.Check(t.Context(), DesiredModule{Name: "orders", Database: "dev_orders"}, nil)
	if db.State != Unknown || !strings.Contains(db.How, "403") {
		t.Errorf("a refused question: %+v", db)
	}
}
