package graph

import (
	"fmt"
	"io"
	"testing"

	"github.com/conveyor-paas/conveyor/tests/bench"
)

// BenchmarkGraph builds the graph of a synthetic catalog (tests/bench) and renders it as
// Mermaid and DOT: what `conveyor graph` and every pull-request comment cost, past loading.
func BenchmarkGraph(b *testing.B) {
	for _, n := range []int{10, 100, 1000} {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			dir := b.TempDir()
			if err := bench.WriteCatalog(dir, n); err != nil {
				b.Fatal(err)
			}
			cat := load(&testing.T{}, dir)
			b.ReportAllocs()
			for b.Loop() {
				g := Build(cat, Options{Title: "bench"})
				if err := g.WriteMermaid(io.Discard); err != nil {
					b.Fatal(err)
				}
				if err := g.WriteDOT(io.Discard); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
