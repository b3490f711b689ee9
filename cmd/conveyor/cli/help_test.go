package cli

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// TestHelpSaysWhereThePulumiCLIComesFrom: --help and the README describe the same order in
// which the Pulumi CLI is found (package pulumicli): PATH, then a download, then a build.
func TestHelpSaysWhereThePulumiCLIComesFrom(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{"conveyor --help": newRoot(io.Discard, io.Discard, defaultDeps()).Long, "README.md": string(readme)} {
		text = strings.Join(strings.Fields(text), " ")
		path, download, build := strings.Index(text, "on PATH"), strings.Index(text, "download"), strings.Index(text, "from `tools/pulumi`")
		if build < 0 {
			build = strings.Index(text, "from tools/pulumi")
		}
		if path < 0 || download < path || build < download {
			t.Errorf("%s does not say: a pulumi on PATH, else a download, else a build from tools/pulumi (at %d, %d, %d)", name, path, download, build)
		}
	}
}

// Every command that does something teaches by example in its --help.
func TestEveryCommandHasAnExample(t *testing.T) {
	var walk func(c *cobra.Command)
	count := 0
	walk = func(c *cobra.Command) {
		if c.Runnable() && c.Name() != "help" && c.Name() != "completion" {
			count++
			if c.Example == "" {
				t.Errorf("conveyor %s has no example in its help", c.CommandPath())
			}
			if c.Long == "" {
				t.Errorf("conveyor %s has no long description", c.CommandPath())
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newRoot(io.Discard, io.Discard, defaultDeps()))
	if count < 15 {
		t.Errorf("only %d commands found", count)
	}
}
