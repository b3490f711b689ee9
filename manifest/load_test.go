package manifest

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
)

// The files every malformed case is loaded beside, so that only the case's own mistake is
// wrong with the catalog.
const (
	spaceFile    = "space: sales\nteam: sales@example.com\n"
	producerFile = "module: policies\nspace: sales\npublishes: [policy-issued]\ncomponents:\n  api:\n    image: ghcr.io/acme/policies:1.0.0\n"
)

func parseCase(files map[string]string) (*Catalog, error) {
	sources := []Source{{"space.conveyor.yaml", []byte(spaceFile)}, {"policies.conveyor.yaml", []byte(producerFile)}}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		sources = append(sources, Source{name, []byte(files[name])})
	}
	return Parse(sources)
}

// want is one expected error: its exact place and field, and a part of its message.
type want struct {
	at      string // "file:line:col"
	field   string
	message string
}

func TestMalformedManifests(t *testing.T) {
	const m = "m.conveyor.yaml"
	api := "components:\n  api:\n    image: ghcr.io/acme/quotes:1.0.0\n"
	tests := []errorCase{
		{"unknown top-level key", map[string]string{m: "module: quotes\nspace: sales\ndatabse: true\n" + api},
			[]want{{m + ":3:1", "databse", `unknown field, did you mean "database"?`}}},
		{"wrong type", map[string]string{m: "module: quotes\nspace: sales\ndatabase: yes-please\n" + api},
			[]want{{m + ":3:11", "database", `must be true, false or a mapping (seed: ...), not "yes-please"`}}},
		{"invalid module name", map[string]string{m: "module: Quote-Engine\nspace: sales\n" + api},
			[]want{{m + ":1:9", "module", `module name "Quote-Engine" must be one lowercase word`}}},
		{"module name too long even before the environment prefix", map[string]string{m: "module: " + strings.Repeat("q", 21) + "\nspace: sales\n" + api},
			[]want{{m + ":1:9", "module", "is 21 characters; at most 20"}}},
		{"undeclared space", map[string]string{m: "module: quotes\nspace: marketing\n" + api},
			[]want{{m + ":2:8", "space", `space "marketing" is not declared; add a space file`}}},
		{"unknown component field", map[string]string{m: "module: quotes\nspace: sales\n" + api + "    prot: 8080\n"},
			[]want{{m + ":6:5", "components.api.prot", `unknown field, did you mean "port"?`}}},
		{"port out of range", map[string]string{m: "module: quotes\nspace: sales\n" + api + "    port: 70000\n"},
			[]want{{m + ":6:11", "components.api.port", "must be between 1 and 65535"}}},
		{"port as a string", map[string]string{m: "module: quotes\nspace: sales\n" + api + "    port: \"8080\"\n"},
			[]want{{m + ":6:11", "components.api.port", `must be a whole number, not "8080"`}}},
		{"invalid cron schedule", map[string]string{m: "module: quotes\nspace: sales\ncomponents:\n  cron:\n    image: busybox:1.37.0\n    schedule: \"61 * * * *\"\n"},
			[]want{{m + ":6:15", "components.cron.schedule", `"61 * * * *" is not a valid cron schedule`}}},
		{"@every is not Kubernetes", map[string]string{m: "module: quotes\nspace: sales\ncomponents:\n  cron:\n    image: busybox:1.37.0\n    schedule: \"@every 5m\"\n"},
			[]want{{m + ":6:15", "components.cron.schedule", "Kubernetes does not support @every"}}},
		{"cron without schedule", map[string]string{m: "module: quotes\nspace: sales\ncomponents:\n  nightly:\n    kind: cron\n    image: busybox:1.37.0\n"},
			[]want{{m + ":4:3", "components.nightly.schedule", "a cron component needs a schedule"}}},
		{"invalid quantity", map[string]string{m: "module: quotes\nspace: sales\n" + api + "    resources:\n      limits: {cpu: 1.5cores}\n"},
			[]want{{m + ":7:21", "components.api.resources.limits.cpu", `"1.5cores" is not a valid quantity`}}},
		{"invalid image reference", map[string]string{m: "module: quotes\nspace: sales\ncomponents:\n  api:\n    image: ghcr.io/Acme/Quotes:1\n"},
			[]want{{m + ":5:12", "components.api.image", "is not a valid image reference"}}},
		{"image without a tag", map[string]string{m: "module: quotes\nspace: sales\ncomponents:\n  api:\n    image: ghcr.io/acme/quotes\n"},
			[]want{{m + ":5:12", "components.api.image", "has no tag or digest"}}},
		{"duplicate module", map[string]string{"a.conveyor.yaml": "module: quotes\nspace: sales\n" + api, "b.conveyor.yaml": "\nmodule: quotes\nspace: sales\n" + api},
			[]want{{"b.conveyor.yaml:2:9", "module", `module "quotes" is already defined in a.conveyor.yaml:1`}}},
		{"consumed event nobody publishes", map[string]string{m: "module: quotes\nspace: sales\nconsumes: [policies.policy-renewed]\n" + api},
			[]want{{m + ":3:12", "consumes[0]", `module policies does not publish "policy-renewed" (it publishes: policy-issued)`}}},
		{"consumed event of an unknown module", map[string]string{m: "module: quotes\nspace: sales\nconsumes:\n  - billing.invoice-sent\n" + api},
			[]want{{m + ":4:5", "consumes[0]", `there is no module "billing" in the catalog`}}},
		{"consumed event without a module", map[string]string{m: "module: quotes\nspace: sales\nconsumes: [policy-issued]\n" + api},
			[]want{{m + ":3:12", "consumes[0]", "must name an event as <module>.<event>"}}},
		{"handler for an event not consumed", map[string]string{m: "module: quotes\nspace: sales\ncomponents:\n  handler:\n    image: busybox:1.37.0\n    handles: [policies.policy-issued]\n"},
			[]want{{m + ":6:15", "components.handler.handles[0]", `handles "policies.policy-issued", which module quotes does not consume`}}},
		{"handler without events", map[string]string{m: "module: quotes\nspace: sales\ncomponents:\n  handler:\n    image: busybox:1.37.0\n"},
			[]want{{m + ":4:3", "components.handler", "a handler must list the consumed events it handles"}}},
		{"replicas and autoscaling", map[string]string{m: "module: quotes\nspace: sales\n" + api + "    replicas: 2\n    autoscaling: {min: 1, max: 3}\n"},
			[]want{{m + ":7:5", "components.api.autoscaling", "set either replicas or autoscaling, not both"}}},
		{"autoscaling range upside down", map[string]string{m: "module: quotes\nspace: sales\n" + api + "    autoscaling: {min: 4, max: 3}\n"},
			[]want{{m + ":6:32", "components.api.autoscaling.max", "must be at least min (4), not 3"}}},
		{"field of another kind", map[string]string{m: "module: quotes\nspace: sales\n" + api + "    schedule: \"0 * * * *\"\n"},
			[]want{{m + ":6:5", "components.api.schedule", "applies only to cron components, and api is an api component"}}},
		{"invalid config key", map[string]string{m: "module: quotes\nspace: sales\nconfig:\n  LOG LEVEL: debug\n" + api},
			[]want{{m + ":4:3", "config.LOG LEVEL", `"LOG LEVEL" is not a valid environment variable name`}}},
		{"reserved config key", map[string]string{m: "module: quotes\nspace: sales\n" + api + "    config:\n      CONVEYOR_ENVIRONMENT: x\n"},
			[]want{{m + ":7:7", "components.api.config.CONVEYOR_ENVIRONMENT", "set by Conveyor itself"}}},
		{"component without a kind", map[string]string{m: "module: quotes\nspace: sales\ncomponents:\n  worker:\n    image: busybox:1.37.0\n"},
			[]want{{m + ":4:3", "components.worker", `component "worker" needs a kind`}}},
		{"unknown kind", map[string]string{m: "module: quotes\nspace: sales\ncomponents:\n  worker:\n    kind: daemon\n    image: busybox:1.37.0\n"},
			[]want{{m + ":5:11", "components.worker.kind", `must be api, cron, handler or job, not "daemon"`}}},
		{"YAML syntax error", map[string]string{m: "module: quotes\nspace: sales\ncomponents: [\n"},
			[]want{{m + ":3:13", "", "invalid YAML: this '[' is never closed"}}},
		{"key set twice", map[string]string{m: "module: quotes\nspace: sales\n" + api + "    port: 8080\n    port: 8081\n"},
			[]want{{m + ":7:5", "components.api.port", "is set twice"}}},
		{"no components", map[string]string{m: "module: quotes\nspace: sales\n"},
			[]want{{m + ":1:1", "components", "a module needs at least one component"}}},
		{"two documents in a file", map[string]string{m: "module: quotes\nspace: sales\n" + api + "---\nmodule: other\n"},
			[]want{{m + ":6:1", "", "a manifest file holds one document"}}},
		{"space without a team, declared twice", map[string]string{"s.conveyor.yaml": "space: sales\n"},
			[]want{{"s.conveyor.yaml:1:1", "team", "a space needs its owning team's group"},
				{"s.conveyor.yaml:1:8", "space", `space "sales" is already declared in space.conveyor.yaml:1`}}},
		{"every error of a file is reported", map[string]string{m: "module: quotes\nspace: sales\ndatabase: 1\ncomponents:\n  api:\n    image: \"nope:\"\n    port: 0.5\n"},
			[]want{{m + ":3:11", "database", "must be true, false or a mapping"},
				{m + ":6:12", "components.api.image", "is not a valid image reference"},
				{m + ":7:11", "components.api.port", "must be a whole number"}}},
	}
	runErrorCases(t, tests)
}

