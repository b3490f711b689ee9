package realengine

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/opsummary"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackopstest"
	"github.com/conveyor-paas/conveyor/policy/offline"
	"github.com/conveyor-paas/conveyor/tests/bench"
)

// benchCatalog is a catalog the benchmarks deploy, and the module and component a deploy
// changes the image of.
type benchCatalog struct {
	name              string
	env               string                 // the ad-hoc local environment it is deployed as
	write             func(dir string) error // nil: the demo catalog
	module, component string                 // what a deploy changes
	image             func(i int) string     // the image of the i-th deploy
}

var benchCatalogs = []benchCatalog{
	{name: "demo", env: "local-demo", module: "quotes", component: "api", image: tagged("ghcr.io/acme/quotes")},
	{name: "uniform-10", env: "local-u10", write: writer(bench.WriteUniformCatalog, 10), module: "module0001", component: "nightly", image: tagged("ghcr.io/acme/module0001")},
	{name: "uniform-50", env: "local-u50", write: writer(bench.WriteUniformCatalog, 50), module: "module0001", component: "nightly", image: tagged("ghcr.io/acme/module0001")},
	{name: "generator-10", env: "local-g10", write: writer(bench.WriteCatalog, 10), module: "module0001", component: "api", image: tagged("ghcr.io/acme/module0001")},
	{name: "generator-50", env: "local-g50", write: writer(bench.WriteCatalog, 50), module: "module0001", component: "api", image: tagged("ghcr.io/acme/module0001")},
}

func writer(write func(string, int) error, n int) func(string) error {
	return func(dir string) error { return write(dir, n) }
}

func tagged(repo string) func(int) string {
	return func(i int) string { return fmt.Sprintf("%s:9.%d.0", repo, i) }
}

// benchSettings are the engine settings an environment's benchmarks run under: the CLI's
// environment variables. CONVEYOR_BENCH_SETTINGS picks some by name (comma-separated);
// "default" and "every-checkpoint" run unless it is set.
var benchSettings = []struct {
	name string
	env  map[string]string
}{
	// What conveyor does: the benchmarks' environments are local ones, which skip the
	// engine's intermediate checkpoints (stackops/state_checkpoints.go).
	{"default", nil},
	// A checkpoint after every step: how every environment ran before issue 14, and how
	// environments on GKE run.
	{"every-checkpoint", map[string]string{"PULUMI_SKIP_CHECKPOINTS": "false"}},
	// The engine runs 4 steps per CPU at once by default (8 here), and most of a step's time
	// is the provider waiting for the cluster.
	{"parallel-32", map[string]string{"PULUMI_PARALLEL": "32"}},
	// The kubernetes provider's client allows 50 requests a second (burst 120) by default.
	{"k8s-qps", map[string]string{"PULUMI_K8S_CLIENT_QPS": "500", "PULUMI_K8S_CLIENT_BURST": "1000"}},
	{"parallel-diff", map[string]string{"PULUMI_PARALLEL_DIFF": "true"}},
	// What the conveyor command adds: the policy gate before every preview and update (an
	// offline evaluation of the environment), whose fingerprint lets an operation that would
	// change nothing skip the engine (stackops/op_unchanged.go).
	{gatedSetting, nil},
	// The environment split into a base and a stack per module after its up (issue 24,
	// `conveyor env split`): the deploy runs on its module's stack alone; with the gate too.
	{splitSetting, nil},
	{splitGatedSetting, nil},
}

const (
	gatedSetting      = "gated"
	splitSetting      = "split"
	splitGatedSetting = "split-gated"
)

func chosen(name, list, defaults string) bool {
	if list == "" {
		list = defaults
	}
	for _, s := range strings.Split(list, ",") {
		if strings.TrimSpace(s) == name {
			return true
		}
	}
	return false
}

// BenchmarkEnvironment measures, for each catalog and settings, what a team waits for:
//
//	up       an up from nothing (each further iteration destroys first, off the clock)
//	preview  a preview with no change
//	deploy   a deploy of one module's new image
//
// in that order on one environment, which is destroyed at the end. Each reports the
// resources, the time per resource, the CPU time of the whole operation (this process, the
// Pulumi CLI and the plugins) and the size of the state file. CONVEYOR_BENCH_CATALOGS and
// CONVEYOR_BENCH_SETTINGS choose catalogs and settings by name (comma-separated).
func BenchmarkEnvironment(b *testing.B) {
	f := setup(b)
	for _, cat := range benchCatalogs {
		if !chosen(cat.name, os.Getenv("CONVEYOR_BENCH_CATALOGS"), "demo,uniform-10,uniform-50,generator-10,generator-50") {
			continue
		}
		for _, set := range benchSettings {
			if !chosen(set.name, os.Getenv("CONVEYOR_BENCH_SETTINGS"), "default,every-checkpoint") {
				continue
			}
			b.Run("catalog="+cat.name+"/settings="+set.name, func(b *testing.B) {
				benchEnvironment(b, f, cat, set.env, set.name == gatedSetting || set.name == splitGatedSetting, strings.HasPrefix(set.name, splitSetting))
			})
		}
	}
}

