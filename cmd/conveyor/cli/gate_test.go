package cli

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackopstest"
	"github.com/conveyor-paas/conveyor/policy/rules"
)

// gatedClone is a clone whose commands run the policy gate on the repository's program.
func gatedClone(t *testing.T) *clone {
	t.Helper()
	c := newClone(t, stackopstest.NewEnv(t))
	repo, err := filepath.Abs(filepath.Join("..", "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	c.deps.gate = func(_ string, log io.Writer) stackops.Gate { return policyGate(repo, log) }
	return c
}

// TestPreviewAndUpAreGated: before the engine starts, preview and up run the policy pack's
// rules offline over the environment, with the config the engine holds (here a catalog whose
// image is on the latest tag, set in the stack's config, not in any file the check could
// read by itself). A mandatory violation stops the command with the report; in an ad-hoc
// environment the same findings are advisory and the operation goes on.
func TestPreviewAndUpAreGated(t *testing.T) {
	c := gatedClone(t)

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

// TestGateAfterAModuleIsRemoved: a commit that deletes a module which was once deployed
// leaves its image in the environment's record. The gate evaluates the real program with
// that record as the program reads it (its last checkpoint), not as the stack file's
// conveyor:images, which the program checks against the catalog: preview, up and the next
// deploy go through.
func TestGateAfterAModuleIsRemoved(t *testing.T) {
	c := gatedClone(t)
	c.must(ExitOK, "up", "--env", "dev")
	catalog := brokenCatalogWith(t, func(_ string, data []byte) []byte { return data })
	c.setConfig("dev", "conveyor:catalog", catalog)
	c.must(ExitOK, "deploy", "--env", "dev", "--module", "quotes", "--image", "ghcr.io/stefanprodan/podinfo:6.7.2")

	// The commit: quotes goes, and policies no longer consumes its event.
	if err := os.Remove(filepath.Join(catalog, "sales", "quotes.conveyor.yaml")); err != nil {
		t.Fatal(err)
	}
	policies := filepath.Join(catalog, "sales", "policies.conveyor.yaml")
	text := readFile(t, policies)
	text = strings.Replace(text, "consumes: [quotes.quote-accepted]\n", "", 1)
	issuer, renewals := strings.Index(text, "  issuer:\n"), strings.Index(text, "  renewals:\n")
	if issuer < 0 || renewals < issuer {
		t.Fatalf("the demo's policies module changed: %s", text)
	}
	if err := os.WriteFile(policies, []byte(text[:issuer]+text[renewals:]), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"preview", "--env", "dev"},
		{"up", "--env", "dev"},
		{"deploy", "--env", "dev", "--module", "policies", "--image", "ghcr.io/stefanprodan/podinfo:6.7.2"},
	} {
		if _, stderr, code := c.run(args...); code != ExitOK || !strings.Contains(stderr, "policy check of dev before the engine: 0 mandatory") {
			t.Errorf("conveyor %s after quotes was removed: exit %d, want %d\n%s", strings.Join(args, " "), code, ExitOK, stderr)
		}
	}
}
