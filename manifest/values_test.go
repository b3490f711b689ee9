package manifest

import (
	"strings"
	"testing"
)

// Values the schema calls invalid are errors: a written 0 is not "unset", quantities have no
// sign, and a key without a value is a mistake, not an empty string.
func TestInvalidValuesAreErrors(t *testing.T) {
	const m, s = "m.conveyor.yaml", "s.conveyor.yaml"
	head := "module: quotes\nspace: sales\n"
	api := "components:\n  api:\n    image: ghcr.io/acme/quotes:1.0.0\n"
	tests := []errorCase{
		{"port 0", map[string]string{m: head + api + "    port: 0\n"},
			[]want{{m + ":6:11", "components.api.port", "not 0"}}},
		{"quota.pods 0", map[string]string{s: "space: claims\nteam: claims@example.com\nquota: {pods: 0}\n"},
			[]want{{s + ":3:15", "quota.pods", "not 0"}}},
		{"autoscaling.cpu 0", map[string]string{m: head + api + "    autoscaling: {min: 1, max: 2, cpu: 0}\n"},
			[]want{{m + ":6:40", "components.api.autoscaling.cpu", "not 0"}}},
		{"a negative quantity", map[string]string{m: head + api + "    resources:\n      requests: {cpu: \"-500m\"}\n"},
			[]want{{m + ":7:23", "components.api.resources.requests.cpu", `"-500m"`}}},
		{"a negative number as a quantity", map[string]string{s: "space: claims\nteam: claims@example.com\nquota: {cpu: -2}\n"},
			[]want{{s + ":3:14", "quota.cpu", "-2"}}},
		{"a zero quantity", map[string]string{m: head + api + "    resources:\n      limits: {memory: 0Mi}\n"},
			[]want{{m + ":7:24", "components.api.resources.limits.memory", `"0Mi"`}}},
		{"a budget of 0", map[string]string{s: "space: claims\nteam: claims@example.com\nbudget: {monthly: 0, currency: USD}\n"},
			[]want{{s + ":3:19", "budget.monthly", "not 0"}}},
		{"a budget without its currency", map[string]string{s: "space: claims\nteam: claims@example.com\nbudget: {monthly: 300}\n"},
			[]want{{s + ":3:1", "budget.currency", "needs its currency"}}},
		{"a budget in no currency", map[string]string{s: "space: claims\nteam: claims@example.com\nbudget: {monthly: 300, currency: dollars}\n"},
			[]want{{s + ":3:34", "budget.currency", "not \"dollars\""}}},
		{"a null config value", map[string]string{m: head + "config:\n  LOG_LEVEL: null\n" + api},
			[]want{{m + ":4:3", "config.LOG_LEVEL", "has no value"}}},
		{"an empty config value", map[string]string{m: head + "config:\n  LOG_LEVEL:\n" + api},
			[]want{{m + ":4:3", "config.LOG_LEVEL", "has no value"}}},
	}
	runErrorCases(t, tests)
}

// Each mistake gets one message, and the message says what to do without burying the reader.
func TestMessagesAUserCanActOn(t *testing.T) {
	const m = "m.conveyor.yaml"
	head := "module: quotes\nspace: sales\n"
	api := "components:\n  api:\n    image: ghcr.io/acme/quotes:1.0.0\n"
	long := strings.Repeat("q", 10000)
	tests := []struct {
		name string
		text string
		want []want
	}{
		{"a fraction where a count belongs", head + api + "    replicas: 2.5\n",
			[]want{{m + ":6:15", "components.api.replicas", "whole number"}}},
		{"a range without its max", head + api + "    autoscaling: {min: 2}\n",
			[]want{{m + ":6:5", "components.api.autoscaling.max", "required"}}},
		{"a field of another kind", head + api + "    schedule: \"0 * * * *\"\n",
			[]want{{m + ":6:5", "components.api.schedule", "applies only to cron components, and api is an api component"}}},
		{"a very long module name", "module: " + long + "\nspace: sales\n" + api,
			[]want{{m + ":1:9", "module", "10000 characters"}}},
		{"a very long image", head + "components:\n  api:\n    image: " + long + "\n",
			[]want{{m + ":5:12", "components.api.image", "10000 characters"}}},
		{"a very long unknown key", head + long + ": 1\n" + api,
			[]want{{m + ":3:1", long[:20], "unknown field"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cat, err := parseCase(map[string]string{m: tt.text})
			errs, _ := err.(Errors)
			for _, e := range errs {
				if len(e.Error()) > 300 {
					t.Errorf("a message of %d characters: %.120s...", len(e.Error()), e.Error())
				}
			}
			if tt.want[0].field == long[:20] {
				// The field of an unknown key is the key itself, which may be clipped too.
				if len(errs) != 1 || !strings.HasPrefix(errs[0].Field, long[:20]) || !strings.Contains(errs[0].Message, tt.want[0].message) {
					t.Fatalf("got %v", err)
				}
				return
			}
			assertErrors(t, cat, err, tt.want)
		})
	}
}

// The platform sets these variables in every container; a manifest that set them too would
// silently point a service at the wrong database or project.
func TestConfigCannotShadowPlatformVariables(t *testing.T) {
	const m, s = "m.conveyor.yaml", "s.conveyor.yaml"
	head := "module: quotes\nspace: sales\n"
	api := "components:\n  api:\n    image: ghcr.io/acme/quotes:1.0.0\n"
	tests := []errorCase{
		{"module config", map[string]string{m: head + "config:\n  DATABASE_URL: postgres://elsewhere\n" + api},
			[]want{{m + ":4:3", "config.DATABASE_URL", "set by Conveyor"}}},
		{"component config", map[string]string{m: head + api + "    config:\n      GOOGLE_CLOUD_PROJECT: other\n"},
			[]want{{m + ":7:7", "components.api.config.GOOGLE_CLOUD_PROJECT", "set by Conveyor"}}},
		{"space config", map[string]string{s: "space: claims\nteam: claims@example.com\nconfig:\n  PUBSUB_EMULATOR_HOST: localhost:8085\n"},
			[]want{{s + ":4:3", "config.PUBSUB_EMULATOR_HOST", "set by Conveyor"}}},
		{"a variable of a reserved family", map[string]string{m: head + "config:\n  DATABASE_POOL_SIZE: \"10\"\n" + api},
			[]want{{m + ":4:3", "config.DATABASE_POOL_SIZE", "DATABASE_"}}},
		{"a topic variable", map[string]string{m: head + "config:\n  CONVEYOR_TOPIC_X: y\n" + api},
			[]want{{m + ":4:3", "config.CONVEYOR_TOPIC_X", "set by Conveyor"}}},
	}
	runErrorCases(t, tests)
}
