package cli

import (
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackopstest"
	"github.com/conveyor-paas/conveyor/policy/rules"
)

// TestPreviewAndUpAreGated: before the engine starts, preview and up run the policy pack's
// rules offline over the environment, with the config the engine holds (here a catalog whose
// image is on the latest tag, set in the stack's config, not in any file the check could
// read by itself). A mandatory violation stops the command with the report; in an ad-hoc
// environment the same findings are advisory and the operation goes on.
func TestPreviewAndUpAreGated(t *testing.T) {
	env := stackopstest.NewEnv(t)
	c := newClone(t, env)
	repo, err := filepath.Abs(filepath.Join("..", "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	c.deps.gate = func(_ string, log io.Writer) stackops.Gate { return policyGate(repo, log) }

	_, stderr, code := c.run("up", "--env", "dev")
	if code != ExitOK || !strings.Contains(stderr, "policy check of dev before the engine: 0 mandatory and 0 advisory violation(s)") {
		t.Fatalf("up of the demo catalog: exit %d\n%s", code, stderr)
	}
	c.setConfig("dev", "conveyor:catalog", latestCatalog(t))

	out, stderr, code := c.run("preview", "--env", "dev")
	if code != ExitFailed || !strings.Contains(out, "CONV-K8S-012") || !strings.Contains(stderr, "the engine did not start") {
		t.Errorf("preview: exit %d, want %d with the report\n%s%s", code, ExitFailed, out, stderr)
	}
	if strings.Contains(stderr, "Previewing") || strings.Contains(out, "to create") {
		t.Errorf("the engine ran:\n%s%s", out, stderr)
	}
	out, _, code = c.run("up", "--env", "dev", "--json")
	if report := decode[rules.Report](t, out); code != ExitFailed || !report.HasMandatoryViolations() || report.Environment != "dev" {
		t.Errorf("up --json: exit %d, report %+v", code, report)
	}
	md, _, code := c.run("deploy", "--env", "dev", "--module", "quotes", "--image", "quotes:9", "--json")
	if code != ExitFailed || !strings.Contains(md, `"ruleId": "CONV-K8S-012"`) {
		t.Errorf("deploy: exit %d\n%s", code, md)
	}

	c.must(ExitOK, "env", "create", "pr-5", "--from", "dev")
	_, stderr, code = c.run("preview", "--env", "pr-5")
	if code != ExitOK || !strings.Contains(stderr, "policy check of pr-5 before the engine: 0 mandatory and 1 advisory violation(s)") {
		t.Errorf("preview of an ad-hoc environment: exit %d\n%s", code, stderr)
	}
}
