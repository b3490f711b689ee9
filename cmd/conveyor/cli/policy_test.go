package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/envview"
	"github.com/conveyor-paas/conveyor/internal/tracked"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files of the command's renderings")

// latestCatalog is the demo catalog with one image on the latest tag, which a manifest can
// say and the policy pack must refuse.
func latestCatalog(t *testing.T) string {
	t.Helper()
	dir := brokenCatalogWith(t, func(rel string, data []byte) []byte {
		if rel == filepath.Join("claims", "payments.conveyor.yaml") {
			return bytes.Replace(data, []byte("image: ghcr.io/stefanprodan/podinfo:6.7.1"), []byte("image: ghcr.io/stefanprodan/podinfo:latest"), 1)
		}
		return data
	})
	return dir
}

// run runs the command in a copy of what the repository tracks: the stack files the command
// writes for a developer's own environments (a pr-5 of theirs, say) are not in it, so they
// cannot change what the tests see.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	return runIn(t, repoCopy(t), args...)
}

// repoCopy copies the repository's tracked files into a directory of the test's own: no
// command a test runs can change the clone.
func repoCopy(t *testing.T) string {
	t.Helper()
	repo := t.TempDir()
	if err := tracked.Copy(t.Context(), filepath.Join("..", "..", ".."), repo); err != nil {
		t.Fatal(err)
	}
	return repo
}

// gitRepoCopy is repoCopy made a git repository of one commit, for commands that compare
// with a revision.
func gitRepoCopy(t *testing.T) string {
	t.Helper()
	repo := repoCopy(t)
	commitAll(t, repo)
	return repo
}

// commitAll makes dir a git repository whose one commit holds every file in it.
func commitAll(t *testing.T, dir string) {
	t.Helper()
	gitIn(t, dir, "init", "-q")
	gitIn(t, dir, "add", "-A")
	gitIn(t, dir, "commit", "-q", "-m", "the repository")
}

