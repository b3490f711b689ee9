package bench

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/conveyor-paas/conveyor/evaluation"
	"github.com/conveyor-paas/conveyor/manifest"
	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/policy/rules"
	"github.com/conveyor-paas/conveyor/stacks"
)

// Sizes are the catalog sizes every benchmark runs at.
var sizes = []int{10, 100, 1000}

var root, _ = filepath.Abs("../..")

func catalog(b *testing.B, n int) string {
	b.Helper()
	dir := b.TempDir()
	if err := WriteCatalog(dir, n); err != nil {
		b.Fatal(err)
	}
	return dir
}

// evaluate runs the environment program for an ad-hoc environment over the catalog. It reads
// no stack file (Shipped is empty), so a developer's own pr-1 file cannot change what is
// measured.
func evaluate(b *testing.B, dir string) *evaluation.Recording {
	b.Helper()
	rec, err := stacks.Evaluate(stacks.EvaluateOptions{Root: root, Stack: "pr-1", Config: map[string]string{"conveyor:catalog": dir}, Shipped: []string{}})
	if err != nil {
		b.Fatal(err)
	}
	return rec
}

// reportCPU reports the CPU time per operation since start (a cpuTime): on a shared machine it
// varies much less than the time per operation, which includes waiting for a CPU.
func reportCPU(b *testing.B, start time.Duration) {
	b.Helper()
	b.ReportMetric(float64(cpuTime(b)-start)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}

func perSecond(b *testing.B, resources int, elapsed time.Duration) {
	b.Helper()
	b.ReportMetric(float64(resources)*float64(b.N)/elapsed.Seconds(), "resources/s")
	b.ReportMetric(float64(resources), "resources")
}

// BenchmarkLoad reads, decodes and checks a catalog.
func BenchmarkLoad(b *testing.B) {
	for _, n := range sizes {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			dir := catalog(b, n)
			b.ReportAllocs()
			cpu := cpuTime(b)
			for b.Loop() {
				if _, err := manifest.Load(dir); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, cpu)
		})
	}
}

// BenchmarkEvaluate evaluates the whole environment program under mocks.
func BenchmarkEvaluate(b *testing.B) {
	for _, n := range sizes {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			dir := catalog(b, n)
			b.ReportAllocs()
			resources, start := 0, time.Now()
			cpu := cpuTime(b)
			for b.Loop() {
				resources = len(evaluate(b, dir).Resources)
			}
			reportCPU(b, cpu)
			perSecond(b, resources, time.Since(start))
		})
	}
}

// BenchmarkNames computes every name an environment of the catalog needs.
func BenchmarkNames(b *testing.B) {
	for _, n := range sizes {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			cat, err := manifest.Load(catalog(b, n))
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			names := 0
			cpu := cpuTime(b)
			for b.Loop() {
				names = allNames(cat, "pr-1")
			}
			reportCPU(b, cpu)
			b.ReportMetric(float64(names), "names")
		})
	}
}

func allNames(cat *manifest.Catalog, env string) int {
	names := 0
	for _, s := range cat.Spaces {
		_ = naming.Namespace(env, s.Name)
		names++
	}
	for _, m := range cat.Modules {
		_, _, _, _ = naming.ServiceAccountID(env, m.Name), naming.Database(env, m.Name), naming.DatabaseSecret(m.Name), naming.KubernetesServiceAccount(m.Name)
		names += 4
		for _, c := range m.ComponentNames() {
			_, _ = naming.Workload(m.Name, c), naming.KubernetesLabels(naming.Scope{Environment: env, Space: m.Space, Module: m.Name, Component: c})
			names += 2
		}
		for _, e := range m.Publishes {
			_ = naming.Topic(env, m.Space, m.Name, e)
			names++
		}
		for _, ref := range m.ConsumedEvents() {
			from := cat.Module(ref.Module).Space
			_, _ = naming.Subscription(env, m.Space, m.Name, from, ref.Module, ref.Event), naming.DeadLetterTopic(env, m.Space, m.Name, from, ref.Module, ref.Event)
			names += 2
		}
	}
	return names
}

// BenchmarkPolicyCheck is the offline policy check of a pull request: evaluate the program,
// then run every rule over what it would create.
func BenchmarkPolicyCheck(b *testing.B) {
	for _, n := range sizes {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			dir := catalog(b, n)
			b.ReportAllocs()
			resources, start := 0, time.Now()
			cpu := cpuTime(b)
			for b.Loop() {
				rec := evaluate(b, dir)
				report := rules.Evaluate("pr-1", Resources(rec), rules.Config{})
				if report.HasMandatoryViolations() {
					b.Fatalf("the synthetic catalog violates the pack: %v", report.Summary())
				}
				resources = len(rec.Resources)
			}
			reportCPU(b, cpu)
			perSecond(b, resources, time.Since(start))
		})
	}
}

// BenchmarkPolicyRules runs only the rules, over a recording made once.
func BenchmarkPolicyRules(b *testing.B) {
	for _, n := range sizes {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			resources := Resources(evaluate(b, catalog(b, n)))
			b.ReportAllocs()
			start := time.Now()
			cpu := cpuTime(b)
			for b.Loop() {
				rules.Evaluate("pr-1", resources, rules.Config{})
			}
			reportCPU(b, cpu)
			perSecond(b, len(resources), time.Since(start))
		})
	}
}
