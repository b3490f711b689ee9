package manifest

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"

	goyaml "github.com/goccy/go-yaml"
	validator "github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"
)

// Examples of every shape, valid and not. Every shape must have both: a shape added without
// them fails TestShapesAgreeWithTheirSchema.
var shapeExamples = map[string]struct{ valid, invalid, loaderOnly []string }{
	shapeModule: {
		valid:   []string{"quotes", "q2"},
		invalid: []string{"Quotes", "quote-engine", "quote_engine", "1quotes", strings.Repeat("q", 21)},
	},
	shapeSpace: {
		valid:   []string{"sales", "claims2"},
		invalid: []string{"Sales", "customer-care", "conveyor", strings.Repeat("s", 21)},
	},
	shapeComponent: {
		valid:   []string{"api", "nightly-report"},
		invalid: []string{"API", "nightly_report", "-api", "a--b", strings.Repeat("c", 21)},
	},
	shapeEvent: {
		valid:   []string{"quote-accepted", "e1"},
		invalid: []string{"QuoteAccepted", "quote_accepted", "quote-", strings.Repeat("e", 41)},
	},
	shapeEventRef: {
		valid: []string{"policies.policy-issued", strings.Repeat("p", 20) + "." + strings.Repeat("e", 40)},
		invalid: []string{"policy-issued", "policies.", ".policy-issued", "Policies.policy-issued", "policies.policy.issued",
			"pol-icies.issued", strings.Repeat("p", 21) + ".e", "p." + strings.Repeat("e", 41)},
	},
	shapeEnvVar: {
		valid: []string{"LOG_LEVEL", "_X", "log_level2"},
		invalid: []string{"LOG-LEVEL", "log.level", "1X", "LOG LEVEL", "",
			"DATABASE_URL", "GOOGLE_CLOUD_PROJECT", "PUBSUB_EMULATOR_HOST", "CONVEYOR_MODULE", "DATABASE_POOL"},
	},
	shapeQuantity: {
		valid:   []string{"250m", "1", "512Mi", "1.5", "0.5", ".5", "1e3", "2Gi", "100u", "1k"},
		invalid: []string{"-500m", "+1", "0", "0Mi", "0.0", "1.5cores", "1.2.3", ".", "", "1e", "lots", "1 Gi"},
	},
	shapeImage: {
		valid: []string{"busybox:1.37.0", "ghcr.io/acme/quotes:1.4.2", "localhost:5000/quotes:1",
			"ghcr.io/acme/quotes@sha256:" + strings.Repeat("a", 64), "quotes:1@sha256:" + strings.Repeat("0", 64)},
		invalid: []string{"ghcr.io/acme/quotes", "ghcr.io/Acme/Quotes:1", "nope:", "a b:1", "", "quotes@sha256:xyz"},
		// A repository name is at most 255 characters.
		loaderOnly: []string{strings.Repeat("a", 256) + ":1"},
	},
	shapeSchedule: {
		valid:   []string{"*/15 * * * *", "@daily", "0 3 * * 1-5", "@hourly"},
		invalid: []string{"@every 5m", "* * *", "TZ=UTC 0 * * * *", "", "@reboot"},
		// The fields' ranges are more than a regular expression states legibly.
		loaderOnly: []string{"61 * * * *", "* * 32 * *", "0 3 * * mon-xyz"},
	},
	shapePath: {
		valid:   []string{"/healthz", "/", "/ready?full=1"},
		invalid: []string{"healthz", "/a b", ""},
	},
	shapeNonBlank: {
		valid:   []string{"team@example.com", "x"},
		invalid: []string{"", "   "},
	},
	shapeColumn: {
		valid:   []string{"customers.email", "public.customers.email", "_t.c1", "sales_2024.customers.phone_number"},
		invalid: []string{"email", "Customers.email", "a.b.c.d", "customers.e-mail", "customers.", ".email", "1t.c", "\"t\".c", "t.c ", ""},
	},
	shapeGroup: {
		valid:   []string{"sales-engineering@acme.io", "Team.Payments+oncall@corp.example.co.uk"},
		invalid: []string{"system:authenticated", "system:serviceaccounts", "billing", "billing@", "@acme.io", "a@b", "a b@acme.io", ""},
	},
}

