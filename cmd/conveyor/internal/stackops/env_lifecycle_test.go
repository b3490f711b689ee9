package stackops_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackopstest"
	"github.com/conveyor-paas/conveyor/naming"
)

// TestEnvLifecycle creates ad-hoc environments, lists them, lets the clock pass their TTL and
// collects them, from a second clone of the repository, as the nightly pipeline does.
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
		if info.Meta.CreatedBy != "tester" || info.Cluster != "cluster-nonprod" {
			t.Errorf("create %s: %+v", c.name, info)
		}
	}
	// The config of dev came along but its secret, which stays in dev's (long-lived) tier.
	if v, err := e.Workspace().GetConfig(ctx, "pr-1", "conveyor:dbPassword"); err == nil {
		t.Errorf("pr-1 conveyor:dbPassword = %+v, want dev's secret left behind", v)
	}
	mustUp(t, e, "pr-1")
	if got := inputs(t, e, "pr-1")["quotes-api"]["image"]; got != "quotes:1.0" {
		t.Errorf("pr-1 runs quotes image %v, want dev's quotes:1.0", got)
	}

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
		if err := r.err(); err == nil {
			t.Errorf("%s: no error", r.name)
		}
	}

	// Creating pr-2 again renews its TTL from now and keeps everything else.
	env.Clock.Advance(30 * time.Minute)
	info, isNew, err := e.CreateEnv(ctx, "pr-2", stackops.CreateOptions{TTL: 48 * time.Hour, From: "dev"})
	if err != nil || isNew {
		t.Fatalf("re-create pr-2: new=%v err=%v", isNew, err)
	}
	if want := env.Clock.Now().Add(48 * time.Hour); !info.Meta.Expires.Equal(want) {
		t.Errorf("pr-2 expires %s, want %s", info.Meta.Expires, want)
	}

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
	for _, name := range []string{"dev", "pr-1", "pr-2", "prod", "scratch"} {
		if _, ok := byName[name]; !ok {
			t.Errorf("env list misses %s: %+v", name, list)
		}
	}
	// 5 of the program, and the StackReference through which it reads its own last
	// checkpoint with the provider that reads it (package deployed).
	if i := byName["pr-1"]; i.ResourceCount != 7 || i.LastUpdate.IsZero() || i.Meta.From != "dev" || i.Expired {
		t.Errorf("pr-1 listed as %+v", i)
	}
	if i := byName["prod"]; !i.Protected || i.Cluster != "cluster-prod" {
		t.Errorf("prod listed as %+v", i)
	}

	// Two hours later pr-1 has expired. The nightly gc runs in a fresh clone: no config file.
	env.Clock.Advance(2 * time.Hour)
	nightly := env.New(t, stackopstest.Program)
	dry, err := nightly.CollectExpired(ctx, stackops.GCOptions{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	wantDry := map[string]string{"dev": stackops.GCKept, "pr-1": stackops.GCWouldCollect, "pr-2": stackops.GCKept, "prod": stackops.GCKept, "scratch": stackops.GCKept}
	for _, entry := range dry.Entries {
		if entry.Action != wantDry[entry.Env.Name] {
			t.Errorf("dry-run gc: %s %s (%s), want %s", entry.Env.Name, entry.Action, entry.Reason, wantDry[entry.Env.Name])
		}
	}
	res, err := nightly.CollectExpired(ctx, stackops.GCOptions{Notify: func(s string) { t.Log(s) }})
	if err != nil {
		t.Fatal(err)
	}
	for _, entry := range res.Entries {
		want := wantDry[entry.Env.Name]
		if want == stackops.GCWouldCollect {
			want = stackops.GCCollected
		}
		if entry.Action != want {
			t.Errorf("gc: %s %s (%s %s), want %s", entry.Env.Name, entry.Action, entry.Reason, entry.Error, want)
		}
	}
	list, err = e.ListEnvs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range list {
		if i.Name == "pr-1" {
			t.Errorf("pr-1 still listed after gc")
		}
	}
	// Deleting again is a not-found, which the command reports as nothing to do.
	if _, err := e.DeleteEnv(ctx, "pr-1", stackops.RunOptions{}); !stackops.IsNotFound(err) {
		t.Errorf("deleting pr-1 again: %v, want not found", err)
	}
	if _, err := os.Stat(filepath.Join(e.Workspace().WorkDir(), "stacks", "Pulumi.pr-2.yaml")); err != nil {
		t.Errorf("pr-2 config file: %v", err)
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
