package realengine

import (
	"context"
	"flag"
	"fmt"
	"io/fs"
	"log"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"k8s.io/client-go/rest"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/pulumicli"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackopstest"
	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/stacks"
	"github.com/conveyor-paas/conveyor/tests/harness"
)

// kubeContext is the context of the harness's kubeconfig, which a local environment's
// conveyor:kubeContext names.
const kubeContext = "conveyor-test"

// fixture is what every test and benchmark of the package shares: one control plane, which
// the environments share as they would share a developer's cluster, and the plugins.
type fixture struct {
	kube    *harness.Kube
	plugins string // a directory for PATH with pulumi-resource-kubernetes and -random
	root    string // the repository
	catalog string // the demo catalog as this tier runs it (see unmeshedCatalog)
}

var shared struct {
	once sync.Once
	f    *fixture
	err  error
	dir  string // removed by TestMain
}

func TestMain(m *testing.M) {
	flag.Parse()
	allowBothStreams()
	code := m.Run()
	if shared.f != nil {
		if err := shared.f.kube.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "stopping the control plane:", err)
		}
	}
	if shared.dir != "" {
		_ = os.RemoveAll(shared.dir)
	}
	if err := stopNode(); err != nil {
		fmt.Fprintln(os.Stderr, "stopping the real node's control plane:", err)
	}
	os.Exit(code)
}

// skip skips tb when the tier is turned off, or one of the tiers it builds on.
func skip(tb testing.TB) {
	tb.Helper()
	harness.SkipUnlessRealEngine(tb)
	stackopstest.Skip(tb)
}

// setup returns the shared fixture, starting it on first use. Whatever is missing fails tb.
func setup(tb testing.TB) *fixture {
	tb.Helper()
	skip(tb)
	kwokStream.join(tb)
	// The CLI first: other packages build it too, under a lock, and the plugins' build
	// reuses what it compiled (see tools/kubernetes-provider).
	stackopstest.CLI(tb)
	shared.once.Do(func() {
		// Not tb's context or log: the fixture outlives the test that starts it.
		ctx := context.Background()
		shared.dir, shared.err = os.MkdirTemp("", "conveyor-realengine-")
		if shared.err != nil {
			return
		}
		plugins := filepath.Join(shared.dir, "plugins")
		if shared.err = harness.EnginePlugins(ctx, plugins, log.Printf); shared.err != nil {
			return
		}
		kube, err := harness.StartKube(ctx, harness.KubeOptions{Logf: log.Printf, ProvisionVolumes: true})
		if err != nil {
			shared.err = err
			return
		}
		root := stackopstest.RepoRoot(tb)
		catalog := filepath.Join(shared.dir, "catalog")
		if shared.err = unmeshedCatalog(filepath.Join(root, "stacks", "catalog"), catalog); shared.err != nil {
			return
		}
		shared.f = &fixture{kube: kube, plugins: plugins, root: root, catalog: catalog}
	})
	if shared.err != nil {
		tb.Fatalf("the real-engine tier cannot start: %v", shared.err)
	}
	return shared.f
}

// clone is one checkout of the repository: a work directory with the project's real
// Pulumi.yaml and stack config files of its own, driving a backend.
type clone struct {
	f       *fixture
	backend *stackopstest.Env
	opts    stackops.Options
	e       *stackops.Runner
}

// checkpointFile is the file of env's checkpoint in the clone's file backend.
func (c *clone) checkpointFile(env string) string {
	return filepath.Join(strings.TrimPrefix(c.backend.Backend, "file://"), ".pulumi", "stacks", naming.Project, env+".json")
}

// newClone makes a clone on backend. extraEnv is added to every CLI invocation (a benchmark
// sets PULUMI_SKIP_CHECKPOINTS there).
func (f *fixture) newClone(tb testing.TB, backend *stackopstest.Env, extraEnv map[string]string) *clone {
	tb.Helper()
	opts := backend.Options(tb, stacks.Program)
	projectFile := filepath.Join(f.root, "Pulumi.yaml")
	data, err := os.ReadFile(projectFile)
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(opts.WorkDir, "Pulumi.yaml"), data, 0o644); err != nil {
		tb.Fatal(err)
	}
	opts.ProjectSettings = nil
	// The conveyor command checks the CLI it is given against the version the checkout pins.
	pin := filepath.Join(pulumicli.ToolDir, "go.mod")
	if data, err = os.ReadFile(filepath.Join(f.root, pin)); err != nil {
		tb.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(opts.WorkDir, pulumicli.ToolDir), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(opts.WorkDir, pin), data, 0o644); err != nil {
		tb.Fatal(err)
	}
	// The engine checks that the project's main exists even for an inline program, which it
	// does not read; in the repository it is the program's main package (cmd/platform).
	project, err := workspace.LoadProject(projectFile)
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(opts.WorkDir, project.Main), 0o755); err != nil {
		tb.Fatal(err)
	}
	opts.ExtraEnv["PATH"] = f.plugins + string(os.PathListSeparator) + os.Getenv("PATH")
	opts.ExtraEnv["KUBECONFIG"] = f.kube.Kubeconfig
	for k, v := range extraEnv {
		opts.ExtraEnv[k] = v
	}
	opts.LocalCluster = func(context.Context, string) (*rest.Config, error) { return f.kube.Config, nil }
	e, err := stackops.New(context.Background(), opts)
	if err != nil {
		tb.Fatal(err)
	}
	return &clone{f: f, backend: backend, opts: opts, e: e}
}

// configure writes env's stack config file, as a person would: the catalog to deploy and the
// harness's kubeconfig context.
func (c *clone) configure(tb testing.TB, env, catalog string) {
	tb.Helper()
	text := fmt.Sprintf("config:\n  conveyor:catalog: %q\n  conveyor:kubeContext: %s\n", catalog, kubeContext)
	path := filepath.Join(c.opts.WorkDir, "stacks", "Pulumi."+env+".yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		tb.Fatal(err)
	}
}

// config is what configure writes, for an offline evaluation of the same environment.
func config(catalog string) map[string]string {
	return map[string]string{"conveyor:catalog": catalog, "conveyor:kubeContext": kubeContext}
}

// demoCatalog is the repository's demo catalog.
func (f *fixture) demoCatalog() string { return f.catalog }

// unmeshedCatalog copies the demo catalog without its meshed space's `mesh: true`. A meshed
// space makes a local cluster install Istio's Helm charts, which this machine cannot download
// (no network but the Go module proxy); the mesh's objects are proven on the API-server tier
// (tests/apiserver TestMeshOnAKubeAPIServer) instead.
func unmeshedCatalog(from, to string) error {
	return filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(from, path)
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var kept []string
		for _, line := range strings.Split(string(data), "\n") {
			if strings.TrimSpace(line) != "mesh: true" {
				kept = append(kept, line)
			}
		}
		return os.WriteFile(filepath.Join(to, rel), []byte(strings.Join(kept, "\n")), 0o644)
	})
}

// labelled lists the live objects labelled with env.
func (f *fixture) labelled(tb testing.TB, env string) []harness.ObjectRef {
	tb.Helper()
	refs, err := f.kube.Labelled(tb.Context(), naming.LabelEnvironment+"="+env)
	if err != nil {
		tb.Fatal(err)
	}
	return refs
}

func join(refs []harness.ObjectRef) string {
	s := make([]string, len(refs))
	for i, r := range refs {
		s[i] = string(r)
	}
	return strings.Join(s, "\n  ")
}
