package cli

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/comment"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/comment/githubtest"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/opsummary"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/status"
	"github.com/conveyor-paas/conveyor/policy/rules"
)

func writeJSON(t *testing.T, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "part.json")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestCommentCommand composes the comment of the repository's pr-7 from a preview's and a
// status's documents and a policy report given by another step, and keeps one comment up to
// date on a (test double of a) pull request across two pushes.
func TestCommentCommand(t *testing.T) {
	fake := githubtest.New("acme/platform", 7, "secret-token")
	fake.Add("a reviewer's comment")
	srv := httptest.NewServer(fake)
	defer srv.Close()
	t.Setenv("GITHUB_API_URL", srv.URL)
	t.Setenv("GITHUB_TOKEN", "secret-token")
	t.Setenv("GITHUB_BASE_REF", "")

	preview := writeJSON(t, opsummary.Summary{Operation: "preview", Environment: "pr-7", DryRun: true, Result: opsummary.Succeeded, Changes: map[string]int{"create": 3}})
	policy := writeJSON(t, rules.Report{Environment: "pr-7", Results: []rules.Result{{RuleID: "CONV-GATE-1", Level: rules.Mandatory, Kind: rules.Violation,
		URN: "urn:pulumi:pr-7::conveyor::kubernetes:apps/v1:Deployment::quotes-api", Message: "from the gate", Remediation: "fix it"}}})
	healthy := writeJSON(t, status.Report{Environment: "pr-7", Cluster: "cluster stack cluster-nonprod", Healthy: true})

	args := []string{"comment", "--env", "pr-7", "--preview", preview, "--policy-report", policy, "--changed-since", "HEAD", "--post", "acme/platform#7"}
	repo := gitRepoCopy(t)
	code, out, stderr := runIn(t, repo, args...)
	if code != ExitOK || !strings.Contains(stderr, "posted the comment of pr-7") {
		t.Fatalf("first push: exit %d\n%s", code, stderr)
	}
	for _, want := range []string{comment.Marker("pr-7"), "`http://quotes-api.pr-7-sales.svc.cluster.local:80`", "**3 to create**",
		"**The deployment is blocked.**", "from the gate", "This pull request changes no module.", "```mermaid", "Not deployed yet"} {
		if !strings.Contains(out, want) {
			t.Errorf("the comment lacks %q:\n%s", want, out)
		}
	}
	code, out, stderr = runIn(t, repo, append(args, "--status", healthy)...)
	if code != ExitOK || !strings.Contains(stderr, "updated the comment of pr-7") || !strings.Contains(out, "`pr-7` is healthy") {
		t.Fatalf("second push: exit %d\n%s%s", code, stderr, out)
	}
	bodies := fake.Bodies()
	if len(bodies) != 2 || bodies[0] != "a reviewer's comment" || bodies[1] != out {
		t.Errorf("the pull request's comments: %q", bodies)
	}

	// The parts, for a tool; without a policy report, policy/offline makes one.
	code, out, _ = run(t, "comment", "--env", "pr-7", "--json")
	p := decode[comment.Parts](t, out)
	if code != ExitOK || p.Policy == nil || p.Graph == nil || len(p.Endpoints) != 3 {
		t.Errorf("comment --json: exit %d, %+v", code, p)
	}

	t.Setenv("GITHUB_TOKEN", "")
	if code, _, _ := run(t, args...); code != ExitSetup {
		t.Errorf("--post without a token: exit %d, want %d", code, ExitSetup)
	}
	if code, _, _ := run(t, "comment", "--env", "pr-7", "--post", "not-a-pull-request"); code != ExitUsage {
		t.Errorf("a bad --post: exit %d, want %d", code, ExitUsage)
	}
}

// TestCommentPostsAComposedBody: the job that runs a pull request's program holds no
// GITHUB_TOKEN; it composes the comment into a file, and a job that runs no code of the pull
// request posts that file with --body. The file must be the environment's comment (its
// first line the environment's marker); nothing is posted otherwise.
func TestCommentPostsAComposedBody(t *testing.T) {
	fake := githubtest.New("acme/platform", 7, "secret-token")
	srv := httptest.NewServer(fake)
	defer srv.Close()
	t.Setenv("GITHUB_API_URL", srv.URL)
	t.Setenv("GITHUB_TOKEN", "secret-token")
	dir := t.TempDir()
	write := func(name, body string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	ours := comment.Marker("pr-7") + "\n## Conveyor: `pr-7`\n"
	repo := repoCopy(t)
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"the environment's comment", []string{"--body", write("ok.md", ours)}, ExitOK, "posted the comment of pr-7"},
		{"another environment's comment", []string{"--body", write("pr8.md", comment.Marker("pr-8")+"\n")}, ExitSetup,
			"pr8.md: line 1: is not the marker of pr-7"},
		{"no marker", []string{"--body", write("none.md", "hello\n")}, ExitSetup, "none.md: line 1: is not the marker of pr-7"},
		{"a missing file", []string{"--body", filepath.Join(dir, "missing.md")}, ExitSetup, "missing.md"},
		{"with parts to compose", []string{"--body", write("ok2.md", ours), "--preview", "preview.json"}, ExitUsage, "--body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"comment", "--env", "pr-7", "--post", "acme/platform#7"}, tt.args...)
			code, _, stderr := runIn(t, repo, args...)
			if code != tt.wantCode || !strings.Contains(stderr, tt.wantErr) {
				t.Errorf("exit %d, want %d saying %q:\n%s", code, tt.wantCode, tt.wantErr, stderr)
			}
		})
	}
	if diff := cmp.Diff([]string{ours}, fake.Bodies()); diff != "" {
		t.Errorf("the pull request's comments (-want +got):\n%s", diff)
	}
}
