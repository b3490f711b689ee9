package cli

import (
	"io"
	"testing"

	"github.com/spf13/cobra"
)

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
