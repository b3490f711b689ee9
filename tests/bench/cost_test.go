package bench

import (
	"fmt"
	"testing"
	"time"

	"github.com/conveyor-paas/conveyor/evaluation/cost"
	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/stacks"
)

// BenchmarkCost is `conveyor cost --env pr-1`: evaluate the environment and its cluster
// stack offline, read their usage and price it (issue 30). No engine call. Only the cluster
// stack's file is read, as in evaluate.
func BenchmarkCost(b *testing.B) {
	prices := cost.Committed()
	for _, n := range sizes {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			dir := catalog(b, n)
			b.ReportAllocs()
			modules, start := 0, time.Now()
			cpu := cpuTime(b)
			for b.Loop() {
				est, err := stacks.EstimateCost(stacks.EvaluateOptions{Root: root, Stack: "pr-1", Config: map[string]string{"conveyor:catalog": dir}, Shipped: []string{naming.NonprodCluster}}, prices)
				if err != nil {
					b.Fatal(err)
				}
				modules = 0
				for _, s := range est.Spaces {
					modules += len(s.Modules)
				}
			}
			reportCPU(b, cpu)
			b.ReportMetric(float64(modules), "modules")
			b.ReportMetric(float64(modules)*float64(b.N)/time.Since(start).Seconds(), "modules/s")
		})
	}
}
