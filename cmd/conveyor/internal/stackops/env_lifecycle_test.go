package stackops_test

import (
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackopstest"
	"github.com/conveyor-paas/conveyor/naming"
)

// TestEnvLifecycle creates ad-hoc environments, lists them, lets the clock pass their TTL and
// collects them, from a second clone of the repository, as the nightly pipeline does. The
// steps run in order, each on what the last left; each check is a subtest of its own.
func TestEnvLifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := stackopstest.NewEnv(t)
	e := env.New(t, stackopstest.Program)

	// dev is long-lived: created on first use, its config is what ad-hoc ones start from.
	mustUp(t, e, "dev")
	setConfig(t, e, "dev", "conveyor:images.quotes.api", "quotes:1.0", false)
	setConfig(t, e, "dev", "conveyor:dbPassword", "hunter2", true)
	mustUp(t, e, "dev")

	created := []struct {
		name string
		opts stackops.CreateOptions
	}{
		{"pr-1", stackops.CreateOptions{TTL: time.Hour, From: "dev"}},
		{"pr-2", stackops.CreateOptions{TTL: 48 * time.Hour, From: "dev"}},
		{"scratch", stackops.CreateOptions{}}, // no TTL: never collected
	}
	for _, c := range created {
		info, isNew, err := e.CreateEnv(ctx, c.name, c.opts)
		if err != nil || !isNew {
			t.Fatalf("create %s: new=%v err=%v", c.name, isNew, err)
		}
		t.Run("create "+c.name+" records who and where", func(t *testing.T) {
			type created struct{ CreatedBy, Cluster string }
			wantSame(t, "create", created{"tester", "cluster-nonprod"}, created{info.Meta.CreatedBy, info.Cluster})
		})
	}
	t.Run("dev's secret stays in its tier", func(t *testing.T) {
		// The config of dev came along but its secret, which stays in dev's (long-lived) tier.
		if v, err := e.Workspace().GetConfig(ctx, "pr-1", "conveyor:dbPassword"); err == nil {
			t.Errorf("pr-1 conveyor:dbPassword = %+v, want dev's secret left behind", v)
		}
	})
	mustUp(t, e, "pr-1")
	t.Run("pr-1 runs dev's image", func(t *testing.T) {
		wantSame(t, "pr-1's quotes image", "quotes:1.0", inputs(t, e, "pr-1")["quotes-api"]["image"])
	})

	refusals := []struct {
		name string
		err  func() error
	}{
		{"prod cannot get a TTL", func() error {
			_, _, err := e.CreateEnv(ctx, "prod", stackops.CreateOptions{TTL: time.Hour})
			return err
		}},
		{"cluster stacks cannot get a TTL", func() error {
			_, _, err := e.CreateEnv(ctx, "cluster-nonprod", stackops.CreateOptions{TTL: time.Hour})
			return err
		}},
		{"prod cannot be deleted", func() error { _, err := e.DeleteEnv(ctx, "prod", stackops.RunOptions{}); return err }},
		{"an invalid name", func() error { _, _, err := e.CreateEnv(ctx, "PR_1", stackops.CreateOptions{}); return err }},
	}
	for _, r := range refusals {
		t.Run(r.name, func(t *testing.T) {
			if err := r.err(); err == nil {
				t.Error("no error")
			}
		})
	}

	// Creating pr-2 again renews its TTL from now and keeps everything else.
	env.Clock.Advance(30 * time.Minute)
	info, isNew, err := e.CreateEnv(ctx, "pr-2", stackops.CreateOptions{TTL: 48 * time.Hour, From: "dev"})
	if err != nil || isNew {
		t.Fatalf("re-create pr-2: new=%v err=%v", isNew, err)
	}
	t.Run("creating pr-2 again renews its TTL", func(t *testing.T) {
		wantSame(t, "pr-2's expiry", env.Clock.Now().Add(48*time.Hour), info.Meta.Expires)
	})

	// prod exists and is tagged as if it expired: gc must still never touch it.
	mustUpProdWithPlan(t, e)
	if err := e.Workspace().SetTag(ctx, "prod", stackops.TagExpires, "2000-01-01T00:00:00Z"); err != nil {
		t.Fatal(err)
	}

	list, err := e.ListEnvs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]stackops.EnvInfo{}
	for _, i := range list {
		byName[i.Name] = i
	}
	t.Run("env list lists every environment", func(t *testing.T) {
		wantSame(t, "environments", []string{"dev", "pr-1", "pr-2", "prod", "scratch"}, slices.Sorted(maps.Keys(byName)))
	})
	t.Run("env list describes pr-1", func(t *testing.T) {
		type listed struct {
			ResourceCount    int
			Updated, Expired bool
			From             string
		}
		i := byName["pr-1"]
		// 5 of the program, and the StackReference through which it reads its own last
		// checkpoint with the provider that reads it (package deployed).
		wantSame(t, "pr-1", listed{7, true, false, "dev"}, listed{i.ResourceCount, !i.LastUpdate.IsZero(), i.Expired, i.Meta.From})
	})
	t.Run("env list describes prod", func(t *testing.T) {
		type listed struct {
			Protected bool
			Cluster   string
		}
		i := byName["prod"]
		wantSame(t, "prod", listed{true, "cluster-prod"}, listed{i.Protected, i.Cluster})
	})

	// Two hours later pr-1 has expired. The nightly gc runs in a fresh clone: no config file.
	env.Clock.Advance(2 * time.Hour)
	nightly := env.New(t, stackopstest.Program)
	dry, err := nightly.CollectExpired(ctx, stackops.GCOptions{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	wantDry := map[string]string{"dev": stackops.GCKept, "pr-1": stackops.GCWouldCollect, "pr-2": stackops.GCKept, "prod": stackops.GCKept, "scratch": stackops.GCKept}
	t.Run("a dry run of gc would collect pr-1 only", func(t *testing.T) {
		wantSame(t, "dry-run gc", wantDry, actions(dry))
	})
	res, err := nightly.CollectExpired(ctx, stackops.GCOptions{Notify: func(s string) { t.Log(s) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("gc collects pr-1 only", func(t *testing.T) {
		want := maps.Clone(wantDry)
		want["pr-1"] = stackops.GCCollected
		wantSame(t, "gc", want, actions(res))
		for _, entry := range res.Entries {
			t.Logf("gc: %s %s (%s %s)", entry.Env.Name, entry.Action, entry.Reason, entry.Error)
		}
	})
	list, err = e.ListEnvs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("pr-1 is no longer listed after gc", func(t *testing.T) {
		for _, i := range list {
			if i.Name == "pr-1" {
				t.Errorf("pr-1 still listed after gc")
			}
		}
	})
	t.Run("deleting pr-1 again is a not-found", func(t *testing.T) {
		// The command reports it as nothing to do.
		if _, err := e.DeleteEnv(ctx, "pr-1", stackops.RunOptions{}); !stackops.IsNotFound(err) {
			t.Errorf("deleting pr-1 again: %v, want not found", err)
		}
	})
	t.Run("pr-2 keeps its config file", func(t *testing.T) {
		if _, err := os.Stat(filepath.Join(e.Workspace().WorkDir(), "stacks", "Pulumi.pr-2.yaml")); err != nil {
			t.Errorf("pr-2 config file: %v", err)
		}
	})
}

// actions are what a gc did (or would do) to each environment, by name.
func actions(res *stackops.GCResult) map[string]string {
	out := map[string]string{}
	for _, entry := range res.Entries {
		out[entry.Env.Name] = entry.Action
	}
	return out
}

// wantSame fails t with what of got differs from want.
func wantSame(t *testing.T, what string, want, got any) {
	t.Helper()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", what, diff)
	}
}

// mustUpProdWithPlan deploys prod the only way it can be: through a saved plan.
func mustUpProdWithPlan(t *testing.T, e *stackops.Runner) {
	t.Helper()
	ctx := context.Background()
	plan := filepath.Join(t.TempDir(), "prod.plan.json")
	if _, err := e.Preview(ctx, "prod", stackops.RunOptions{Plan: plan}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Up(ctx, "prod", stackops.RunOptions{Plan: plan}); err != nil {
		t.Fatal(err)
	}
}

func TestCreateFromMissingEnv(t *testing.T) {
	t.Parallel()
	env := stackopstest.NewEnv(t)
	e := env.New(t, stackopstest.Program)
	_, _, err := e.CreateEnv(context.Background(), "pr-9", stackops.CreateOptions{TTL: time.Hour, From: "nowhere"})
	if !stackops.IsNotFound(err) {
		t.Fatalf("create --from a missing env: %v, want not found", err)
	}
	var nf *stackops.NotFoundError
	if !errors.As(err, &nf) || nf.Env != "nowhere" {
		t.Errorf("error names %+v", nf)
	}
}

// An environment made from prod starts with prod's images but not with prod's cluster or
// protection: those say which environment prod is, and a copy that kept them would deploy a
// pull request onto the production cluster. Nor with prod's secrets, which never leave the
// production tier. Naming cluster-prod outright is refused too.
func TestCreateFromProdLeavesTheProductionClusterBehind(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := stackopstest.NewEnv(t)
	e := env.New(t, stackopstest.Program)
	if _, _, err := e.CreateEnv(ctx, "prod", stackops.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	setConfig(t, e, "prod", "conveyor:cluster", "cluster-prod", false)
	setConfig(t, e, "prod", "conveyor:production", "true", false)
	setConfig(t, e, "prod", "conveyor:images.quotes.api", "quotes:7", false)
	setConfig(t, e, "prod", "conveyor:paymentsApiKey", "prod-only-s3cret", true)

	info, _, err := e.CreateEnv(ctx, "pr-9", stackops.CreateOptions{From: "prod", TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if info.Cluster != "cluster-nonprod" {
		t.Errorf("pr-9 is recorded on %s, want cluster-nonprod", info.Cluster)
	}
	all, err := e.Workspace().GetAllConfig(ctx, "pr-9")
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"conveyor:cluster", "conveyor:production", "conveyor:paymentsApiKey"} {
		if v, ok := all[key]; ok {
			t.Errorf("pr-9 inherited %s = %q from prod", key, v.Value)
		}
	}
	if data, err := os.ReadFile(filepath.Join(e.Workspace().WorkDir(), "stacks", "Pulumi.pr-9.yaml")); err == nil && strings.Contains(string(data), "paymentsApiKey") {
		t.Errorf("pr-9's stack file holds prod's secret:\n%s", data)
	}
	if v := getConfig(t, e, "pr-9", "conveyor:images"); v.Value != `{"quotes":{"api":"quotes:7"}}` {
		t.Errorf("pr-9 conveyor:images = %q, want prod's", v.Value)
	}

	for _, c := range []struct{ name, cluster string }{{"pr-10", "cluster-prod"}, {"prod", "cluster-nonprod"}} {
		_, _, err := e.CreateEnv(ctx, c.name, stackops.CreateOptions{Cluster: c.cluster})
		if !stackops.IsRefused(err) {
			t.Errorf("create %s --cluster %s: %v, want a refusal", c.name, c.cluster, err)
		}
	}
}

// A preview made from a sleeping dev starts awake: sleep says how an environment is run
// now, not what it runs, and a pull request's environment is made to be looked at.
func TestCreateFromASleepingEnvironmentStartsAwake(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := stackopstest.NewEnv(t)
	e := env.New(t, stackopstest.Program)
	if _, _, err := e.CreateEnv(ctx, "dev", stackops.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	setConfig(t, e, "dev", naming.ConfigAsleep, "true", false)
	if _, _, err := e.CreateEnv(ctx, "pr-3", stackops.CreateOptions{From: "dev", TTL: time.Hour}); err != nil {
		t.Fatal(err)
	}
	all, err := e.Workspace().GetAllConfig(ctx, "pr-3")
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := all[naming.ConfigAsleep]; ok {
		t.Errorf("pr-3 inherited %s = %q from dev", naming.ConfigAsleep, v.Value)
	}
}