// errorCase is a catalog's own files, loaded beside spaceFile and producerFile, and the
// errors they must give.
type errorCase struct {
	name  string
	files map[string]string
	want  []want
}

func runErrorCases(t *testing.T, cases []errorCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			cat, err := parseCase(tt.files)
			assertErrors(t, cat, err, tt.want)
		})
	}
}

// assertErrors checks that a parse failed with exactly the wanted errors, in order.
func assertErrors(t *testing.T, cat *Catalog, err error, wants []want) {
	t.Helper()
	if cat != nil {
		t.Errorf("a catalog with errors yielded a model")
	}
	errs, ok := err.(Errors)
	if !ok {
		t.Fatalf("got %T %v, want Errors", err, err)
	}
	if len(errs) != len(wants) {
		t.Fatalf("got %d errors, want %d:\n%v", len(errs), len(wants), errs)
	}
	for i, w := range wants {
		e := errs[i]
		if at := fmt.Sprintf("%s:%d:%d", e.File, e.Line, e.Column); at != w.at || e.Field != w.field {
			t.Errorf("error %d at %s field %q, want %s field %q (%v)", i, at, e.Field, w.at, w.field, e)
		}
		if !strings.Contains(e.Message, w.message) {
			t.Errorf("error %d message %q does not contain %q", i, e.Message, w.message)
		}
	}
}

