package cli

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackopstest"
)

// trackedStackFiles are committed stack files as the repository ships them: comments, seed
// images, no encryptionsalt.
var trackedStackFiles = map[string]string{
	"Pulumi.local.yaml": "# The whole platform on the current kubeconfig context.\nconfig: {}\n",
	"Pulumi.dev.yaml": "# dev follows main.\nconfig:\n  conveyor:images:\n    quotes:\n" +
		"      api: quotes:1\n",
	"Pulumi.staging.yaml": "# staging runs what is about to be promoted.\nconfig:\n  conveyor:images:\n" +
		"    quotes:\n      api: quotes:1\n",
}

// TestCommandsLeaveGitClean runs the commands a developer or a pipeline runs in a git
// repository and checks after each that `git status --porcelain` is as clean as before
// (issue 17.2): no command rewrites a committed stack file (comments dropped, an
// encryptionsalt or deployed images written into it).
func TestCommandsLeaveGitClean(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatal("git is needed: the repository's own commands use it")
	}
	env := stackopstest.NewEnv(t)
	c := newClone(t, env)
	if _, err := stackops.New(context.Background(), c.opts); err != nil { // writes Pulumi.yaml
		t.Fatal(err)
	}
	work := c.opts.WorkDir
	for name, text := range trackedStackFiles {
		if err := os.WriteFile(filepath.Join(work, "stacks", name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ignore, err := os.ReadFile(filepath.Join(stackopstest.RepoRoot(t), ".gitignore"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(work, ".gitignore"), ignore, 0o644); err != nil {
		t.Fatal(err)
	}
	git := func(args ...string) string {
		t.Helper()
		return gitIn(t, work, args...)
	}
	commitAll(t, work)

	steps := [][]string{
		{"up", "--env", "local"},
		{"up", "--env", "dev"},
		{"preview", "--env", "dev"},
		{"drift", "--env", "dev"},
		{"deploy", "--env", "dev", "--module", "quotes", "--image", "quotes:2"},
		{"up", "--env", "staging"},
		{"promote", "--from", "dev", "--to", "staging"},
		{"promote", "--from", "dev", "--to", "staging", "--yes"},
		{"env", "create", "pr-1", "--from", "dev", "--ttl", "2h"},
		{"up", "--env", "pr-1"},
		{"env", "list"},
		{"history", "--env", "dev"},
		{"rollback", "--env", "dev", "--module", "quotes"},
		{"destroy", "--env", "pr-1"},
		{"refresh", "--env", "dev"},
	}
	for _, args := range steps {
		c.must(ExitOK, args...)
		if st := git("status", "--porcelain"); st != "" {
			t.Errorf("after conveyor %s, git status says:\n%s", strings.Join(args, " "), st)
			for name := range trackedStackFiles {
				data, _ := os.ReadFile(filepath.Join(work, "stacks", name))
				t.Logf("%s now:\n%s", name, data)
			}
			git("checkout", "--", ".")
		}
	}
}
