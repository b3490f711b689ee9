package realengine

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackopstest"
)

// twoModules copies a catalog of two modules in two spaces (quotes in sales, claims in
// claims; the API-server tier's secrets catalog without its secrets) into a folder of the
// test's own, which the test may change: an environment of it is up in a fraction of the
// demo catalog's time.
func twoModules(t *testing.T, f *fixture) string {
	t.Helper()
	catalog := t.TempDir()
	if err := os.CopyFS(catalog, os.DirFS(filepath.Join(f.root, "tests", "apiserver", "testdata", "secretscatalog"))); err != nil {
		t.Fatal(err)
	}
	quotes := "module: quotes\nspace: sales\ncomponents:\n  api:\n    image: ghcr.io/stefanprodan/podinfo:6.7.1\n    port: 9898\n"
	if err := os.WriteFile(filepath.Join(catalog, "quotes.conveyor.yaml"), []byte(quotes), 0o644); err != nil {
		t.Fatal(err)
	}
	return catalog
}

// twoModulesDeployed is env of twoModules in a clone of its own on a backend of its own,
// brought up, with claims then deployed by image (ghcr.io/acme/claims:1.0.0): where the tests
// of what later happens to a deployed module start. It returns the clone and the catalog's
// folder, which the test may change.
func twoModulesDeployed(t *testing.T, f *fixture, env string) (*clone, string) {
	t.Helper()
	c := f.newClone(t, stackopstest.NewEnv(t), nil)
	catalog := twoModules(t, f)
	c.configure(t, env, catalog)
	c.mustConveyor(t, "up", "--env", env)
	c.mustConveyor(t, "deploy", "--env", env, "--module", "claims", "--image", "ghcr.io/acme/claims:1.0.0")
	return c, catalog
}
