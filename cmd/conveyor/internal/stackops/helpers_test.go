package stackops_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackopstest"
)

func setConfig(t *testing.T, e *stackops.Runner, env, key, value string, secret bool) {
	t.Helper()
	err := e.Workspace().SetConfigWithOptions(context.Background(), env, key,
		auto.ConfigValue{Value: value, Secret: secret}, &auto.ConfigOptions{Path: true})
	if err != nil {
		t.Fatalf("setting %s of %s: %v", key, env, err)
	}
}

func getConfig(t *testing.T, e *stackops.Runner, env, key string) auto.ConfigValue {
	t.Helper()
	v, err := e.Workspace().GetConfig(context.Background(), env, key)
	if err != nil {
		t.Fatalf("reading %s of %s: %v", key, env, err)
	}
	return v
}

// deployment reads env's state.
func deployment(t *testing.T, e *stackops.Runner, env string) apitype.DeploymentV3 {
	t.Helper()
	state, err := e.Workspace().ExportStack(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	var dep apitype.DeploymentV3
	if err := json.Unmarshal(state.Deployment, &dep); err != nil {
		t.Fatal(err)
	}
	return dep
}

// inputs reads the recorded inputs of every resource of env's state, by logical name.
func inputs(t *testing.T, e *stackops.Runner, env string) map[string]map[string]any {
	t.Helper()
	dep := deployment(t, e, env)
	out := map[string]map[string]any{}
	for _, r := range dep.Resources {
		urn := string(r.URN)
		out[urn[lastSep(urn):]] = r.Inputs
	}
	return out
}

func lastSep(urn string) int {
	for i := len(urn) - 1; i > 0; i-- {
		if urn[i] == ':' && urn[i-1] == ':' {
			return i + 1
		}
	}
	return 0
}

func mustUp(t *testing.T, e *stackops.Runner, env string) {
	t.Helper()
	if s, err := e.Up(context.Background(), env, stackops.RunOptions{}); err != nil {
		t.Fatalf("up %s: %v", env, err)
	} else if s.Result != "succeeded" {
		t.Fatalf("up %s: %s", env, s.Result)
	}
}

// stagingAndProd makes a backend with the staging and prod stacks, and an engine of one clone.
func stagingAndProd(t *testing.T) (*stackopstest.Env, *stackops.Runner) {
	t.Helper()
	env := stackopstest.NewEnv(t)
	e := env.New(t, stackopstest.Program)
	for _, name := range []string{"staging", "prod"} {
		if _, _, err := e.CreateEnv(context.Background(), name, stackops.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	return env, e
}

// pinned is image pinned to a made-up digest derived from it, as a deploy through a registry
// records it (repo:tag@sha256:...): production takes nothing else.
func pinned(image string) string {
	sum := sha256.Sum256([]byte(image))
	return image + "@sha256:" + hex.EncodeToString(sum[:])
}
