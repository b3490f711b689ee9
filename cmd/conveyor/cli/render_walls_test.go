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

// TestRenderSaysWhatItRenders: a cluster stack has no Kubernetes objects to render, and a name
// without a stack file (a typo of staging) is an ad-hoc environment; render says either in one
// sentence on standard error rather than failing on an empty YAML stream or staying silent.
func TestRenderSaysWhatItRenders(t *testing.T) {
	tests := []struct {
		env, notice string
		objects     bool
	}{
		{"cluster-nonprod", "cluster-nonprod is a cluster stack: it builds a GKE cluster, its network and its Cloud SQL instance, and renders no Kubernetes objects", false},
		{"stagign", "there is no stack file stacks/Pulumi.stagign.yaml: stagign is rendered as an ad-hoc environment", true},
		{"staging", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.env, func(t *testing.T) {
			code, out, stderr := run(t, "render", "--env", tt.env)
			if code != ExitOK {
				t.Fatalf("render exit %d: %s", code, stderr)
			}
			if tt.notice == "" && stderr != "" || !strings.Contains(stderr, tt.notice) {
				t.Errorf("render --env %s said %q, want %q", tt.env, stderr, tt.notice)
			}
			if got := strings.Contains(out, "kind: Namespace"); got != tt.objects {
				t.Errorf("render --env %s printed objects: %v, want %v", tt.env, got, tt.objects)
			}
		})
	}
}