// gitIn runs git in dir as a test identity and returns its output; a failure fails the test.
func gitIn(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), "git", append([]string{"-c", "user.name=conveyor test", "-c", "user.email=test@conveyor.invalid"}, args...)...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// runIn runs the command with repo as the repository.
func runIn(t *testing.T, repo string, args ...string) (int, string, string) {
	t.Helper()
	t.Setenv("CONVEYOR_REPO", repo)
	var stdout, stderr bytes.Buffer
	code := Execute(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestPolicyCheck(t *testing.T) {
	catalog := latestCatalog(t)
	tests := []struct {
		name     string
		args     []string
		wantCode int
		golden   string
	}{
		{"shipped stack passes", []string{"policy", "check", "--env", "staging"}, ExitOK, ""},
		{"advisory in an ad-hoc environment", []string{"policy", "check", "--env", "pr-5", "--catalog", catalog}, ExitOK, "policy-pr-5.txt"},
		{"mandatory in staging", []string{"policy", "check", "--env", "staging", "--catalog", catalog}, ExitFailed, "policy-staging.txt"},
		{"markdown for a pull request", []string{"policy", "check", "--env", "staging", "--catalog", catalog, "--markdown"}, ExitFailed, "policy-staging.md"},
		{"json for machines", []string{"policy", "check", "--env", "staging", "--catalog", catalog, "--json"}, ExitFailed, "policy-staging.json"},
		{"a pull request at dev's levels", []string{"policy", "check", "--env", "pr-5", "--catalog", catalog, "--levels-of", "dev"}, ExitFailed, ""},
		{"a pull request at dev's levels passes", []string{"policy", "check", "--env", "pr-5", "--levels-of", "dev"}, ExitOK, ""},
		{"levels of an impossible stack", []string{"policy", "check", "--env", "pr-5", "--levels-of", "Dev"}, ExitUsage, ""},
		{"an impossible stack name", []string{"policy", "check", "--env", "Pr_5"}, ExitUsage, ""},
		{"no stack", []string{"policy", "check"}, ExitUsage, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := run(t, tt.args...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d\n%s%s", code, tt.wantCode, stdout, stderr)
			}
			if tt.golden != "" {
				checkGolden(t, tt.golden, strings.ReplaceAll(stdout, catalog, "<catalog>"))
			}
		})
	}
}

// TestLevelsOfMustBeAShippedStack: a typo of dev is a valid ad-hoc name, whose levels are
// advisory; taken as it is, it would turn the pull-request gate off without a word.
func TestLevelsOfMustBeAShippedStack(t *testing.T) {
	code, stdout, stderr := run(t, "policy", "check", "--env", "pr-5", "--levels-of", "dve")
	if code != ExitUsage || stdout != "" || !strings.Contains(stderr, "--levels-of dve: there is no stack file stacks/Pulumi.dve.yaml") || !strings.Contains(stderr, "dev") {
		t.Errorf("exit %d, want %d with the shipped stacks named\nstdout: %s\nstderr: %s", code, ExitUsage, stdout, stderr)
	}
}

func TestPolicyCheckJSONCarriesWhatTheTextShows(t *testing.T) {
	catalog := latestCatalog(t)
	_, text, _ := run(t, "policy", "check", "--env", "staging", "--catalog", catalog)
	_, data, _ := run(t, "policy", "check", "--env", "staging", "--catalog", catalog, "--json")
	var report struct {
		Environment string `json:"environment"`
		Results     []struct {
			RuleID, Level, Kind, URN, Message string
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(data), &report); err != nil {
		t.Fatalf("--json does not parse: %v\n%s", err, data)
	}
	if report.Environment != "staging" || len(report.Results) == 0 {
		t.Fatalf("report = %+v", report)
	}
	for _, r := range report.Results {
		if !strings.Contains(text, r.RuleID) || !strings.Contains(text, r.URN) || !strings.Contains(text, r.Message) {
			t.Errorf("the text lacks %s %s %s", r.RuleID, r.URN, r.Message)
		}
	}
}

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *updateGolden {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./cmd/conveyor/cli -update writes it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs (check, then go test ./cmd/conveyor/cli -update):\n--- want\n%s\n--- got\n%s", path, want, got)
	}
}

func TestRenderAndExplain(t *testing.T) {
	code, yaml, stderr := run(t, "render", "--env", "local")
	if code != ExitOK {
		t.Fatalf("render exit %d: %s", code, stderr)
	}
	if !strings.HasPrefix(yaml, "apiVersion: v1\nkind: Namespace\n") || !strings.Contains(yaml, "name: conveyor-postgres") {
		t.Errorf("render output starts %q", yaml[:min(200, len(yaml))])
	}
	code, text, stderr := run(t, "explain", "--env", "prod", "--module", "claims", "--json")
	if code != ExitOK {
		t.Fatalf("explain exit %d: %s", code, stderr)
	}
	var explained []envview.Explanation
	if err := json.Unmarshal([]byte(text), &explained); err != nil {
		t.Fatal(err)
	}
	if len(explained) != 3 || explained[0].Component != "api" || !strings.Contains(explained[0].Image.From, "Pulumi.prod.yaml") {
		t.Fatalf("explanation = %+v", explained)
	}
	for _, s := range explained[0].Config {
		if s.Key == "LOG_LEVEL" && (s.Value != "warn" || s.Level != "module" || s.Line != 8 || len(s.Overrides) != 1 || s.Overrides[0].Level != "space") {
			t.Errorf("LOG_LEVEL = %+v", s)
		}
	}
	// An environment never deployed, without a stack file, runs the manifest's image: explain
	// names the line that says it.
	code, text, stderr = run(t, "explain", "--env", "pr-5", "--module", "claims", "--json")
	explained = nil
	if err := json.Unmarshal([]byte(text), &explained); code != ExitOK || err != nil {
		t.Fatalf("explain pr-5: exit %d, %v: %s", code, err, stderr)
	}
	if want := filepath.Join("stacks", "catalog", "claims", "claims.conveyor.yaml") + ":11"; len(explained) == 0 ||
		!strings.HasPrefix(explained[0].Image.From, "manifest ") || !strings.HasSuffix(explained[0].Image.From, want) {
		t.Errorf("pr-5's claims api image comes from %+v, want %s", explained, want)
	}
	if code, _, _ := run(t, "explain", "--env", "prod", "--module", "billing"); code != ExitUsage {
		t.Errorf("explaining an unknown module exits %d", code)
	}
}

// TestExplainNamesAnUnknownModuleFirst: a module that is not in the catalog is the one thing
// explain says, before it reaches for the backend (and warns when it cannot).
func TestExplainNamesAnUnknownModuleFirst(t *testing.T) {
	t.Setenv("PULUMI_CONFIG_PASSPHRASE", "")
	t.Setenv("PULUMI_CONFIG_PASSPHRASE_FILE", "")
	code, stdout, stderr := run(t, "explain", "--env", "dev", "--module", "nosuch")
	if want := "conveyor: there is no module \"nosuch\""; code != ExitUsage || stdout != "" || !strings.HasPrefix(stderr, want) || strings.Count(stderr, "\n") != 1 {
		t.Errorf("exit %d, want %d with the one line %q...\nstdout: %s\nstderr: %s", code, ExitUsage, want, stdout, stderr)
	}
}

// repoWithStackFile is the repository's project and catalog with one more stack file, as a
// developer's clone would have it.
func repoWithStackFile(t *testing.T, stack, content string) string {
	t.Helper()
	repo, err := filepath.Abs(filepath.Join("..", "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "stacks"), 0o755); err != nil {
		t.Fatal(err)
	}
	project, err := os.ReadFile(filepath.Join(repo, "Pulumi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for path, data := range map[string][]byte{
		"Pulumi.yaml": project,
		filepath.Join("stacks", "Pulumi."+stack+".yaml"): []byte(content),
	} {
		if err := os.WriteFile(filepath.Join(dir, path), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Join(repo, "stacks", "catalog"), filepath.Join(dir, "stacks", "catalog")); err != nil {
		t.Fatal(err)
	}
	return dir
}

// An ad-hoc environment whose stack file names cluster-prod renders nothing: it says which
// stack and which key are wrong.
func TestRenderRefusesTheProductionCluster(t *testing.T) {
	t.Setenv("CONVEYOR_REPO", repoWithStackFile(t, "pr-9", "config:\n  conveyor:cluster: cluster-prod\n"))
	var stdout, stderr bytes.Buffer
	code := Execute(context.Background(), []string{"render", "--env", "pr-9"}, &stdout, &stderr)
	want := "conveyor: evaluating the program for stack pr-9: stack pr-9: config conveyor:cluster is cluster-prod: " +
		"only prod runs on cluster-prod; pr-9 deploys onto another cluster (cluster-nonprod unless configured)\n"
	if code != ExitSetup || stderr.String() != want || stdout.Len() != 0 {
		t.Errorf("exit %d, want %d; stderr %q, want %q; stdout %d bytes", code, ExitSetup, stderr.String(), want, stdout.Len())
	}
}

// The pull request's offline check needs nothing but the repository: no passphrase, no
// backend, no cloud credentials, no home directory with a Pulumi login.
func TestPolicyCheckNeedsNoCredentials(t *testing.T) {
	for _, v := range []string{"PULUMI_CONFIG_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE_FILE", "PULUMI_BACKEND_URL", "PULUMI_ACCESS_TOKEN",
		"GOOGLE_APPLICATION_CREDENTIALS", "CLOUDSDK_CONFIG", "CONVEYOR_PROD_PASSPHRASE"} {
		t.Setenv(v, "")
	}
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("PULUMI_HOME", filepath.Join(home, "pulumi"))
	code, stdout, stderr := run(t, "policy", "check", "--env", "pr-5", "--levels-of", "dev")
	if code != ExitOK || !strings.Contains(stdout, "pr-5") {
		t.Errorf("exit %d\n%s%s", code, stdout, stderr)
	}
	if entries, _ := os.ReadDir(home); len(entries) != 0 {
		t.Errorf("the check wrote into the home directory: %v", entries)
	}
}
