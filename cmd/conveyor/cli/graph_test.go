package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/graph"
)

// TestGraphCommand draws the repository's catalogs from the command line.
func TestGraphCommand(t *testing.T) {
	code, out, stderr := run(t, "graph")
	golden := readFile(t, filepath.Join("..", "internal", "graph", "testdata", "demo.mmd"))
	if code != ExitOK || out != golden {
		t.Errorf("graph: exit %d, want the demo catalog's golden Mermaid:\n%s%s", code, out, stderr)
	}

	// The README shows the same graph, and must not go stale.
	readme := readFile(t, filepath.Join("..", "..", "..", "README.md"))
	_, after, _ := strings.Cut(readme, "The demo catalog ([as SVG](cmd/conveyor/internal/graph/testdata/demo.svg)):\n\n```mermaid\n")
	shown, _, _ := strings.Cut(after, "```")
	if shown != golden {
		t.Errorf("the README's graph is not what `conveyor graph` draws; paste this into it:\n%s", golden)
	}

	code, out, _ = run(t, "graph", "--env", "dev", "--json")
	g := decode[graph.Graph](t, out)
	if code != ExitOK || g.Title != "dev" || len(g.Modules) != 4 || len(g.Unconsumed) != 2 {
		t.Errorf("graph --env dev --json: exit %d, %+v", code, g)
	}

	svg := filepath.Join(t.TempDir(), "graph.svg")
	if code, _, stderr := run(t, "graph", "--format", "svg", "--output", svg); code != ExitOK {
		t.Fatalf("graph --format svg: exit %d: %s", code, stderr)
	}
	if text := readFile(t, svg); !strings.Contains(text, "<svg") || !strings.Contains(text, "quote&#45;accepted") {
		t.Errorf("the SVG does not draw the demo catalog:\n%s", text)
	}

	// Nothing changed since HEAD in the catalog: no module is coloured.
	code, out, stderr = runIn(t, gitRepoCopy(t), "graph", "--changed-since", "HEAD")
	if code != ExitOK || strings.Contains(out, "class m_") {
		t.Errorf("graph --changed-since HEAD: exit %d\n%s%s", code, out, stderr)
	}

	for _, args := range [][]string{{"graph", "--format", "jpeg"}, {"graph", "--env", "dev", "--catalog", "x"}, {"graph", "--env", "Not_An_Env"}} {
		if code, _, _ := run(t, args...); code != ExitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, ExitUsage)
		}
	}
	if code, _, _ := run(t, "graph", "--catalog", filepath.Join(t.TempDir(), "none")); code != ExitSetup {
		t.Errorf("a catalog that does not exist: exit %d, want %d", code, ExitSetup)
	}
	if _, err := os.Stat(svg); err != nil {
		t.Fatal(err)
	}
}