func TestDemoCatalogLoads(t *testing.T) {
	cat, err := Load("../stacks/catalog")
	if err != nil {
		t.Fatalf("the demo catalog does not load:\n%v", err)
	}
	var spaces, modules []string
	for _, s := range cat.Spaces {
		spaces = append(spaces, s.Name)
	}
	for _, m := range cat.Modules {
		modules = append(modules, m.Name)
	}
	if got := strings.Join(spaces, ","); got != "claims,sales" {
		t.Errorf("spaces = %s", got)
	}
	if got := strings.Join(modules, ","); got != "claims,payments,policies,quotes" {
		t.Errorf("modules = %s", got)
	}
	kinds := map[string]bool{}
	for _, m := range cat.Modules {
		for _, c := range m.Components {
			kinds[c.Kind] = true
		}
	}
	for _, k := range []string{KindAPI, KindCron, KindHandler, KindJob} {
		if !kinds[k] {
			t.Errorf("the demo catalog has no %s component", k)
		}
	}
	api := cat.Module("quotes").Components["api"]
	if api.Probes.Readiness != "/readyz" || api.Resources.Requests.CPU != DefaultCPURequest {
		t.Errorf("defaults not applied or manifest values lost: %+v %+v", api.Probes, api.Resources.Requests)
	}
}

func TestResolveConfigRemembersTheLevel(t *testing.T) {
	cat, err := Load("../stacks/catalog")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Setting{}
	for _, s := range cat.ResolveConfig(cat.Module("claims"), "coverage") {
		got[s.Key] = s
	}
	tests := []struct {
		key, value string
		level      Level
		file       string
		line       int
		overridden int
	}{
		{"LOG_FORMAT", "json", LevelSpace, "claims/space.conveyor.yaml", 8, 0},
		{"LOG_LEVEL", "warn", LevelModule, "claims/claims.conveyor.yaml", 8, 1},
	}
	for _, tt := range tests {
		s, ok := got[tt.key]
		if !ok {
			t.Errorf("%s not resolved", tt.key)
			continue
		}
		if s.Value != tt.value || s.Level != tt.level || !strings.HasSuffix(s.File, tt.file) || s.Line != tt.line || len(s.Overrides) != tt.overridden {
			t.Errorf("%s = %+v, want %s from the %s level at %s:%d overriding %d", tt.key, s, tt.value, tt.level, tt.file, tt.line, tt.overridden)
		}
	}
	if len(got) != 2 {
		t.Errorf("resolved %d keys, want 2: %v", len(got), got)
	}
	// A component's own config wins over its module's and space's.
	for _, s := range cat.ResolveConfig(cat.Module("policies"), "issuer") {
		if s.Key == "LOG_LEVEL" && (s.Value != "debug" || s.Level != LevelComponent) {
			t.Errorf("LOG_LEVEL for policies/issuer = %+v, want debug from the component", s)
		}
	}
}
