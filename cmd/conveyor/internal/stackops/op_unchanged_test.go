package stackops_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/opsummary"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackopstest"
	"github.com/conveyor-paas/conveyor/evaluation"
	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/stacks/deployed"
)

// fingerprintGate gates as the conveyor command does, with a real offline evaluation of the
// test program on the config and deployed images the engine is about to use, and hands back
// its fingerprint.
func fingerprintGate(_ context.Context, env string, in stackops.GateInput) (stackops.GateResult, error) {
	config := map[string]string{}
	var secrets []string
	for k, v := range in.Config {
		config[k] = v.Value
		if v.Secret {
			secrets = append(secrets, k)
		}
	}
	rec, err := evaluation.Run(stackopstest.Program, evaluation.Options{
		Project: naming.Project, Stack: env, Config: config, SecretKeys: secrets,
		StackOutputs: func(string) resource.PropertyMap {
			if len(in.Deployed) == 0 {
				return resource.PropertyMap{}
			}
			return resource.NewPropertyMapFromMap(map[string]any{deployed.Output: in.Deployed.Value()})
		},
	})
	if err != nil {
		return stackops.GateResult{}, err
	}
	return stackops.GateResult{Fingerprint: rec.Fingerprints().Environment()}, nil
}

// TestUnchangedEnvironmentSkipsTheEngine: a preview or an up of a local environment whose
// program declares exactly what its last whole update deployed does not start the engine;
// anything that may have changed the program or the state since runs it.
func TestUnchangedEnvironmentSkipsTheEngine(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	backend := stackopstest.NewEnv(t)
	opts := backend.Options(t, stackopstest.Program)
	opts.Gate = fingerprintGate
	e, err := stackops.New(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	const env = "local-skip"
	if _, _, err := e.CreateEnv(ctx, env, stackops.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	updates := func() int {
		t.Helper()
		h, err := e.History(ctx, env)
		if err != nil {
			t.Fatal(err)
		}
		return len(h)
	}
	// step runs op and requires it to skip the engine or not, and to change what it should.
	step := func(name string, op func() (*opsummary.Summary, error), wantSkipped, wantChanges bool) {
		t.Helper()
		before := updates()
		s, err := op()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := s.Skipped != ""; got != wantSkipped {
			t.Errorf("%s: skipped the engine = %v (%q), want %v", name, got, s.Skipped, wantSkipped)
		}
		if s.HasChanges() != wantChanges {
			t.Errorf("%s: changes %v, want changes = %v", name, s.Changes, wantChanges)
		}
		if wantSkipped && updates() != before {
			t.Errorf("%s: skipped, yet the history grew from %d to %d", name, before, updates())
		}
		if s.Skipped != "" && !strings.Contains(s.Skipped, "update") {
			t.Errorf("%s: the summary says %q, which names no update", name, s.Skipped)
		}
	}
	preview := func() (*opsummary.Summary, error) { return e.Preview(ctx, env, stackops.RunOptions{}) }
	up := func() (*opsummary.Summary, error) { return e.Up(ctx, env, stackops.RunOptions{}) }

	step("the first up", up, false, true)
	step("a preview after it", preview, true, false)
	step("an up after it", up, true, false)
	step("a preview that must run the engine", func() (*opsummary.Summary, error) {
		return e.Preview(ctx, env, stackops.RunOptions{AlwaysRunEngine: true})
	}, false, false)

	// A deploy is a targeted update: it says nothing of the modules it left alone.
	step("a deploy", func() (*opsummary.Summary, error) {
		return e.Deploy(ctx, stackops.DeployRequest{Env: env, Module: "quotes", Image: "quotes:2"}, stackops.RunOptions{})
	}, false, true)
	step("a preview after the deploy", preview, false, false)
	step("the up after the deploy", up, false, false)
	step("a preview after that up", preview, true, false)

	// A change of the program's config is a change of what it declares.
	setConfig(t, e, env, "conveyor:replicas.quotes", "3", false)
	step("a preview with new config", preview, false, true)
	step("the up of the new config", up, false, true)
	step("a preview after it", preview, true, false)

	// Something wrote the state after the last update (a `pulumi state` edit, an import).
	checkpoint := filepath.Join(strings.TrimPrefix(backend.Backend, "file://"), ".pulumi", "stacks", naming.Project, env+".json")
	later := time.Now().Add(time.Minute)
	if err := os.Chtimes(checkpoint, later, later); err != nil {
		t.Fatal(err)
	}
	step("a preview after a write of the state", preview, false, false)
	step("an up after a write of the state", up, false, false)
	step("a preview after that up", preview, true, false)
}

// TestUnchangedEnvironmentOnlyLocal: an environment whose program reads a cluster stack (any
// but a local one) always runs the engine: the offline evaluation simulates the cluster's
// outputs, so its fingerprint cannot vouch for them.
func TestUnchangedEnvironmentOnlyLocal(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	backend := stackopstest.NewEnv(t)
	opts := backend.Options(t, stackopstest.Program)
	opts.Gate = fingerprintGate
	e, err := stackops.New(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	mustUp(t, e, "dev")
	s, err := e.Preview(ctx, "dev", stackops.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Skipped != "" {
		t.Errorf("the preview of dev skipped the engine: %s", s.Skipped)
	}
}
