package manifest

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The jobs of a component's release are the module's jobs of the same repository, whatever
// their tag or digest; a job of another image, the component itself, and a long-running
// component of the same image are not.
func TestReleaseJobs(t *testing.T) {
	m := &Module{Name: "quotes", Components: map[string]*Component{
		"api":      {Kind: KindAPI, Image: "ghcr.io/acme/quotes:1.0.0"},
		"worker":   {Kind: KindHandler, Image: "ghcr.io/acme/quotes:1.0.0"},
		"migrate":  {Kind: KindJob, Image: "ghcr.io/acme/quotes:0.9.0"},
		"backfill": {Kind: KindJob, Image: "ghcr.io/acme/quotes@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"},
		"announce": {Kind: KindJob, Image: "busybox:1.37.0"},
		"other":    {Kind: KindJob, Image: "ghcr.io/acme/quotes-tools:1.0.0"},
	}}
	tests := []struct {
		component string
		want      []string
	}{
		{"api", []string{"backfill", "migrate"}},
		{"worker", []string{"backfill", "migrate"}},
		{"migrate", []string{"backfill"}},
		{"announce", nil},
		{"missing", nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, m.ReleaseJobs(tt.component)); diff != "" {
			t.Errorf("ReleaseJobs(%s) (-want +got):\n%s", tt.component, diff)
		}
	}
}
