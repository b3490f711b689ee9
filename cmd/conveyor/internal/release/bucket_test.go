package release_test

import (
	"context"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"google.golang.org/api/option"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/release"
)

// fakeGCS is a test double of Cloud Storage's JSON API, just the two calls a Bucket makes (a
// media download and a multipart upload), since no Cloud Storage runs here.
type fakeGCS struct {
	mu      sync.Mutex
	objects map[string][]byte // "<bucket>/<object>"
}

func (f *fakeGCS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/storage/v1/b/"):
		bucket, object, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/storage/v1/b/"), "/o/")
		data, ok := f.objects[bucket+"/"+object]
		if !ok {
			http.Error(w, `{"error":{"code":404,"message":"No such object"}}`, http.StatusNotFound)
			return
		}
		_, _ = w.Write(data)
	case r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/upload/storage/v1/b/"):
		bucket := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/upload/storage/v1/b/"), "/o")
		_, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		parts := multipart.NewReader(r.Body, params["boundary"])
		meta, err := parts.NextPart()
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		metadata, _ := io.ReadAll(meta)
		media, err := parts.NextPart()
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		data, _ := io.ReadAll(media)
		name := between(string(metadata), `"name":"`, `"`)
		f.objects[bucket+"/"+name] = data
		_, _ = w.Write(metadata)
	default:
		http.Error(w, "not a call a Bucket makes: "+r.Method+" "+r.URL.Path, http.StatusNotImplemented)
	}
}

func between(s, start, end string) string {
	_, rest, _ := strings.Cut(s, start)
	v, _, _ := strings.Cut(rest, end)
	return v
}

// TestBucketKeepsRecords writes a record to a bucket and reads it back.
func TestBucketKeepsRecords(t *testing.T) {
	ctx := context.Background()
	gcs := &fakeGCS{objects: map[string][]byte{}}
	srv := httptest.NewServer(gcs)
	t.Cleanup(srv.Close)
	store, err := release.OpenBucket(ctx, "gs://acme-releases/conveyor",
		option.WithEndpoint(srv.URL+"/storage/v1/"), option.WithoutAuthentication())
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(ctx, t, store)
	if _, ok := gcs.objects["acme-releases/conveyor/staging.json"]; !ok {
		t.Errorf("objects written: %v, want acme-releases/conveyor/staging.json", keys(gcs.objects))
	}
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
