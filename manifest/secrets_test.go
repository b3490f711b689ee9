package manifest

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A secret's name is read like a config key, and a name is either config or a secret, at
// whichever level each is written.
func TestSecretNamesAreCheckedLikeConfigKeys(t *testing.T) {
	const m, s = "m.conveyor.yaml", "billing.conveyor.yaml"
	head := "module: quotes\nspace: sales\n"
	api := "components:\n  api:\n    image: ghcr.io/acme/quotes:1.0.0\n"
	tests := []errorCase{
		{"an invalid name", map[string]string{m: head + "secrets: [stripe-key]\n" + api},
			[]want{{m + ":3:11", "secrets[0]", "not a valid environment variable name"}}},
		{"a reserved prefix", map[string]string{m: head + "secrets: [DATABASE_TOKEN]\n" + api},
			[]want{{m + ":3:11", "secrets[0]", "set by Conveyor itself"}}},
		{"a name twice", map[string]string{m: head + "secrets: [API_KEY, API_KEY]\n" + api},
			[]want{{m + ":3:20", "secrets[1]", "listed twice"}}},
		{"a secret that is module config", map[string]string{m: head + "config: {API_KEY: x}\nsecrets: [API_KEY]\n" + api},
			[]want{{m + ":4:11", "secrets[0]", "also a config key of the module"}}},
		{"a module secret that is a component's config", map[string]string{m: head + "secrets: [API_KEY]\n" + api + "    config: {API_KEY: x}\n"},
			[]want{{m + ":3:11", "secrets[0]", "config key of component api"}}},
		{"a component secret that is its own config", map[string]string{m: head + api + "    config: {API_KEY: x}\n    secrets: [API_KEY]\n"},
			[]want{{m + ":7:15", "components.api.secrets[0]", "config key of this component"}}},
		{"a component secret that is module config", map[string]string{m: head + "config: {API_KEY: x}\n" + api + "    secrets: [API_KEY]\n"},
			[]want{{m + ":7:15", "components.api.secrets[0]", "config key of the module"}}},
		{"a component secret the module already has", map[string]string{m: head + "secrets: [API_KEY]\n" + api + "    secrets: [API_KEY]\n"},
			[]want{{m + ":7:15", "components.api.secrets[0]", "already a secret of the whole module"}}},
		{"a secret that is space config", map[string]string{
			s: "space: billing\nteam: billing@example.com\nconfig: {API_KEY: x}\n",
			m: "module: quotes\nspace: billing\nsecrets: [API_KEY]\n" + api},
			[]want{{m + ":3:11", "secrets[0]", "config key of space billing (billing.conveyor.yaml:3)"}}},
		{"a value instead of a name", map[string]string{m: head + "secrets: {API_KEY: sk_live_123}\n" + api},
			[]want{{m + ":3:10", "secrets", "list"}}},
	}
	runErrorCases(t, tests)
}

// Which level asked for each secret, and where: what explain shows.
func TestResolveSecretsSaysWhichLevelAsked(t *testing.T) {
	const m = "m.conveyor.yaml"
	text := "module: quotes\nspace: sales\nsecrets: [WEBHOOK_SECRET, API_KEY]\n" +
		"components:\n  api:\n    image: ghcr.io/acme/quotes:1.0.0\n    secrets: [STRIPE_KEY]\n" +
		"  cron:\n    image: ghcr.io/acme/quotes:1.0.0\n    schedule: \"@daily\"\n"
	cat, err := parseCase(map[string]string{m: text})
	if err != nil {
		t.Fatal(err)
	}
	mod := cat.Module("quotes")
	want := []SecretRequest{
		{Name: "API_KEY", Level: LevelModule, File: m, Line: 3, Column: 27},
		{Name: "STRIPE_KEY", Level: LevelComponent, File: m, Line: 7, Column: 15},
		{Name: "WEBHOOK_SECRET", Level: LevelModule, File: m, Line: 3, Column: 11},
	}
	if diff := cmp.Diff(want, mod.ResolveSecrets("api")); diff != "" {
		t.Errorf("api's secrets (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"API_KEY", "WEBHOOK_SECRET"}, names(mod.ResolveSecrets("cron"))); diff != "" {
		t.Errorf("cron's secrets (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"API_KEY", "STRIPE_KEY", "WEBHOOK_SECRET"}, mod.SecretNames()); diff != "" {
		t.Errorf("the module's secrets (-want +got):\n%s", diff)
	}
}

func names(reqs []SecretRequest) []string {
	var out []string
	for _, r := range reqs {
		out = append(out, r.Name)
	}
	return out
}
