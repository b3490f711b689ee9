package secretmanager

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// apiDouble is a test double of Secret Manager's REST API: the calls the client makes, with
// the answers and errors the real API documents (404 for a missing secret, 409 for one that
// exists, 400 FAILED_PRECONDITION for a version destroyed already).
type apiDouble struct {
	mu      sync.Mutex
	secrets map[string]*doubleSecret // by "projects/p/secrets/id"
}

type doubleSecret struct {
	labels      map[string]string
	replication map[string]any
	versions    []string // states, oldest first
	payloads    []string
}

func (d *apiDouble) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	d.mu.Lock()
	defer d.mu.Unlock()
	fail := func(code int, msg string) {
		w.WriteHeader(code)
		fmt.Fprintf(w, `{"error":{"code":%d,"message":%q}}`, code, msg)
	}
	p := strings.TrimPrefix(r.URL.Path, "/v1/")
	switch {
	case r.Method == http.MethodPost && strings.HasSuffix(p, "/secrets"):
		name := p + "/" + r.URL.Query().Get("secretId")
		if d.secrets[name] != nil {
			fail(409, "Secret ["+name+"] already exists.")
			return
		}
		var body struct {
			Labels      map[string]string `json:"labels"`
			Replication map[string]any    `json:"replication"`
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		d.secrets[name] = &doubleSecret{labels: body.Labels, replication: body.Replication}
		fmt.Fprintf(w, `{"name":%q}`, name)
	case r.Method == http.MethodPost && strings.HasSuffix(p, ":addVersion"):
		s := d.secrets[strings.TrimSuffix(p, ":addVersion")]
		if s == nil {
			fail(404, "not found")
			return
		}
		var body struct {
			Payload struct{ Data string } `json:"payload"`
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		data, _ := base64.StdEncoding.DecodeString(body.Payload.Data)
		s.versions = append(s.versions, "ENABLED")
		s.payloads = append(s.payloads, string(data))
		fmt.Fprintf(w, `{"name":"%s/versions/%d","state":"ENABLED","createTime":"2026-12-07T09:00:00Z"}`, strings.TrimSuffix(p, ":addVersion"), len(s.versions))
	case r.Method == http.MethodGet && strings.HasSuffix(p, "/versions"):
		name := strings.TrimSuffix(p, "/versions")
		s := d.secrets[name]
		if s == nil {
			fail(404, "not found")
			return
		}
		var vs []string
		for i := len(s.versions) - 1; i >= 0; i-- {
			vs = append(vs, fmt.Sprintf(`{"name":"%s/versions/%d","state":%q,"createTime":"2026-12-07T09:00:00Z"}`, name, i+1, s.versions[i]))
		}
		fmt.Fprintf(w, `{"versions":[%s]}`, strings.Join(vs, ","))
	case r.Method == http.MethodPost && strings.HasSuffix(p, ":destroy"):
		name, n, _ := strings.Cut(strings.TrimSuffix(p, ":destroy"), "/versions/")
		s := d.secrets[name]
		i, _ := strconv.Atoi(n) // not a number: 0, not found below
		if s == nil || i < 1 || i > len(s.versions) {
			fail(404, "not found")
			return
		}
		if s.versions[i-1] == "DESTROYED" {
			fail(400, "FAILED_PRECONDITION")
			return
		}
		s.versions[i-1], s.payloads[i-1] = "DESTROYED", ""
		fmt.Fprint(w, `{}`)
	default:
		fail(400, "unexpected "+r.Method+" "+r.URL.Path)
	}
}

func TestClientAgainstTheAPI(t *testing.T) {
	double := &apiDouble{secrets: map[string]*doubleSecret{}}
	server := httptest.NewServer(double)
	defer server.Close()
	c := &Client{URL: server.URL, HTTP: server.Client()}
	ctx := context.Background()

	if v, err := c.Versions(ctx, "acme", "dev-quotes-API_KEY"); err != nil || v != nil {
		t.Fatalf("versions of a missing secret: %v, %v", v, err)
	}
	labels := map[string]string{"conveyor-module": "quotes"}
	for i, value := range []string{"first", "second"} {
		v, err := c.AddVersion(ctx, "acme", "dev-quotes-API_KEY", labels, []byte(value))
		if err != nil {
			t.Fatal(err)
		}
		if v.ID != fmt.Sprint(i+1) || !v.Enabled {
			t.Errorf("version %d: %+v", i+1, v)
		}
	}
	s := double.secrets["projects/acme/secrets/dev-quotes-API_KEY"]
	if diff := cmp.Diff(labels, s.labels); diff != "" {
		t.Errorf("labels (-want +got):\n%s", diff)
	}
	if _, ok := s.replication["automatic"]; !ok {
		t.Errorf("replication %v, want automatic as the stack declares", s.replication)
	}
	if diff := cmp.Diff([]string{"first", "second"}, s.payloads); diff != "" {
		t.Errorf("payloads (-want +got):\n%s", diff)
	}
	versions, err := c.Versions(ctx, "acme", "dev-quotes-API_KEY")
	if err != nil || len(versions) != 2 || versions[0].ID != "2" {
		t.Fatalf("versions: %+v, %v", versions, err)
	}
	if err := c.DestroyVersions(ctx, "acme", "dev-quotes-API_KEY"); err != nil {
		t.Fatal(err)
	}
	if err := c.DestroyVersions(ctx, "acme", "dev-quotes-API_KEY"); err != nil {
		t.Fatalf("destroying again: %v", err)
	}
	versions, _ = c.Versions(ctx, "acme", "dev-quotes-API_KEY")
	for _, v := range versions {
		if v.Enabled {
			t.Errorf("version %s is still enabled", v.ID)
		}
	}
	if diff := cmp.Diff([]string{"", ""}, s.payloads); diff != "" {
		t.Errorf("payloads after destroy (-want +got):\n%s", diff)
	}
}
