package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackopstest"
)

// TestSecretCommands: a module declares a secret; until it has a value, `secret list` says
// so and `up` stops before the engine with the setup exit code and the command to run; once
// set from a file it is listed as set (never its value) and `up` runs; unset, it is missing
// again. A name the module does not declare is a usage error.
func TestSecretCommands(t *testing.T) {
	env := stackopstest.NewEnv(t)
	c := newClone(t, env)
	work := c.opts.WorkDir
	write := func(rel, text string) string {
		t.Helper()
		path := filepath.Join(work, rel)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	write("stacks/Pulumi.local.yaml", "config: {}\n")
	write("stacks/catalog/sales.conveyor.yaml", "space: sales\nteam: sales@example.com\n")
	write("stacks/catalog/quotes.conveyor.yaml", "module: quotes\nspace: sales\nsecrets: [API_KEY]\n"+
		"components:\n  api: {image: ghcr.io/acme/quotes:1.0.0}\n")
	const value = "sk_live_cli_5e6f7a8b"
	file := write("value.txt", value)

	if out := c.must(ExitFailed, "secret", "list", "--env", "local"); !strings.Contains(out, "API_KEY  unset") {
		t.Errorf("list before set:\n%s", out)
	}
	_, stderr, code := c.run("up", "--env", "local")
	if code != ExitSetup || !strings.Contains(stderr, "conveyor secret set --env local --module quotes API_KEY") {
		t.Errorf("up without the value: exit %d, want %d naming the command to run:\n%s", code, ExitSetup, stderr)
	}
	c.must(ExitUsage, "secret", "set", "--env", "local", "--module", "quotes", "OTHER", "--from-file", file)
	c.must(ExitUsage, "secret", "set", "--module", "quotes", "API_KEY", "--from-file", file)
	c.must(ExitOK, "secret", "set", "--env", "local", "--module", "quotes", "API_KEY", "--from-file", file)
	out := c.must(ExitOK, "secret", "list", "--env", "local", "--json")
	states := decode[[]stackops.SecretState](t, out)
	if len(states) != 1 || !states[0].Set || states[0].Name != "API_KEY" {
		t.Errorf("list after set: %+v", states)
	}
	if strings.Contains(out, value) {
		t.Errorf("list prints the value:\n%s", out)
	}
	c.must(ExitOK, "up", "--env", "local")
	c.must(ExitOK, "secret", "unset", "--env", "local", "--module", "quotes", "API_KEY")
	c.must(ExitFailed, "secret", "list", "--env", "local")
}
