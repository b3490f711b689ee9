package manifest

import "testing"

// What Kubernetes would reject when it applies the objects is rejected when the catalog loads:
// a request above its limit, a space's LimitRange that contradicts itself or the platform's
// defaults, and a component's resources outside its space's maximum.
func TestResourcesKubernetesWouldReject(t *testing.T) {
	const m, s = "m.conveyor.yaml", "s.conveyor.yaml"
	head := "module: quotes\nspace: claims\n"
	api := "components:\n  api:\n    image: ghcr.io/acme/quotes:1.0.0\n"
	space := "space: claims\nteam: claims@example.com\n"
	tests := []errorCase{
		{"a request above its limit", map[string]string{s: space, m: head + api + "    resources:\n      requests: {cpu: \"2\"}\n      limits: {cpu: \"1\"}\n"},
			[]want{{m + ":7:23", "components.api.resources.requests.cpu", "above the limit 1"}}},
		{"a request above the default limit", map[string]string{s: space, m: head + api + "    resources:\n      requests: {memory: 512Mi}\n"},
			[]want{{m + ":7:26", "components.api.resources.requests.memory", "256Mi"}}},
		{"a request above the space's default limit", map[string]string{
			s: space + "limits:\n  default: {cpu: 300m}\n",
			m: head + api + "    resources:\n      requests: {cpu: 400m}\n"},
			[]want{{m + ":7:23", "components.api.resources.requests.cpu", s}}},
		{"a space maximum below the platform's default limit", map[string]string{s: space + "limits:\n  max: {memory: 128Mi}\n", m: head + api},
			[]want{{s + ":4:17", "limits.max.memory", "256Mi"}}},
		{"a space default limit below the default request", map[string]string{s: space + "limits:\n  defaultRequest: {cpu: 500m}\n  default: {cpu: 200m}\n", m: head + api},
			[]want{{s + ":5:18", "limits.default.cpu", "500m"}}},
		{"a space default limit below the platform's default request", map[string]string{s: space + "limits:\n  default: {cpu: 50m}\n", m: head + api},
			[]want{{s + ":4:18", "limits.default.cpu", "100m"}}},
		{"a component limit above its space's maximum", map[string]string{
			s: space + "limits:\n  max: {cpu: \"1\"}\n",
			m: head + api + "    resources:\n      limits: {cpu: \"2\"}\n"},
			[]want{{m + ":7:21", "components.api.resources.limits.cpu", s}}},
	}
	runErrorCases(t, tests)
}

// A component that sets no resources gets its space's container defaults, so a space whose
// maximum is below the platform's defaults can still run components that say nothing.
func TestComponentsTakeTheirSpaceDefaults(t *testing.T) {
	space := "space: claims\nteam: claims@example.com\nlimits:\n  defaultRequest: {memory: 64Mi}\n  default: {memory: 128Mi}\n  max: {memory: 128Mi}\n"
	module := "module: quotes\nspace: claims\ncomponents:\n  api:\n    image: ghcr.io/acme/quotes:1.0.0\n    resources:\n      limits: {cpu: 50m}\n"
	cat, err := parseCase(map[string]string{"s.conveyor.yaml": space, "m.conveyor.yaml": module})
	if err != nil {
		t.Fatalf("a component within its space's limits is refused:\n%v", err)
	}
	r := cat.Module("quotes").Components["api"].Resources
	got := []Quantity{r.Requests.CPU, r.Requests.Memory, r.Limits.CPU, r.Limits.Memory}
	// The request left out never exceeds the component's own limit (50m, not the 100m default).
	want := []Quantity{"50m", "64Mi", "50m", "128Mi"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("resources = %v, want %v", got, want)
			break
		}
	}
}