// Each shape's schema and the loader's check agree on every example, and the schema's
// expressions use only what Go and ECMA-262 (an editor's JSON Schema engine) share.
func TestShapesAgreeWithTheirSchema(t *testing.T) {
	for name, s := range shapes() {
		ex, ok := shapeExamples[name]
		if !ok || len(ex.valid) == 0 || len(ex.invalid) == 0 {
			t.Errorf("shape %s has no valid and invalid examples in shapeExamples", name)
			continue
		}
		for _, p := range s.patterns {
			for _, goOnly := range []string{"[[:", "(?P<", `\z`, `\A`, "(?i", "(?s", "(?m", `\Q`} {
				if strings.Contains(p, goOnly) {
					t.Errorf("shape %s: pattern %s uses %s, which ECMA-262 does not have", name, p, goOnly)
				}
			}
		}
		schema := compileSchema(t, name+".json", jsonValue(t, shapeSchema(s)))
		for _, v := range ex.valid {
			if msg := s.check(v); msg != "" {
				t.Errorf("shape %s: the loader refuses valid %q: %s", name, v, msg)
			}
			if err := schema.Validate(v); err != nil {
				t.Errorf("shape %s: the schema refuses valid %q: %v", name, v, err)
			}
		}
		for _, v := range ex.invalid {
			if s.check(v) == "" {
				t.Errorf("shape %s: the loader accepts invalid %q", name, v)
			}
			if schema.Validate(v) == nil {
				t.Errorf("shape %s: the schema accepts invalid %q", name, v)
			}
		}
		for _, v := range ex.loaderOnly {
			if s.check(v) == "" {
				t.Errorf("shape %s: the loader accepts invalid %q", name, v)
			}
			if schema.Validate(v) != nil {
				t.Errorf("shape %s: %q is listed as beyond the schema, which rejects it too: move it to invalid", name, v)
			}
		}
	}
}

