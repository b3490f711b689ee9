package cli

import (
	"strings"
	"testing"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackopstest"
)

// TestExplainShowsTheDeployedImage: explain shows the image the next up runs, the one a
// deploy set in the backend, and names the update that set it, not the committed file's
// (issue 17.3).
func TestExplainShowsTheDeployedImage(t *testing.T) {
	env := stackopstest.NewEnv(t)
	c := newClone(t, env)
	c.must(ExitOK, "up", "--env", "dev")
	before := c.must(ExitOK, "explain", "--env", "dev", "--module", "quotes")
	if strings.Contains(before, "quotes:9") {
		t.Fatalf("explain shows an image nobody deployed yet:\n%s", before)
	}
	c.must(ExitOK, "deploy", "--env", "dev", "--module", "quotes", "--image", "registry.example.com/quotes:9")
	out := c.must(ExitOK, "explain", "--env", "dev", "--module", "quotes")
	var line string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "image") && strings.Contains(out, "quotes/api") {
			line = l
			break
		}
	}
	if !strings.Contains(line, "registry.example.com/quotes:9") || !strings.Contains(line, "deployed by update 2 of dev (tester,") {
		t.Errorf("explain's image line is %q, want the deployed image and the update that set it:\n%s", line, out)
	}
}
