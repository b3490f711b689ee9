package stackops

import (
	"strings"
	"testing"

	"github.com/conveyor-paas/conveyor/stacks/deployed"
)

func TestPinnedForProduction(t *testing.T) {
	digest := "quotes:7@sha256:" + strings.Repeat("7", 64)
	for _, tt := range []struct {
		name, env string
		request   deployed.Images
		refused   string // what the refusal names; empty when allowed
	}{
		{"a digest to prod", "prod", deployed.Images{"quotes": {"api": digest}}, ""},
		{"a tag to prod", "prod", deployed.Images{"quotes": {"api": "quotes:7"}}, "quotes/api quotes:7"},
		{"back to the manifest's image in prod", "prod", deployed.Images{"quotes": {"api": ""}}, "quotes/api (the stack file's or manifest's image)"},
		{"a tag to staging", "staging", deployed.Images{"quotes": {"api": "quotes:7"}}, ""},
	} {
		err := pinnedForProduction(tt.env, tt.request)
		switch {
		case tt.refused == "" && err != nil:
			t.Errorf("%s: refused: %v", tt.name, err)
		case tt.refused != "" && (!IsRefused(err) || !strings.Contains(err.Error(), tt.refused)):
			t.Errorf("%s: %v, want a refusal naming %q", tt.name, err, tt.refused)
		}
	}
}
