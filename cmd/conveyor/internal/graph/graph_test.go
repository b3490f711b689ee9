package graph

import (
	"bytes"
	"flag"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/goccy/go-graphviz"

	"github.com/conveyor-paas/conveyor/manifest"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func load(t *testing.T, dir string) *manifest.Catalog {
	t.Helper()
	cat, err := manifest.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// loops is the fixture with every mark: a cycle of two, a cycle of one, a topic nobody
// consumes, a module on a schedule and one in a space nobody may reach, a network path.
func loops(t *testing.T) *Graph {
	t.Helper()
	return Build(load(t, "testdata/loops"), Options{
		Title:   "loops",
		Changes: &Changes{Modules: map[string]Change{"a": Changed, "f": Added}, Spaces: map[string]Change{"core": Changed}},
		// A test double of the mesh field, which the manifest does not have yet.
		Meshed: func(s *manifest.Space) bool { return s.Name == "edge" },
	})
}

func TestBuildMarksCyclesDeadEndsAndTheUnreached(t *testing.T) {
	g := loops(t)
	var cycles, plain []string
	for _, e := range g.Events {
		label := e.From + "->" + e.To + ":" + e.Event
		if e.Cycle {
			cycles = append(cycles, label)
		} else {
			plain = append(plain, label)
		}
	}
	if want := []string{"a->b:x", "b->a:y", "c->c:ping"}; !slices.Equal(cycles, want) || len(plain) != 0 {
		t.Errorf("cycle edges %v, others %v; want %v and none", cycles, plain, want)
	}
	if want := []Topic{{"c", "gone"}}; !slices.Equal(g.Unconsumed, want) {
		t.Errorf("unconsumed = %v, want %v", g.Unconsumed, want)
	}
	var unreached []string
	for _, m := range g.Modules {
		if m.Unreached {
			unreached = append(unreached, m.Name)
		}
	}
	if want := []string{"d", "f"}; !slices.Equal(unreached, want) {
		t.Errorf("unreached = %v, want %v", unreached, want)
	}
	if want := []NetworkEdge{{From: "edge", To: "core"}}; !slices.Equal(g.Network, want) {
		t.Errorf("network = %v, want %v", g.Network, want)
	}
	if m := g.module("b"); !m.Database || !slices.Equal(m.Kinds, []string{"handler"}) {
		t.Errorf("b = %+v", m)
	}
}

// TestGolden renders the demo catalog and the fixture in every text format and as SVG, and
// compares them with the golden files (go test -update rewrites them).
func TestGolden(t *testing.T) {
	graphs := map[string]*Graph{
		"demo":  Build(load(t, "../../../../stacks/catalog"), Options{Title: "stacks/catalog", Meshed: Meshed}),
		"loops": loops(t),
	}
	for name, g := range graphs {
		for _, format := range []string{"mmd", "dot", SVG} {
			t.Run(name+"."+format, func(t *testing.T) {
				var b bytes.Buffer
				var err error
				switch format {
				case "mmd":
					err = g.WriteMermaid(&b)
				case "dot":
					err = g.WriteDOT(&b)
				default:
					err = g.WriteImage(t.Context(), &b, format)
				}
				if err != nil {
					t.Fatal(err)
				}
				golden := filepath.Join("testdata", name+"."+format)
				if *update {
					if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run go test -update to write it)", err)
				}
				if !bytes.Equal(b.Bytes(), want) {
					t.Errorf("%s differs from %s (go test -update rewrites it):\n%s", name, golden, b.String())
				}
			})
		}
	}
}

// TestPNG checks the image graphviz lays out: it decodes, it shows a changed module's fill,
// and it has far more dark pixels (outlines, edges) than go-graphviz's own PNG renderer
// draws for the same graph, which loses them (see pngRenderer).
func TestPNG(t *testing.T) {
	g := loops(t)
	var b bytes.Buffer
	if err := g.WriteImage(t.Context(), &b, PNG); err != nil {
		t.Fatal(err)
	}
	dark, changed := pixels(t, b.Bytes())

	gv, err := graphviz.New(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer gv.Close()
	parsed, err := graphviz.ParseBytes([]byte(g.DOT().String()))
	if err != nil {
		t.Fatal(err)
	}
	var own bytes.Buffer
	if err := gv.Render(t.Context(), parsed, graphviz.PNG, &own); err != nil {
		t.Fatal(err)
	}
	ownDark, _ := pixels(t, own.Bytes())
	if changed < 500 || dark < 2*ownDark {
		t.Errorf("%d dark pixels (go-graphviz's renderer: %d) and %d of a changed module's fill: outlines, edges or fills are missing", dark, ownDark, changed)
	}
}

// pixels decodes a PNG and counts its dark pixels and those of the changed fill.
func pixels(t *testing.T, data []byte) (dark, changed int) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			switch {
			case r < 0x6000 && g < 0x6000 && bl < 0x6000:
				dark++
			case r>>8 == 0xff && g>>8 == 0xf8 && bl>>8 == 0xc5: // fillChanged
				changed++
			}
		}
	}
	return dark, changed
}

func TestMeshedReadsTheSpaceFile(t *testing.T) {
	tests := []struct {
		text string
		want bool
	}{
		{"space: a\nteam: t@acme.io\n", false},
		{"space: a\nteam: t@acme.io\nmesh: true\n", true},
		{"space: a\nteam: t@acme.io\nmesh: false\n", false},
	}
	for i, tt := range tests {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "space.conveyor.yaml"), []byte(tt.text), 0o644); err != nil {
			t.Fatal(err)
		}
		if got := Meshed(load(t, dir).Spaces[0]); got != tt.want {
			t.Errorf("case %d %q: meshed = %v, want %v", i, tt.text, got, tt.want)
		}
	}
}