func jsonValue(t *testing.T, v any) any {
	t.Helper()
	data, err := marshalIndent(v)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := validator.UnmarshalJSON(strings.NewReader(string(data)))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// The files every rule is tried on: valid, and between them setting every field the schemas
// describe, so that every rule of the schemas applies to some value.
var agreementBase = []Source{
	{"sales/space.conveyor.yaml", []byte(`space: sales
team: sales@example.com
allowFrom: [claims]
quota: {cpu: "8", memory: 16Gi, pods: 60}
limits:
  defaultRequest: {cpu: 100m, memory: 128Mi}
  default: {cpu: 500m, memory: 256Mi}
  max: {cpu: 2, memory: 2Gi}
config: {LOG_FORMAT: json}
`)},
	{"claims/space.conveyor.yaml", []byte("space: claims\nteam: claims@example.com\n")},
	{"sales/policies.conveyor.yaml", []byte("module: policies\nspace: sales\npublishes: [policy-issued]\ncomponents:\n  api:\n    image: ghcr.io/acme/policies:1.0.0\n")},
	{"sales/quotes.conveyor.yaml", []byte(`module: quotes
space: sales
database: true
publishes: [quote-accepted]
consumes: [policies.policy-issued]
config: {LOG_LEVEL: info}
components:
  api:
    kind: api
    image: ghcr.io/acme/quotes:1.4.2
    command: [/bin/quotes]
    args: [--serve]
    port: 8080
    autoscaling: {min: 2, max: 6, cpu: 70}
    probes: {readiness: /readyz, liveness: /healthz}
    resources:
      requests: {cpu: 0.2, memory: 192Mi}
      limits: {cpu: "1", memory: 384Mi}
    config: {WORKERS: 4}
  events:
    kind: handler
    image: ghcr.io/acme/quotes:1.4.2
    replicas: 2
    handles: [policies.policy-issued]
  nightly:
    kind: cron
    image: busybox:1.37.0
    schedule: "0 3 * * *"
`)},
}

// mutation is a change that breaks one rule of a schema.
type mutation struct {
	rule  string // the schema keyword and where it is, for messages
	path  []any  // where in the document the broken value is (keys and indexes)
	apply func(doc any) any
}

// For every rule of the shipped schemas, a value that breaks it is rejected by the schema and
// by the loader, and the loader names the field: the schema an editor checks is never more
// lenient than `conveyor validate`. The rules are found by walking the schemas, so a rule
// added to them is tried without a change here; a keyword this test cannot break fails it.
func TestLoaderRejectsWhatEachSchemaRuleRejects(t *testing.T) {
	schemas := shippedSchemas(t)
	if cat, err := Parse(agreementBase); err != nil || cat == nil {
		t.Fatalf("the base catalog does not load:\n%v", err)
	}
	tried := 0
	for i, src := range agreementBase {
		schemaName := schemaFor(src.Name)
		if err := validateYAML(t, schemas[schemaName], string(src.Data)); err != nil {
			t.Fatalf("%s does not pass %s: %v", src.Name, schemaName, err)
		}
		var doc any
		if err := goyaml.Unmarshal(src.Data, &doc); err != nil {
			t.Fatal(err)
		}
		var raw any
		data, _ := JSONSchemas()
		if err := goyaml.Unmarshal(data[schemaName], &raw); err != nil {
			t.Fatal(err)
		}
		root := raw.(map[string]any)
		w := &schemaWalker{t: t, defs: root["$defs"].(map[string]any)}
		w.walk(root, doc, nil, "#")
		for _, m := range w.mutations {
			tried++
			broken := m.apply(deepCopy(doc))
			text, err := yaml.Marshal(broken)
			if err != nil {
				t.Fatal(err)
			}
			if validateYAML(t, schemas[schemaName], string(text)) == nil {
				t.Errorf("%s: %s: the schema accepts the breaking value:\n%s", src.Name, m.rule, text)
			}
			sources := slices.Clone(agreementBase)
			sources[i] = Source{src.Name, text}
			_, err = Parse(sources)
			field := loaderPath(m.path)
			if !hasErrorAt(err, src.Name, field) {
				t.Errorf("%s: %s: the loader does not report %s:\n%s\nerrors:\n%v", src.Name, m.rule, field, text, err)
			}
		}
	}
	t.Logf("%d rules broken, each rejected by the schema and the loader", tried)
	if tried < 100 {
		t.Errorf("only %d rules tried; the walk misses most of the schemas", tried)
	}
}

// hasErrorAt says whether err has an error of file at field or inside it.
func hasErrorAt(err error, file, field string) bool {
	errs, _ := err.(Errors)
	for _, e := range errs {
		if e.File != file {
			continue
		}
		if field == "" || e.Field == field || strings.HasPrefix(e.Field, field+".") || strings.HasPrefix(e.Field, field+"[") {
			return true
		}
	}
	return false
}

// loaderPath writes a document path as the loader names fields: components.api.port, consumes[0].
func loaderPath(path []any) string {
	var b strings.Builder
	for _, p := range path {
		switch p := p.(type) {
		case int:
			b.WriteString("[" + strconv.Itoa(p) + "]")
		case string:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(p)
		}
	}
	return b.String()
}

// schemaWalker finds every rule of a schema that applies to some value of a document and
// makes a mutation that breaks it.
type schemaWalker struct {
	t         *testing.T
	defs      map[string]any
	mutations []mutation
}

func (w *schemaWalker) add(rule string, path []any, apply func(doc any) any) {
	w.mutations = append(w.mutations, mutation{rule: rule, path: slices.Clone(path), apply: apply})
}

// set replaces the value at path.
func (w *schemaWalker) set(rule string, path []any, value any) {
	w.add(rule, path, func(doc any) any { return setAt(doc, path, value) })
}

func (w *schemaWalker) walk(s map[string]any, value any, path []any, where string) {
	for _, key := range slices.Sorted(maps.Keys(s)) {
		rule := key + " at " + where
		switch v := s[key]; key {
		case "$schema", "$id", "$defs", "description":
		case "$ref":
			name := strings.TrimPrefix(v.(string), "#/$defs/")
			w.walk(w.defs[name].(map[string]any), value, path, "#/$defs/"+name)
		case "type":
			w.set(rule, path, wrongType(v))
		case "properties":
			obj, _ := value.(map[string]any)
			for name, sub := range v.(map[string]any) {
				if child, ok := obj[name]; ok {
					w.walk(sub.(map[string]any), child, append(slices.Clone(path), name), where+"/properties/"+name)
				}
			}
		case "required":
			for _, name := range v.([]any) {
				name := name.(string)
				w.add(rule+" ("+name+")", append(slices.Clone(path), name), func(doc any) any {
					delete(at(doc, path).(map[string]any), name)
					return doc
				})
			}
		case "additionalProperties":
			if v == false {
				w.add(rule, append(slices.Clone(path), "unknownfield"), func(doc any) any {
					at(doc, path).(map[string]any)["unknownfield"] = "x"
					return doc
				})
				continue
			}
			obj, _ := value.(map[string]any)
			for _, name := range slices.Sorted(maps.Keys(obj)) {
				w.walk(v.(map[string]any), obj[name], append(slices.Clone(path), name), where+"/additionalProperties")
			}
		case "patternProperties":
			// Keys that match are free (extension fields); there is nothing to break.
		case "propertyNames":
			obj, _ := value.(map[string]any)
			for _, name := range slices.Sorted(maps.Keys(obj)) {
				for _, bad := range w.violations(v.(map[string]any), name, rule) {
					w.add(rule+" ("+strconv.Quote(name)+" → "+strconv.Quote(bad)+")", append(slices.Clone(path), bad), func(doc any) any {
						m := at(doc, path).(map[string]any)
						m[bad] = m[name]
						delete(m, name)
						return doc
					})
				}
			}
		case "items":
			list, _ := value.([]any)
			for i, item := range list {
				w.walk(v.(map[string]any), item, append(slices.Clone(path), i), where+"/items")
			}
		case "uniqueItems":
			if list, ok := value.([]any); ok && len(list) > 0 {
				w.add(rule, append(slices.Clone(path), len(list)), func(doc any) any {
					l := at(doc, path).([]any)
					return setAt(doc, path, append(l, l[0]))
				})
			}
		case "minProperties":
			w.set(rule, path, map[string]any{})
		case "oneOf", "anyOf":
			// A value of none of the branches' types breaks them all; then break the rules
			// of the branch the value takes, keeping its type.
			var types []any
			for i, branch := range v.([]any) {
				b := maps.Clone(branch.(map[string]any))
				types = append(types, b["type"])
				if t := jsonType(value); t == b["type"] || (t == "integer" && b["type"] == "number") {
					delete(b, "type")
					w.walk(b, value, path, fmt.Sprintf("%s/%s/%d", where, key, i))
				}
			}
			w.set(rule, path, wrongType(types))
		case "allOf":
			for i, branch := range v.([]any) {
				w.walk(branch.(map[string]any), value, path, fmt.Sprintf("%s/allOf/%d", where, i))
			}
		default:
			str, isString := value.(string)
			if key == "minimum" || key == "maximum" || key == "exclusiveMinimum" {
				n := toInt(v)
				bad := map[string][]int{"minimum": {n - 1}, "maximum": {n + 1}, "exclusiveMinimum": {n, n - 1}}[key]
				for _, b := range bad {
					w.set(rule+" ("+strconv.Itoa(b)+")", path, b)
				}
				continue
			}
			if !isString && (key == "minLength" || key == "maxLength" || key == "pattern") {
				continue // a string's rule holds nothing of a number or a boolean (a config value)
			}
			if !isString {
				w.t.Errorf("%s: no way to break it for %v", rule, value)
				continue
			}
			for _, bad := range w.violations(map[string]any{key: v}, str, rule) {
				w.set(rule+" ("+strconv.Quote(bad)+")", path, bad)
			}
		}
	}
}

// violations are strings that break one string rule, made from value (a valid one).
func (w *schemaWalker) violations(s map[string]any, value, rule string) []string {
	var out []string
	for _, key := range slices.Sorted(maps.Keys(s)) {
		switch v := s[key]; key {
		case "type", "description":
		case "pattern":
			out = append(out, w.patternExamples(v.(string), rule)...)
		case "allOf":
			for _, branch := range v.([]any) {
				out = append(out, w.violations(branch.(map[string]any), value, rule)...)
			}
		case "maxLength":
			n := toInt(v)
			out = append(out, value+strings.Repeat("a", max(n+1-len(value), 1)))
		case "minLength":
			out = append(out, "")
		case "enum":
			out = append(out, "not-"+fmt.Sprint(v.([]any)[0]))
		case "not":
			not := v.(map[string]any)
			if anyOf, ok := not["anyOf"].([]any); ok {
				for _, b := range anyOf {
					out = append(out, reservedExample(w.t, b.(map[string]any), rule)...)
				}
				continue
			}
			out = append(out, reservedExample(w.t, not, rule)...)
		default:
			w.t.Errorf("%s: no way to break %s", rule, key)
		}
	}
	return out
}

// patternExamples are the invalid examples of the shape whose pattern this is.
func (w *schemaWalker) patternExamples(pattern, rule string) []string {
	for name, s := range shapes() {
		if slices.Contains(s.patterns, pattern) {
			var out []string
			re := s.compiled[slices.Index(s.patterns, pattern)]
			for _, bad := range shapeExamples[name].invalid {
				if !re.MatchString(bad) {
					out = append(out, bad)
				}
			}
			if len(out) == 0 {
				w.t.Errorf("%s: no example of shape %s breaks %s", rule, name, pattern)
			}
			return out
		}
	}
	w.t.Errorf("%s: pattern %s belongs to no shape", rule, pattern)
	return nil
}

// reservedExample is a value a "not" forbids: a reserved value, or a name with a reserved prefix.
func reservedExample(t *testing.T, not map[string]any, rule string) []string {
	t.Helper()
	if enum, ok := not["enum"].([]any); ok {
		var out []string
		for _, v := range enum {
			out = append(out, v.(string))
		}
		return out
	}
	if p, ok := not["pattern"].(string); ok && strings.HasPrefix(p, "^") {
		return []string{strings.TrimPrefix(p, "^") + "X"}
	}
	t.Errorf("%s: no way to break not %v", rule, not)
	return nil
}

// wrongType is a value of none of the types a "type" allows.
func wrongType(types any) any {
	allowed := map[string]bool{}
	switch v := types.(type) {
	case string:
		allowed[v] = true
	case []any:
		for _, x := range v {
			allowed[x.(string)] = true
		}
	}
	for _, candidate := range []any{"text", 7, 2.5, true, []any{"x"}, map[string]any{"x": "y"}} {
		if !allowed[jsonType(candidate)] && (!allowed["number"] || jsonType(candidate) != "integer") {
			return candidate
		}
	}
	panic("no value of another type")
}

func jsonType(v any) string {
	switch v := v.(type) {
	case string:
		return "string"
	case bool:
		return "boolean"
	case int, int64, uint64:
		return "integer"
	case float64:
		if v == float64(int64(v)) {
			return "integer"
		}
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "null"
}

func toInt(v any) int {
	switch v := v.(type) {
	case uint64:
		return int(v)
	case int64:
		return int(v)
	case float64:
		return int(v)
	}
	panic(fmt.Sprintf("not a number: %v", v))
}

func at(doc any, path []any) any {
	for _, p := range path {
		switch p := p.(type) {
		case string:
			doc = doc.(map[string]any)[p]
		case int:
			doc = doc.([]any)[p]
		}
	}
	return doc
}

func setAt(doc any, path []any, value any) any {
	if len(path) == 0 {
		return value
	}
	parent := at(doc, path[:len(path)-1])
	switch p := path[len(path)-1].(type) {
	case string:
		parent.(map[string]any)[p] = value
	case int:
		list := parent.([]any)
		if p < len(list) {
			list[p] = value
		}
	}
	return doc
}

func deepCopy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = deepCopy(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = deepCopy(x)
		}
		return out
	}
	return v
}
