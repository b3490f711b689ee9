package manifest

import "testing"

// Anchors, aliases and merge keys are standard YAML that people use to avoid repeating
// themselves; the loader resolves them as any YAML tool would.
func TestAnchorsAliasesAndMergeKeys(t *testing.T) {
	text := `module: quotes
space: sales
consumes: [policies.policy-issued]
x-image: &img ghcr.io/acme/quotes:1.4.2
x-sized: &sized
  resources:
    requests: {cpu: 200m}
x-logged: &logged
  config: {LOG_LEVEL: debug}
  resources:
    requests: {cpu: 300m}
config: &shared
  REGION: eu
components:
  api:
    <<: [*sized, *logged]
    image: *img
    port: 8080
  events:
    <<: *logged
    kind: handler
    image: *img
    handles: [policies.policy-issued]
    config: *shared
`
	cat, err := parseCase(map[string]string{"m.conveyor.yaml": text})
	if err != nil {
		t.Fatalf("standard YAML is refused:\n%v", err)
	}
	m := cat.Module("quotes")
	api, events := m.Components["api"], m.Components["events"]
	if api.Image != "ghcr.io/acme/quotes:1.4.2" || events.Image != api.Image {
		t.Errorf("aliased images: api %q, events %q", api.Image, events.Image)
	}
	// The first mapping of a merge list wins, as the merge key's specification says.
	if got := api.Resources.Requests.CPU; got != "200m" {
		t.Errorf("api requests.cpu = %s, want 200m from the first merged mapping", got)
	}
	if api.Config["LOG_LEVEL"] != "debug" {
		t.Errorf("api config = %v, want LOG_LEVEL from the merged mapping", api.Config)
	}
	// A key written beside the merge key overrides the merged one.
	if events.Kind != KindHandler || events.Config["REGION"] != "eu" || events.Config["LOG_LEVEL"] != "" {
		t.Errorf("events = kind %q config %v, want a handler with the shared config only", events.Kind, events.Config)
	}
	if got := events.Resources.Requests.CPU; got != "300m" {
		t.Errorf("events requests.cpu = %s, want 300m", got)
	}
}

// An error inside a value that comes from an anchor is reported where the value is used,
// since that is the field that is wrong, and it names the anchor the value came from.
func TestErrorsInAliasedValuesPointAtTheUse(t *testing.T) {
	const m = "m.conveyor.yaml"
	tests := []struct {
		name string
		text string
		want []want
	}{
		{"a merged mapping", "module: quotes\nspace: sales\nx-base: &base\n  image: ghcr.io/acme/quotes\ncomponents:\n  api:\n    <<: *base\n",
			[]want{{m + ":7:9", "components.api.image", "&base"}}},
		{"an aliased scalar", "module: quotes\nspace: sales\nx-image: &img ghcr.io/acme/quotes\ncomponents:\n  api:\n    image: *img\n",
			[]want{{m + ":6:12", "components.api.image", "has no tag or digest"}}},
		{"an unknown field in a merged mapping", "module: quotes\nspace: sales\nx-base: &base {image: ghcr.io/acme/quotes:1.0.0, prot: 80}\ncomponents:\n  api:\n    <<: *base\n",
			[]want{{m + ":6:9", "components.api.prot", "unknown field"}}},
		{"an alias inside its own anchor", "module: quotes\nspace: sales\npublishes: &p [*p]\ncomponents:\n  api:\n    image: ghcr.io/acme/quotes:1.0.0\n",
			[]want{{m + ":3:16", "publishes[0]", "*p"}}},
		{"an unknown top-level field", "module: quotes\nspace: sales\nbase: &base {image: ghcr.io/acme/quotes:1.0.0}\ncomponents:\n  api: *base\n",
			[]want{{m + ":3:1", "base", "x-"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cat, err := parseCase(map[string]string{m: tt.text})
			assertErrors(t, cat, err, tt.want)
		})
	}
}
