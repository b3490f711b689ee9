package cli

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// `conveyor render --env dev` shows the walls: every namespace's default deny of both
// directions and its egress policies, and each module's database setup job in the platform
// namespace, with no secret's value.
func TestRenderShowsTheWalls(t *testing.T) {
	code, out, stderr := run(t, "render", "--env", "dev")
	if code != ExitOK {
		t.Fatalf("render exit %d: %s", code, stderr)
	}
	policies := map[string][]string{}
	jobs := map[string]bool{}
	dec := yaml.NewDecoder(strings.NewReader(out))
	for {
		var o struct {
			Kind     string
			Metadata struct{ Name, Namespace string }
			Spec     struct {
				PolicyTypes []string `yaml:"policyTypes"`
			}
		}
		if err := dec.Decode(&o); err != nil {
			break
		}
		switch o.Kind {
		case "NetworkPolicy":
			policies[o.Metadata.Namespace] = append(policies[o.Metadata.Namespace], o.Metadata.Name+strings.Join(o.Spec.PolicyTypes, "+"))
		case "Job":
			jobs[o.Metadata.Namespace+"/"+o.Metadata.Name] = true
		}
	}
	for _, ns := range []string{"dev-sales", "dev-claims", "dev-conveyor"} {
		got := strings.Join(policies[ns], " ")
		for _, want := range []string{"default-denyIngress+Egress", "allow-dnsEgress", "allow-databaseEgress"} {
			if !strings.Contains(got, want) {
				t.Errorf("render shows %s's policies as %q, without %s", ns, got, want)
			}
		}
	}
	if got := strings.Join(policies["dev-sales"], " "); !strings.Contains(got, "allow-metadata-serverEgress") || !strings.Contains(got, "allow-google-apisEgress") {
		t.Errorf("dev-sales policies %q lack the metadata server or Google APIs", got)
	}
	for _, module := range []string{"quotes", "policies", "claims", "payments"} {
		if !jobs["dev-conveyor/"+module+"-database-setup"] {
			t.Errorf("render shows no database setup job for %s", module)
		}
	}
	if strings.Contains(out, "simulated-") {
		t.Errorf("render shows a secret's value")
	}
}
