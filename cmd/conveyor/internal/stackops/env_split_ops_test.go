package stackops_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/opsummary"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackopstest"
	"github.com/conveyor-paas/conveyor/naming"
)

// notes collects what an operation says through RunOptions.Notify.
type notes struct {
	mu    sync.Mutex
	lines []string
}

func (n *notes) add(line string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.lines = append(n.lines, line)
}

func (n *notes) with(word string) []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []string
	for _, l := range n.lines {
		if strings.Contains(l, word) {
			out = append(out, l)
		}
	}
	return out
}

// TestSplitDriftAndPreviewCoverEveryStack: in a split environment, drift compares every
// stack with what is live (a change behind the back of module quotes' stack is drift of dev),
// and a preview of dev shows what an update would change in its module stacks too (a new
// seed image of claims), not the base's changes alone.
func TestSplitDriftAndPreviewCoverEveryStack(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := stackopstest.NewEnv(t)
	p := &splitProgram{}
	e := env.New(t, p.run)
	for _, name := range []string{"upstream", "dev"} {
		if _, _, err := e.CreateEnv(ctx, name, stackops.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	setConfig(t, e, "upstream", "conveyor:value", "one", false)
	mustUp(t, e, "upstream")
	setConfig(t, e, "dev", "conveyor:upstream", "organization/conveyor/upstream", false)
	mustUp(t, e, "dev")
	mustSplit(t, e, "dev")

	if s, err := e.Drift(ctx, "dev", stackops.RunOptions{}); err != nil || s.HasChanges() {
		t.Fatalf("drift of dev right after its split: %v %+v", err, s)
	}
	setConfig(t, e, "upstream", "conveyor:value", "two", false)
	mustUp(t, e, "upstream")
	s, err := e.Drift(ctx, "dev", stackops.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !s.HasChanges() || !slices.ContainsFunc(s.Resources, func(r opsummary.ResourceChange) bool { return r.Name == "quotes-upstream" }) {
		t.Errorf("drift of dev after quotes' upstream changed: changes %v, resources %+v; want quotes-upstream", s.Changes, s.Resources)
	}

	setConfig(t, e, "dev", "conveyor:images.claims.api", "claims:3", false)
	s, err = e.Preview(ctx, "dev", stackops.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Changes["update"] != 1 || !slices.ContainsFunc(s.Resources, func(r opsummary.ResourceChange) bool { return r.Name == "claims-api" && r.Op == "update" }) {
		t.Errorf("preview of dev with a new image of claims: changes %v, resources %+v; want claims-api updated", s.Changes, s.Resources)
	}
}

// TestGCCollectsASplitEnvironment: an ad-hoc environment split into module stacks is collected
// whole once its TTL passed: its module stacks are destroyed and removed, then its base, and
// nothing of it is left in the backend; its module stacks are not listed as environments of
// their own (with no TTL, they would be kept forever).
func TestGCCollectsASplitEnvironment(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := stackopstest.NewEnv(t)
	p := &splitProgram{}
	e := env.New(t, p.run)
	if _, _, err := e.CreateEnv(ctx, "pr-7", stackops.CreateOptions{TTL: time.Hour}); err != nil {
		t.Fatal(err)
	}
	mustUp(t, e, "pr-7")
	mustSplit(t, e, "pr-7")
	list, err := e.Stacks(ctx, "pr-7")
	if err != nil {
		t.Fatal(err)
	}
	want := &stackops.EnvStacks{Base: "pr-7", Modules: []stackops.ModuleStack{
		{Module: "claims", Stack: "pr-7.claims"}, {Module: "policies", Stack: "pr-7.policies"}, {Module: "quotes", Stack: "pr-7.quotes"},
	}}
	if diff := cmp.Diff(want, list); diff != "" {
		t.Errorf("the stacks of split pr-7 (-want +got):\n%s", diff)
	}
	env.Clock.Advance(2 * time.Hour)

	res, err := e.CollectExpired(ctx, stackops.GCOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, entry := range res.Entries {
		got = append(got, entry.Env.Name+": "+entry.Action+" "+entry.Error)
	}
	if want := []string{"pr-7: " + stackops.GCCollected + " "}; !slices.Equal(got, want) {
		t.Errorf("gc: %q, want %q", got, want)
	}
	left, err := e.Workspace().ListStacks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range left {
		t.Errorf("left in the backend after gc: %s", s.Name)
	}
}

// TestSplitUpRunsModuleStacksTogether: `up` of a split environment updates its module stacks
// Options.Parallel at a time, no more (each module stack's update runs for a while here, so
// they overlap when they may); one that fails fails the command, naming it, and every other
// module stack is still updated and reported.
func TestSplitUpRunsModuleStacksTogether(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := stackopstest.NewEnv(t)
	p := &splitProgram{}
	opts := env.Options(t, p.run)
	opts.Parallel = 2
	e, err := stackops.New(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	mustUp(t, e, "dev")
	mustSplit(t, e, "dev")
	if _, err := e.Up(ctx, "dev", stackops.RunOptions{BaseOnly: true}); err != nil {
		t.Fatal(err)
	}
	if most := p.mostAtOnce(); most != 0 {
		t.Errorf("up --base-only of dev updated module stacks (%d at once)", most)
	}
	setConfig(t, e, "dev", "conveyor:sleepMs", "4000", false)
	mustUp(t, e, "dev")
	if most := p.mostAtOnce(); most != 2 {
		t.Errorf("up of split dev ran %d module stacks at once, want 2 (Options.Parallel)", most)
	}

	setConfig(t, e, "dev", "conveyor:sleepMs", "0", false)
	setConfig(t, e, "dev", "conveyor:fail", "claims", false)
	before := map[string]int{}
	for _, m := range splitModules {
		before[m] = len(history(t, e, naming.ModuleStack("dev", m)))
	}
	var said notes
	_, err = e.Up(ctx, "dev", stackops.RunOptions{Notify: said.add})
	if err == nil || !strings.Contains(err.Error(), "dev.claims") {
		t.Fatalf("up with claims failing: %v, want an error naming dev.claims", err)
	}
	for _, m := range splitModules {
		stack := naming.ModuleStack("dev", m)
		if len(said.with(stack+":")) != 1 {
			t.Errorf("up said of %s: %q, want one outcome", stack, said.with(stack+":"))
		}
		h := history(t, e, stack)
		if len(h) != before[m]+1 {
			t.Errorf("%s has %d updates after the up, had %d: want one more", stack, len(h), before[m])
		} else if want := map[bool]string{true: "failed", false: "succeeded"}[m == "claims"]; h[0].Result != want {
			t.Errorf("the up's update of %s %s, want %s", stack, h[0].Result, want)
		}
	}
}

// TestSplitDeployWaitsForTheBase: a deploy of one module of a split environment waits while
// the environment's base is locked (an `up` updating it) and runs once it is free, instead of
// deploying against a base being changed.
func TestSplitDeployWaitsForTheBase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := stackopstest.NewEnv(t)
	p := &splitProgram{}
	var mu sync.Mutex
	var startedAt time.Time
	p.started = func(string) {
		mu.Lock()
		defer mu.Unlock()
		startedAt = time.Now()
	}
	e := env.New(t, p.run)
	mustUp(t, e, "dev")
	mustSplit(t, e, "dev")

	release, err := e.LockStack(ctx, "dev", stackops.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var said notes
	done := make(chan error, 1)
	go func() {
		_, err := e.Deploy(ctx, stackops.DeployRequest{Env: "dev", Module: "quotes", Image: "quotes:9"}, stackops.RunOptions{Notify: said.add})
		done <- err
	}()
	// Hold the base until the deploy says it waits for it, or its update starts regardless.
	deadline := time.Now().Add(3 * time.Minute)
	for len(said.with("locked")) == 0 && time.Now().Before(deadline) {
		mu.Lock()
		ran := !startedAt.IsZero()
		mu.Unlock()
		if ran {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	freed := time.Now()
	if err := release(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("the deploy: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if startedAt.Before(freed) {
		t.Errorf("the deploy's update of dev.quotes started at %s, while the base was locked (until %s)", startedAt.Format(time.RFC3339Nano), freed.Format(time.RFC3339Nano))
	}
	if img := moduleImage(t, e, "dev", "quotes"); img != "quotes:9" {
		t.Errorf("dev.quotes runs %v after the deploy, want quotes:9", img)
	}
}