func benchEnvironment(b *testing.B, f *fixture, cat benchCatalog, settings map[string]string, gated, split bool) {
	b.Helper()
	ctx := context.Background()
	dir := f.demoCatalog()
	if cat.write != nil {
		dir = b.TempDir()
		if err := cat.write(dir); err != nil {
			b.Fatal(err)
		}
	}
	backend := stackopstest.NewEnv(b)
	c := f.newClone(b, backend, settings)
	if gated {
		c = c.withGate(b, commandGate(c.opts.WorkDir))
	}
	c.configure(b, cat.env, dir)
	deployed := false
	b.Cleanup(func() {
		if deployed {
			// A split environment's module stacks first, then its base.
			stacks, _ := c.e.Workspace().ListStacks(ctx)
			for _, st := range stacks {
				if strings.HasPrefix(st.Name, cat.env+".") {
					if _, err := c.e.Destroy(ctx, st.Name, st.Name, stackops.RunOptions{}); err != nil {
						b.Errorf("destroying %s: %v", st.Name, err)
					}
				}
			}
			if _, err := c.e.Destroy(ctx, cat.env, cat.env, stackops.RunOptions{}); err != nil {
				b.Errorf("destroying %s: %v", cat.env, err)
			}
		}
	})
	up := func(b *testing.B) *opsummary.Summary {
		b.Helper()
		s, err := c.e.Up(ctx, cat.env, stackops.RunOptions{})
		if err != nil {
			b.Fatalf("up of %s: %v", cat.env, err)
		}
		deployed = true
		return s
	}

	b.Run("op=up", func(b *testing.B) {
		var s *opsummary.Summary
		m := startMeasure(b)
		for i := range b.N {
			if deployed {
				m.pause()
				if _, err := c.e.Destroy(ctx, cat.env, cat.env, stackops.RunOptions{}); err != nil {
					b.Fatal(err)
				}
				deployed = false
				m.resume()
			}
			s = up(b)
			_ = i
		}
		m.report(b, s.Changes[opsummary.OpCreate], c.stateBytes(b, cat.env))
	})
	if !deployed {
		up(b)
	}
	if split {
		b.Run("op=split", func(b *testing.B) {
			m := startMeasure(b)
			for range b.N {
				if _, err := c.e.Split(ctx, cat.env); err != nil {
					b.Fatal(err)
				}
			}
			m.report(b, 0, c.stateBytes(b, cat.env))
		})
	}
	b.Run("op=preview", func(b *testing.B) {
		var s *opsummary.Summary
		m := startMeasure(b)
		for range b.N {
			var err error
			if s, err = c.e.Preview(ctx, cat.env, stackops.RunOptions{}); err != nil {
				b.Fatal(err)
			}
			if s.HasChanges() {
				b.Fatalf("a preview right after up changes %v: %v", s.Changes, s.Resources)
			}
		}
		m.report(b, s.Changes[opsummary.OpSame], c.stateBytes(b, cat.env))
	})
	b.Run("op=deploy", func(b *testing.B) {
		var s *opsummary.Summary
		m := startMeasure(b)
		for i := range b.N {
			var err error
			req := stackops.DeployRequest{Env: cat.env, Module: cat.module, Component: cat.component, Image: cat.image(i)}
			if s, err = c.e.Deploy(ctx, req, stackops.RunOptions{}); err != nil {
				b.Fatal(err)
			}
			if !s.HasChanges() {
				b.Fatalf("the deploy of %s changed nothing", req.Image)
			}
		}
		m.report(b, len(s.Targets), c.stateBytes(b, cat.env))
	})
}

// stateBytes is the size of env's state file in the clone's file backend.
func (c *clone) stateBytes(b *testing.B, env string) int64 {
	b.Helper()
	fi, err := os.Stat(c.checkpointFile(env))
	if err != nil {
		b.Fatalf("the state file of %s: %v", env, err)
	}
	return fi.Size()
}

// measure times a benchmark's operations in wall and CPU time; the CPU time includes the
// Pulumi CLI's and the plugins' (children reaped when the CLI exits), which on a shared
// machine varies much less than the wall time.
type measure struct {
	b        *testing.B
	cpuStart time.Duration
	cpuPause time.Duration
	paused   time.Duration
}

func startMeasure(b *testing.B) *measure {
	b.Helper()
	b.ResetTimer()
	return &measure{b: b, cpuStart: cpuTime(b)}
}

func (m *measure) pause() {
	m.b.StopTimer()
	m.cpuPause = cpuTime(m.b)
}

func (m *measure) resume() {
	m.paused += cpuTime(m.b) - m.cpuPause
	m.b.StartTimer()
}

