// Package workflows checks the shipped GitHub workflows for what keeps the tiers apart: a
// pull request's code never holds production's credentials, its offline policy check holds
// none at all, and every job that reaches Google Cloud does so through workload identity
// federation with its own tier's service account.
package workflows

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

type workflow struct {
	Permissions any               `yaml:"permissions"`
	Env         map[string]string `yaml:"env"`
	Jobs        map[string]job    `yaml:"jobs"`
}

type job struct {
	Environment any               `yaml:"environment"`
	Permissions any               `yaml:"permissions"`
	Env         map[string]string `yaml:"env"`
	Steps       []step            `yaml:"steps"`
}

type step struct {
	Uses string            `yaml:"uses"`
	Run  string            `yaml:"run"`
	With map[string]string `yaml:"with"`
	Env  map[string]string `yaml:"env"`
}

func load(t *testing.T, name string) (workflow, string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", ".github", "workflows", name))
	if err != nil {
		t.Fatal(err)
	}
	var w workflow
	if err := yaml.Unmarshal(data, &w); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return w, string(data)
}

// text is everything a job says, to look for the credentials it references.
func (j job) text(t *testing.T) string {
	t.Helper()
	data, err := yaml.Marshal(j)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

var (
	secretRef = regexp.MustCompile(`secrets\.[A-Z_]+`)
	prodRef   = regexp.MustCompile(`(secrets|vars)\.[A-Z_]*_PROD\b`)
)

func TestPullRequestsHoldNoProductionCredentials(t *testing.T) {
	w, raw := load(t, "pull-request.yml")
	if prodRef.MatchString(raw) || strings.Contains(raw, "CONVEYOR_PROD_") {
		t.Errorf("the pull-request workflow references production's credentials: %v", prodRef.FindAllString(raw, -1))
	}
	for k, v := range w.Env {
		if secretRef.MatchString(v) || strings.Contains(v, "vars.") {
			t.Errorf("workflow-level env %s=%s reaches every job, the offline check's too", k, v)
		}
	}
	validate, ok := w.Jobs["validate"]
	if !ok {
		t.Fatal("no validate job")
	}
	text := validate.text(t)
	if secretRef.MatchString(text) || strings.Contains(text, "id-token") || strings.Contains(text, "google-github-actions/auth") ||
		strings.Contains(text, "PULUMI_") || validate.Environment != nil {
		t.Errorf("the offline policy check holds credentials, a backend or a passphrase:\n%s", text)
	}
	found := false
	for _, s := range validate.Steps {
		found = found || strings.Contains(s.Run, `policy check --env "$ENVIRONMENT" --levels-of dev`)
	}
	if !found {
		t.Errorf("the validate job does not check the policy at dev's levels")
	}
}

// Every job that authenticates to Google Cloud uses workload identity federation (no key),
// with the service account of one tier; production's only in the GitHub environments that
// are restricted to production (prod, prod-plan).
func TestEveryJobUsesItsTiersIdentity(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", ".github", "workflows", "*.yml"))
	if err != nil || len(files) < 4 {
		t.Fatalf("workflows: %v %v", files, err)
	}
	for _, f := range files {
		w, raw := load(t, filepath.Base(f))
		if strings.Contains(raw, "credentials_json") {
			t.Errorf("%s authenticates with a service account key", f)
		}
		for name, j := range w.Jobs {
			text := j.text(t)
			env, _ := j.Environment.(string)
			for _, s := range j.Steps {
				if !strings.HasPrefix(s.Uses, "google-github-actions/auth@") {
					continue
				}
				provider, account := s.With["workload_identity_provider"], s.With["service_account"]
				if provider == "" || account == "" {
					t.Errorf("%s/%s: auth without workload identity federation: %v", f, name, s.With)
				}
				if !strings.Contains(account, "GCP_SERVICE_ACCOUNT_NONPROD") && !strings.Contains(account, "GCP_SERVICE_ACCOUNT_PROD") {
					t.Errorf("%s/%s: service account %s is not one tier's", f, name, account)
				}
				if !hasIDToken(w.Permissions) && !hasIDToken(j.Permissions) {
					t.Errorf("%s/%s: authenticates without id-token: write", f, name)
				}
			}
			if prodRef.MatchString(text) && !strings.Contains(env, "prod") {
				t.Errorf("%s/%s: references production's credentials outside a production environment (%q)", f, name, j.Environment)
			}
		}
	}
}

func hasIDToken(p any) bool {
	m, ok := p.(map[string]any)
	return ok && m["id-token"] == "write"
}
