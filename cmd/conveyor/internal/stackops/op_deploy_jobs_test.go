package stackops_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackopstest"
	"github.com/conveyor-paas/conveyor/stacks/deployed"
)

// quotesWithMigrations is quotes of the demo catalog with a migration job that runs the
// module's own image (its api's repository, with `migrate` as argument), as a team's
// migrations ship in the release they belong to, and a job of another image that does not.
const quotesWithMigrations = `module: quotes
space: sales
publishes: [quote-accepted]
components:
  api:
    image: ghcr.io/acme/quotes:1.0.0
    port: 9898
    probes: {readiness: /readyz, liveness: /healthz}
  migrate:
    kind: job
    image: ghcr.io/acme/quotes:1.0.0
    args: [migrate]
  announce:
    kind: job
    image: busybox:1.37.0
    command: ["sh", "-c", "echo released"]
`

// TestDeployRunsTheModulesMigrations: a deploy of a new image of quotes' api carries its
// migration job, which runs the same image, to the new image too, so that the job runs the
// release's migrations before the api rolls out (the api waits for the module's jobs). It
// used to set only the api's image: the job kept the old one, was never run again, and the
// new code met the old schema. A job of another image is left as it was, and so is the
// migration job when a component of another image is deployed.
func TestDeployRunsTheModulesMigrations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := stackopstest.NewEnv(t)
	opts := env.Options(t, stackopstest.Program)
	catalog := filepath.Join(opts.WorkDir, "stacks", "catalog")
	if err := os.CopyFS(catalog, os.DirFS(filepath.Join(stackopstest.RepoRoot(t), "stacks", "catalog"))); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(catalog, "sales", "quotes.conveyor.yaml"), []byte(quotesWithMigrations), 0o644); err != nil {
		t.Fatal(err)
	}
	e, err := stackops.New(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.CreateEnv(ctx, "dev", stackops.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	mustUp(t, e, "dev")

	steps := []struct {
		name string
		req  stackops.DeployRequest
		want deployed.Images
	}{
		{
			name: "the api's new image: its migrations run it too",
			req:  stackops.DeployRequest{Env: "dev", Module: "quotes", Image: "ghcr.io/acme/quotes:1.1.0"},
			want: deployed.Images{"quotes": {"api": "ghcr.io/acme/quotes:1.1.0", "migrate": "ghcr.io/acme/quotes:1.1.0"}},
		},
		{
			name: "a job of another image: nothing else follows",
			req:  stackops.DeployRequest{Env: "dev", Module: "quotes", Component: "announce", Image: "busybox:1.38.0"},
			want: deployed.Images{"quotes": {"api": "ghcr.io/acme/quotes:1.1.0", "migrate": "ghcr.io/acme/quotes:1.1.0", "announce": "busybox:1.38.0"}},
		},
		{
			name: "the api again, by digest",
			req:  stackops.DeployRequest{Env: "dev", Module: "quotes", Image: "ghcr.io/acme/quotes@sha256:" + quotesDigest},
			want: deployed.Images{"quotes": {"api": "ghcr.io/acme/quotes@sha256:" + quotesDigest, "migrate": "ghcr.io/acme/quotes@sha256:" + quotesDigest, "announce": "busybox:1.38.0"}},
		},
	}
	for _, step := range steps {
		s, err := e.Deploy(ctx, step.req, stackops.RunOptions{})
		if err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		got, err := deployed.FromValue(s.Outputs[deployed.Output])
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(step.want, got); diff != "" {
			t.Errorf("%s: the deployed images (-want +got):\n%s", step.name, diff)
		}
	}
}

// quotesDigest is a digest of one of quotes' releases.
const quotesDigest = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