func (m *measure) report(b *testing.B, resources int, state int64) {
	b.Helper()
	b.StopTimer()
	cpu := cpuTime(b) - m.cpuStart - m.paused
	elapsed := b.Elapsed()
	b.ReportMetric(float64(resources), "resources")
	if resources > 0 {
		b.ReportMetric(float64(elapsed.Milliseconds())/float64(b.N)/float64(resources), "ms/resource")
	}
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
	if state > 0 {
		b.ReportMetric(float64(state)/(1<<20), "state-MiB")
	}
}

// BenchmarkFixedCost measures what every stack operation costs whatever its size, which a
// split of an environment into many stacks multiplies:
//
//	cli       a preview of a stack with no resource: the CLI's start, the engine, the program
//	plugin    a preview of one ConfigMap through an explicit kubernetes provider, which adds
//	          the plugin's start, its configuration and one diff
//	noop-up   an up of that stack with nothing to change
//	engine    Conveyor's stackops.Preview of the same stack, which adds its bookkeeping: stack
//	          selection, restoring config, reading the deployed images
func BenchmarkFixedCost(b *testing.B) {
	f := setup(b)
	ctx := context.Background()
	backend := stackopstest.NewEnv(b)
	const stack = "local-tiny"
	tiny := func(withConfigMap bool) pulumi.RunFunc {
		return func(ctx *pulumi.Context) error {
			if !withConfigMap {
				return nil
			}
			p, err := kubernetes.NewProvider(ctx, "kubernetes", &kubernetes.ProviderArgs{Context: pulumi.String(kubeContext)})
			if err != nil {
				return err
			}
			_, err = corev1.NewConfigMap(ctx, "tiny", &corev1.ConfigMapArgs{
				Metadata: &metav1.ObjectMetaArgs{Name: pulumi.String("conveyor-tiny"), Namespace: pulumi.String("default")},
				Data:     pulumi.StringMap{"k": pulumi.String("v")},
			}, pulumi.Provider(p))
			return err
		}
	}
	stackFor := func(b *testing.B, program pulumi.RunFunc) (auto.Stack, *stackops.Runner) {
		b.Helper()
		opts := backend.Options(b, program)
		opts.ExtraEnv["PATH"] = f.plugins + string(os.PathListSeparator) + os.Getenv("PATH")
		opts.ExtraEnv["KUBECONFIG"] = f.kube.Kubeconfig
		e, err := stackops.New(ctx, opts)
		if err != nil {
			b.Fatal(err)
		}
		st, err := auto.UpsertStack(ctx, stack, e.Workspace())
		if err != nil {
			b.Fatal(err)
		}
		return st, e
	}
	b.Run("op=cli", func(b *testing.B) {
		st, _ := stackFor(b, tiny(false))
		timed(b, 0, func() error { _, err := st.Preview(ctx, optpreview.Color("never")); return err })
	})
	st, e := stackFor(b, tiny(true))
	b.Run("op=plugin", func(b *testing.B) {
		timed(b, 1, func() error { _, err := st.Preview(ctx, optpreview.Color("never")); return err })
	})
	if _, err := st.Up(ctx, optup.Color("never")); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if _, err := st.Destroy(ctx); err != nil {
			b.Errorf("destroying %s: %v", stack, err)
		}
	})
	b.Run("op=noop-up", func(b *testing.B) {
		timed(b, 1, func() error { _, err := st.Up(ctx, optup.Color("never")); return err })
	})
	b.Run("op=engine", func(b *testing.B) {
		timed(b, 1, func() error { _, err := e.Preview(ctx, stack, stackops.RunOptions{}); return err })
	})
}

// timed runs op b.N times and reports it, with no state size.
func timed(b *testing.B, resources int, op func() error) {
	b.Helper()
	m := startMeasure(b)
	for range b.N {
		if err := op(); err != nil {
			b.Fatal(err)
		}
	}
	m.report(b, resources, 0)
}

// commandGate is the conveyor command's policy gate (cmd/conveyor/cli/gate.go): the offline
// policy check of what the engine is about to run, handing back the evaluation's fingerprint.
func commandGate(root string) stackops.Gate {
	return func(_ context.Context, env string, in stackops.GateInput) (stackops.GateResult, error) {
		values, secrets := in.StackConfig()
		report, rec, err := offline.Check(offline.Options{Root: root, Stack: env, StackConfig: values, SecretKeys: secrets, Deployed: in.Deployed})
		if err != nil {
			return stackops.GateResult{}, err
		}
		if report.HasMandatoryViolations() {
			return stackops.GateResult{}, fmt.Errorf("the policy pack refuses %s", env)
		}
		return stackops.GateResult{Fingerprint: rec.Fingerprints().Environment()}, nil
	}
}

// withGate is the clone with its Runner gated by gate.
func (c *clone) withGate(tb testing.TB, gate stackops.Gate) *clone {
	tb.Helper()
	opts := c.opts
	opts.Gate = gate
	e, err := stackops.New(context.Background(), opts)
	if err != nil {
		tb.Fatal(err)
	}
	return &clone{f: c.f, backend: c.backend, opts: opts, e: e}
}
