package dora

import (
	"fmt"
	"testing"
	"time"
)

// The benchmark lives here rather than in tests/bench, which cannot import a package
// internal to the conveyor command; tests/bench/README.md keeps its numbers with the others.

// BenchmarkDora is the computation of `conveyor dora` over a history of N modules, each
// deployed every 6 hours for 90 days with every tenth deploy fixed within the hour and every
// twentieth rolled back: 360 changes a module, 360,000 at N=1,000. Reading the history from
// the backend is the engine's `pulumi stack history`, not measured here.
func BenchmarkDora(b *testing.B) {
	until := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	since := until.Add(-90 * 24 * time.Hour)
	for _, n := range []int{10, 100, 1000} {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			changes := doraHistory(n, since, until)
			b.ReportAllocs()
			start := time.Now()
			for b.Loop() {
				r := Compute(changes, Options{Since: since, Until: until, FixWindow: time.Hour})
				if r.Total.Deployments == 0 {
					b.Fatal("no deployment counted")
				}
			}
			b.ReportMetric(float64(len(changes)), "changes")
			b.ReportMetric(float64(len(changes))*float64(b.N)/time.Since(start).Seconds(), "changes/s")
		})
	}
}

func doraHistory(n int, since, until time.Time) []Change {
	var out []Change
	for m := range n {
		module := fmt.Sprintf("module%04d", m)
		i := 0
		for t := since; t.Before(until); t = t.Add(6 * time.Hour) {
			i++
			out = append(out, Change{Update: len(out) + 1, Time: t, Module: module, Kind: Deploy, SourceTime: t.Add(-3 * time.Hour)})
			switch {
			case i%20 == 0:
				out = append(out, Change{Update: len(out) + 1, Time: t.Add(2 * time.Hour), Module: module, Kind: Rollback})
			case i%10 == 0:
				out = append(out, Change{Update: len(out) + 1, Time: t.Add(30 * time.Minute), Module: module, Kind: Deploy, SourceTime: t})
			}
		}
	}
	return out
}
