package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackopstest"
	"github.com/conveyor-paas/conveyor/naming"
)

// TestSleepAndWake drives sleep and wake through the real CLI on a file backend: sleep writes
// conveyor:asleep into the stack file (a person's comment kept) and the update runs with it;
// a later up keeps it and says the environment is asleep; wake removes it and the update runs
// without it; production refuses.
func TestSleepAndWake(t *testing.T) {
	env := stackopstest.NewEnv(t)
	c := newClone(t, env)
	file := filepath.Join(c.opts.WorkDir, "stacks", "Pulumi.dev.yaml")
	c.must(ExitOK, "up", "--env", "dev")
	if err := os.WriteFile(file, []byte("# dev: the team's shared environment\nconfig:\n  conveyor:images: {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	deployedAsleep := func() string {
		t.Helper()
		r, err := stackops.New(context.Background(), c.opts)
		if err != nil {
			t.Fatal(err)
		}
		config, ok, err := r.DeployedConfig(context.Background(), "dev")
		if err != nil || !ok {
			t.Fatalf("deployed config of dev: ok %v, %v", ok, err)
		}
		return config[naming.ConfigAsleep]
	}

	c.must(ExitOK, "sleep", "--env", "dev")
	data, _ := os.ReadFile(file)
	if !strings.Contains(string(data), naming.ConfigAsleep+": true") || !strings.Contains(string(data), "# dev: the team's shared environment") {
		t.Errorf("after sleep the stack file is:\n%s", data)
	}
	if got := deployedAsleep(); got != "true" {
		t.Errorf("the update after sleep ran with %s = %q, want true", naming.ConfigAsleep, got)
	}

	_, stderr, code := c.run("up", "--env", "dev")
	if code != ExitOK || !strings.Contains(stderr, "dev is asleep") || !strings.Contains(stderr, "conveyor wake --env dev") {
		t.Errorf("up of a sleeping dev: exit %d, stderr:\n%s", code, stderr)
	}
	if got := deployedAsleep(); got != "true" {
		t.Errorf("an up woke dev: %s = %q", naming.ConfigAsleep, got)
	}

	c.must(ExitOK, "wake", "--env", "dev")
	data, _ = os.ReadFile(file)
	if strings.Contains(string(data), naming.ConfigAsleep) || !strings.Contains(string(data), "conveyor:images") {
		t.Errorf("after wake the stack file is:\n%s", data)
	}
	if got := deployedAsleep(); got != "" {
		t.Errorf("the update after wake ran with %s = %q", naming.ConfigAsleep, got)
	}

	_, stderr, code = c.run("sleep", "--env", "prod")
	if code != ExitUsage || !strings.Contains(stderr, "production") {
		t.Errorf("sleep of prod: exit %d, stderr:\n%s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(c.opts.WorkDir, "stacks", "Pulumi.prod.yaml")); err == nil {
		if data, _ := os.ReadFile(filepath.Join(c.opts.WorkDir, "stacks", "Pulumi.prod.yaml")); strings.Contains(string(data), naming.ConfigAsleep) {
			t.Error("a refused sleep wrote prod's stack file")
		}
	}
}
