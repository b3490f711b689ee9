package deployed

import "testing"

func TestOverlay(t *testing.T) {
	base := Images{"quotes": {"api": "q:1", "cron": "q:1"}, "claims": {"api": "c:1"}}
	tests := []struct {
		name string
		req  Images
		want Images
	}{
		{"nothing", nil, base},
		{"one component", Images{"quotes": {"api": "q:2"}}, Images{"quotes": {"api": "q:2", "cron": "q:1"}, "claims": {"api": "c:1"}}},
		{"a new module", Images{"policies": {"api": "p:1"}}, Images{"quotes": {"api": "q:1", "cron": "q:1"}, "claims": {"api": "c:1"}, "policies": {"api": "p:1"}}},
		{"empty removes", Images{"claims": {"api": ""}, "quotes": {"cron": ""}}, Images{"quotes": {"api": "q:1"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := base.Overlay(tt.req); !got.Equal(tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	if base["quotes"]["api"] != "q:1" {
		t.Errorf("Overlay changed its receiver: %v", base)
	}
}

func TestLookup(t *testing.T) {
	l := Layers{Seed: Images{"quotes": {"api": "seed:1", "cron": "seed:1"}}, Deployed: Images{"quotes": {"api": "dep:2"}}}
	tests := []struct {
		component, want string
		src             Source
	}{
		{"api", "dep:2", FromDeployed},
		{"cron", "seed:1", FromStackFile},
		{"worker", "manifest:0", FromManifest},
	}
	for _, tt := range tests {
		if img, src := l.Lookup("quotes", tt.component, "manifest:0"); img != tt.want || src != tt.src {
			t.Errorf("%s: %s from %s, want %s from %s", tt.component, img, src, tt.want, tt.src)
		}
	}
	if got := l.Images(); !got.Equal(Images{"quotes": {"api": "dep:2", "cron": "seed:1"}}) {
		t.Errorf("Images() = %v", got)
	}
}
