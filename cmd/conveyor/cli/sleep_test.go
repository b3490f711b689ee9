package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackopstest"
	"github.com/conveyor-paas/conveyor/naming"
)

// TestSleepAndWakeChangeNoFile drives sleep and wake through the real CLI on a file backend,
// in a git repository whose dev and staging stack files are committed: the sleep is a stack
// tag, composed into each update's config, so dev and staging sleep and wake with git status
// clean; a later up keeps the environment asleep and says so; wake gives the program its
// declared state back; production refuses.
func TestSleepAndWakeChangeNoFile(t *testing.T) {
	env := stackopstest.NewEnv(t)
	c := newClone(t, env)
	r, err := stackops.New(context.Background(), c.opts) // writes Pulumi.yaml
	if err != nil {
		t.Fatal(err)
	}
	work := c.opts.WorkDir
	for name, text := range trackedStackFiles {
		if err := os.WriteFile(filepath.Join(work, "stacks", name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ignore, err := os.ReadFile(filepath.Join(stackopstest.RepoRoot(t), ".gitignore"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(work, ".gitignore"), ignore, 0o644); err != nil {
		t.Fatal(err)
	}
	commitAll(t, work)
	clean := func(after string) {
		t.Helper()
		if st := gitIn(t, work, "status", "--porcelain"); st != "" {
			t.Errorf("after conveyor %s, git status says:\n%s", after, st)
		}
	}
	deployedAsleep := func(stack string) string {
		t.Helper()
		config, ok, err := r.DeployedConfig(context.Background(), stack)
		if err != nil || !ok {
			t.Fatalf("deployed config of %s: ok %v, %v", stack, ok, err)
		}
		return config[naming.ConfigAsleep]
	}

	c.must(ExitOK, "up", "--env", "dev")
	for _, stack := range []string{"dev", "staging"} {
		c.must(ExitOK, "sleep", "--env", stack)
		clean("sleep --env " + stack)
		if got := deployedAsleep(stack); got != "true" {
			t.Errorf("the update of sleep --env %s ran with %s = %q, want true", stack, naming.ConfigAsleep, got)
		}
	}

	_, stderr, code := c.run("up", "--env", "dev")
	if code != ExitOK || !strings.Contains(stderr, "dev is asleep") || !strings.Contains(stderr, "conveyor wake --env dev") {
		t.Errorf("up of a sleeping dev: exit %d, stderr:\n%s", code, stderr)
	}
	if got := deployedAsleep("dev"); got != "true" {
		t.Errorf("an up woke dev: %s = %q", naming.ConfigAsleep, got)
	}

	env.Clock.Advance(time.Hour)
	c.must(ExitOK, "wake", "--env", "dev")
	clean("wake --env dev")
	if got := deployedAsleep("dev"); got != "" {
		t.Errorf("the update of wake ran with %s = %q", naming.ConfigAsleep, got)
	}
	state, err := r.SleepState(context.Background(), "dev")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(stackops.SleepState{Woken: env.Clock.Now().UTC().Truncate(time.Second)}, state); diff != "" {
		t.Errorf("dev's sleep tags after wake (-want +got):\n%s", diff)
	}

	_, stderr, code = c.run("sleep", "--env", "prod")
	if code != ExitUsage || !strings.Contains(stderr, "production") {
		t.Errorf("sleep of prod: exit %d, stderr:\n%s", code, stderr)
	}
	clean("sleep --env prod")
}

// TestWakeRenewsTheTTLAndKeeps: an ad-hoc environment's TTL counts from its last wake, and
// wake --keep holds it awake until the next sleep by hand.
func TestWakeRenewsTheTTLAndKeeps(t *testing.T) {
	env := stackopstest.NewEnv(t)
	c := newClone(t, env)
	r, err := stackops.New(context.Background(), c.opts)
	if err != nil {
		t.Fatal(err)
	}
	c.must(ExitOK, "env", "create", "pr-1", "--ttl", "2h")
	c.must(ExitOK, "up", "--env", "pr-1")
	c.must(ExitOK, "sleep", "--env", "pr-1")
	env.Clock.Advance(90 * time.Minute)
	c.must(ExitOK, "wake", "--env", "pr-1", "--ttl", "2h", "--keep")
	envs, err := r.ListEnvs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range envs {
		if e.Name == "pr-1" {
			if want := env.Clock.Now().UTC().Truncate(time.Second).Add(2 * time.Hour); !e.Meta.Expires.Equal(want) {
				t.Errorf("pr-1 expires %s after its wake, want %s", e.Meta.Expires, want)
			}
		}
	}
	state, err := r.SleepState(context.Background(), "pr-1")
	if err != nil || !state.Keep || state.Asleep != "" {
		t.Errorf("pr-1 after wake --keep: %+v, %v", state, err)
	}
	c.must(ExitOK, "sleep", "--env", "pr-1")
	state, err = r.SleepState(context.Background(), "pr-1")
	if err != nil || state.Keep || state.Asleep != stackops.SleepManual {
		t.Errorf("pr-1 after a sleep by hand: %+v, %v", state, err)
	}
}
