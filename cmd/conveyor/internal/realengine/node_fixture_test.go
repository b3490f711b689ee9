package realengine

import (
	"context"
	"log"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackopstest"
	"github.com/conveyor-paas/conveyor/tests/harness"
)

// The node fixture is a second control plane, with the harness's real node instead of kwok's
// fake ones (harness.KubeOptions.RealNode), for the tests that need Conveyor's workloads to
// really run. It is started by the first such test and stopped by TestMain.
var nodeShared struct {
	once sync.Once
	f    *fixture
	err  error
	dir  string
}

// nodeCatalog is the catalog the node tests deploy: one space, one module with a database and
// an api. The api is the harness's test service (tests/harness/cmd/testservice, served by the
// node's registry under harness.TestServiceImage): a stand-in for a team's api that answers
// /healthz on its port and logs a line when it starts. No events: the emulator still runs, as
// in every local environment, but no topic job needs a curl image.
var nodeCatalog = map[string]string{
	"shop/space.conveyor.yaml": `space: shop
team: shop@example.com
# Istio cannot be installed here (no network): the mesh's objects are proven on the API-server tier.
mesh: false
`,
	"shop/orders.conveyor.yaml": `module: orders
space: shop
database: true
` + testServiceAPI,
}

// testServiceAPI is the components of a module whose api is the harness's test service,
// which the node tests' catalogs share.
const testServiceAPI = `components:
  api:
    image: ` + harness.TestServiceImage + `
    port: 8080
    probes: {readiness: /healthz, liveness: /healthz}
`

// setupNode returns the node fixture, starting it on first use. Whatever is missing fails tb;
// it skips where the node cannot run (harness.SkipUnlessNode).
func setupNode(tb testing.TB) *fixture {
	tb.Helper()
	skip(tb)
	harness.SkipUnlessNode(tb)
	nodeStream.join(tb)
	stackopstest.CLI(tb)
	nodeShared.once.Do(func() {
		ctx := context.Background() // the fixture outlives the test that starts it
		// A logger of its own: a package the Pulumi SDK imports silences the standard one,
		// and the node's start (builds, images) is what a person waits on.
		logf := log.New(os.Stderr, "", log.LstdFlags).Printf
		nodeShared.dir, nodeShared.err = os.MkdirTemp("", "conveyor-realnode-")
		if nodeShared.err != nil {
			return
		}
		plugins := filepath.Join(nodeShared.dir, "plugins")
		if nodeShared.err = harness.EnginePlugins(ctx, plugins, logf); nodeShared.err != nil {
			return
		}
		catalog := filepath.Join(nodeShared.dir, "catalog")
		for name, content := range nodeCatalog {
			path := filepath.Join(catalog, name)
			if nodeShared.err = os.MkdirAll(filepath.Dir(path), 0o755); nodeShared.err != nil {
				return
			}
			if nodeShared.err = os.WriteFile(path, []byte(content), 0o644); nodeShared.err != nil {
				return
			}
		}
		kube, err := harness.StartKube(ctx, harness.KubeOptions{Logf: logf, ProvisionVolumes: true, RealNode: true})
		if err != nil {
			nodeShared.err = err
			return
		}
		nodeShared.f = &fixture{kube: kube, plugins: plugins, root: stackopstest.RepoRoot(tb), catalog: catalog}
	})
	if nodeShared.err != nil {
		tb.Fatalf("the real-engine tier's node cannot start: %v", nodeShared.err)
	}
	return nodeShared.f
}

// stopNode stops the node fixture if it started; TestMain calls it.
func stopNode() error {
	var err error
	if nodeShared.f != nil {
		err = nodeShared.f.kube.Stop()
	}
	if nodeShared.dir != "" {
		_ = os.RemoveAll(nodeShared.dir)
	}
	return err
}
