package cli

import (
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/envview"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackopstest"
	"github.com/conveyor-paas/conveyor/naming"
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

// TestStatusDesiresTheDeployedImage: status compares the pods with the image the next up
// runs, by the program's own rule: after a deploy, the deployed image, the one explain shows,
// not the stack file's or the manifest's (issue 27, defect 1). This is the desired state
// TestStatusAndLogsReadTheCluster then reads a cluster against.
func TestStatusDesiresTheDeployedImage(t *testing.T) {
	ctx := t.Context()
	c := newClone(t, stackopstest.NewEnv(t))
	c.must(ExitOK, "up", "--env", "dev")
	demo, err := filepath.Abs(filepath.Join("..", "..", "..", "stacks", "catalog"))
	if err != nil {
		t.Fatal(err)
	}
	c.setConfig("dev", "conveyor:catalog", demo)
	const image = "registry.example.com/quotes:9"
	c.must(ExitOK, "deploy", "--env", "dev", "--module", "quotes", "--image", image)

	r, err := c.deps.runner(ctx, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	stack, err := naming.ParseStack("dev")
	if err != nil {
		t.Fatal(err)
	}
	v, err := envview.Open(ctx, envview.Source{Root: r.WorkDir(), Stack: stack, Backend: r})
	if err != nil {
		t.Fatal(err)
	}
	desired, err := v.Desired(ctx, "quotes")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range desired.Modules {
		for _, w := range m.Workloads {
			if w.Component == "api" {
				got = append(got, w.Image)
			}
		}
	}
	if diff := cmp.Diff([]string{image}, got); diff != "" {
		t.Errorf("the image status desires for quotes/api (-want +got):\n%s", diff)
	}
	explained := decode[[]envview.Explanation](t, c.must(ExitOK, "explain", "--env", "dev", "--module", "quotes", "--json"))
	for _, x := range explained {
		if x.Component == "api" && x.Image.Value != image {
			t.Errorf("explain shows %s for quotes/api, status desires %s", x.Image.Value, image)
		}
	}
}
