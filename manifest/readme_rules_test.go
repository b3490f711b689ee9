package manifest

import (
	"strings"
	"testing"
)

// TestEveryRuleTheREADMEStates holds each rule of the README's "Add a module" section to the
// loader at its edge: the last value the rule accepts loads, the first one it refuses is one
// error on its field. A rule the README states and the loader does not keep fails here.
func TestEveryRuleTheREADMEStates(t *testing.T) {
	const file = "m.conveyor.yaml"
	module := func(name, extra, component string) string {
		return "module: " + name + "\nspace: sales\n" + extra + "components:\n  api:\n    image: ghcr.io/acme/quotes:1.0.0\n" + component
	}
	space := func(name, extra string) string { return "space: " + name + "\nteam: t@example.com\n" + extra }
	named := func(component string) string {
		return "module: quotes\nspace: sales\ncomponents:\n  " + component + ":\n    kind: api\n    image: ghcr.io/acme/quotes:1.0.0\n"
	}
	tests := []struct {
		rule            string // as the README states it
		field           string // the field the refusal names
		accept, refuse  string // a file just inside the rule, and one just outside it
		refuseMentioned string // a part of the refusal's message
	}{
		{"module names are at most 20 characters", "module",
			module(strings.Repeat("q", 20), "", ""), module(strings.Repeat("q", 21), "", ""), "20"},
		{"space names are at most 20 characters", "space",
			space(strings.Repeat("s", 20), ""), space(strings.Repeat("s", 21), ""), "20"},
		{"no space is called conveyor", "space", space("conveyors", ""), space("conveyor", ""), "conveyor"},
		{"component names are at most 20 characters", "components." + strings.Repeat("c", 21),
			named(strings.Repeat("c", 20)), named(strings.Repeat("c", 21)), "20"},
		{"events are at most 40 characters", "publishes[0]",
			module("quotes", "publishes: ["+strings.Repeat("e", 40)+"]\n", ""), module("quotes", "publishes: ["+strings.Repeat("e", 41)+"]\n", ""), "40"},
		{"a list holds no item twice", "publishes[1]",
			module("quotes", "publishes: [a, b]\n", ""), module("quotes", "publishes: [a, a]\n", ""), "twice"},
		{"an image has a tag or a digest", "components.api.image",
			"module: quotes\nspace: sales\ncomponents:\n  api:\n    image: ghcr.io/acme/quotes@sha256:" + strings.Repeat("a", 64) + "\n",
			"module: quotes\nspace: sales\ncomponents:\n  api:\n    image: ghcr.io/acme/quotes\n", "tag"},
		{"a quantity is above zero", "components.api.resources.limits.cpu",
			module("quotes", "", "    resources: {limits: {cpu: 1m}}\n"), module("quotes", "", "    resources: {limits: {cpu: 0m}}\n"), "0m"},
		{"a quantity has no sign", "components.api.resources.limits.cpu",
			module("quotes", "", "    resources: {limits: {cpu: \"1\"}}\n"), module("quotes", "", "    resources: {limits: {cpu: \"+1\"}}\n"), "+1"},
		{"port is at least 1", "components.api.port", module("quotes", "", "    port: 1\n"), module("quotes", "", "    port: 0\n"), "0"},
		{"port is at most 65535", "components.api.port", module("quotes", "", "    port: 65535\n"), module("quotes", "", "    port: 65536\n"), "65536"},
		{"replicas is at least 1", "components.api.replicas", module("quotes", "", "    replicas: 1\n"), module("quotes", "", "    replicas: 0\n"), "0"},
		{"min is at least 1", "components.api.autoscaling.min",
			module("quotes", "", "    autoscaling: {min: 1, max: 2}\n"), module("quotes", "", "    autoscaling: {min: 0, max: 2}\n"), "0"},
		{"max is at least 1", "components.api.autoscaling.max",
			module("quotes", "", "    autoscaling: {min: 1, max: 1}\n"), module("quotes", "", "    autoscaling: {min: 1, max: 0}\n"), "0"},
		{"cpu in percent is at least 1", "components.api.autoscaling.cpu",
			module("quotes", "", "    autoscaling: {min: 1, max: 2, cpu: 1}\n"), module("quotes", "", "    autoscaling: {min: 1, max: 2, cpu: 0}\n"), "0"},
		{"cpu in percent is at most 100", "components.api.autoscaling.cpu",
			module("quotes", "", "    autoscaling: {min: 1, max: 2, cpu: 100}\n"), module("quotes", "", "    autoscaling: {min: 1, max: 2, cpu: 101}\n"), "101"},
		{"pods is at least 1", "quota.pods", space("claims", "quota: {pods: 1}\n"), space("claims", "quota: {pods: 0}\n"), "0"},
		{"config keys are environment variable names", "config.1LEVEL",
			module("quotes", "config: {LEVEL1: a}\n", ""), module("quotes", "config: {1LEVEL: a}\n", ""), "1LEVEL"},
		{"config values are never empty", "config.LOG_LEVEL",
			module("quotes", "config: {LOG_LEVEL: \" \"}\n", ""), module("quotes", "config: {LOG_LEVEL: \"\"}\n", ""), "empty"},
		{"config values are strings, numbers or booleans", "config.LOG_LEVEL",
			module("quotes", "config: {LOG_LEVEL: true}\n", ""), module("quotes", "config: {LOG_LEVEL: [a]}\n", ""), "string, number or boolean"},
		{"the platform's variable names are refused", "config.GOOGLE_X",
			module("quotes", "config: {GOOGLEX: a}\n", ""), module("quotes", "config: {GOOGLE_X: a}\n", ""), "GOOGLE_"},
		{"database is true, false or a mapping", "database",
			module("quotes", "database: {seed: {from: dev}}\n", ""), module("quotes", "database: yes please\n", ""), "mapping"},
		{"a seed copies dev", "database.seed.from",
			module("quotes", "database: {seed: {from: dev}}\n", ""), module("quotes", "database: {seed: {from: staging}}\n", ""), "dev"},
		{"a masked column is [<schema>.]<table>.<column> in lowercase SQL names", "database.seed.mask.hash[0]",
			module("quotes", "database: {seed: {from: dev, mask: {hash: [sales.customers.name]}}}\n", ""),
			module("quotes", "database: {seed: {from: dev, mask: {hash: [Customers.name]}}}\n", ""), "lowercase"},
		{"a column takes one mask", "database.seed.mask.email[0]",
			module("quotes", "database: {seed: {from: dev, mask: {hash: [customers.name], email: [customers.email]}}}\n", ""),
			module("quotes", "database: {seed: {from: dev, mask: {hash: [customers.email], email: [public.customers.email]}}}\n", ""), "one mask"},
		{"unknown keys are errors; x- keys at the top are free", "y-image",
			module("quotes", "x-image: a\n", ""), module("quotes", "y-image: a\n", ""), "unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			if _, err := parseCase(map[string]string{file: tt.accept}); err != nil {
				t.Errorf("refused what the rule accepts:\n%s\n%v", tt.accept, err)
			}
			_, err := parseCase(map[string]string{file: tt.refuse})
			errs, _ := err.(Errors)
			if len(errs) != 1 || errs[0].Field != tt.field || !strings.Contains(errs[0].Message, tt.refuseMentioned) {
				t.Errorf("want one error on %s mentioning %q for:\n%s\ngot %v", tt.field, tt.refuseMentioned, tt.refuse, err)
			}
		})
	}
}
