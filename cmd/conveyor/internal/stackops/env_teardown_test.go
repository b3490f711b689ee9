package stackops_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackopstest"
	"github.com/conveyor-paas/conveyor/naming"
)

// dropType is the type of the test double's stand-in for the job that drops an environment's
// databases (components.NewDatabaseTeardown): a component, so that no provider plugin is
// needed, created by the teardown update exactly when the real job would run.
const dropType = "conveyor:test:DatabaseTeardown"

// teardowns is a test double of stacks.TeardownProgram: the environment as the test program
// declares it, the stand-in for the dropping job, and, with moved, what main's code declares
// beyond what the environment was deployed with. It records the environments it ran for as an
// update (not a preview).
type teardowns struct {
	mu    sync.Mutex
	ran   []string
	fail  error
	moved bool
}

func (td *teardowns) program(ctx *pulumi.Context) error {
	if err := stackopstest.Program(ctx); err != nil {
		return err
	}
	if td.moved {
		// A module added since the environment was deployed, and a resource that fails as
		// soon as the engine creates it: a reference to a stack that does not exist, which
		// the engine's built-in provider refuses to create (no plugin involved).
		var claims struct{ pulumi.ResourceState }
		if err := ctx.RegisterComponentResource(naming.TypeModule, "claims", &claims); err != nil {
			return err
		}
		var broken struct{ pulumi.CustomResourceState }
		missing := pulumi.Map{"name": pulumi.String(ctx.Organization() + "/" + ctx.Project() + "/no-such-stack")}
		if err := ctx.RegisterResource("pulumi:pulumi:StackReference", "broken", missing, &broken); err != nil {
			return err
		}
	}
	var drop struct{ pulumi.ResourceState }
	if err := ctx.RegisterComponentResourceV2(dropType, "drop-databases", pulumi.Map{"environment": pulumi.String(ctx.Stack())}, &drop); err != nil {
		return err
	}
	if !ctx.DryRun() {
		td.mu.Lock()
		td.ran = append(td.ran, ctx.Stack())
		td.mu.Unlock()
	}
	return td.fail
}

// teardownTargets is the URN of the stand-in for the dropping job, as stacks.TeardownTargets
// names the real one.
func teardownTargets(project, env string) []string {
	return []string{fmt.Sprintf("urn:pulumi:%s::%s::%s::drop-databases", env, project, dropType)}
}

func newTeardownRunner(t *testing.T, td *teardowns) *stackops.Runner {
	t.Helper()
	env := stackopstest.NewEnv(t)
	opts := env.Options(t, stackopstest.Program)
	opts.Teardown, opts.TeardownTargets = td.program, teardownTargets
	e, err := stackops.New(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestDestroyTearsDownAdHocEnvironmentsFirst: destroying an ad-hoc environment first runs the
// teardown as an update that drops its databases and changes nothing else, then the destroy;
// a long-lived environment, or one never deployed, is destroyed without; a teardown that fails
// destroys nothing.
func TestDestroyTearsDownAdHocEnvironmentsFirst(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	td := &teardowns{}
	e := newTeardownRunner(t, td)
	for _, name := range []string{"pr-1", "pr-2", "pr-3"} {
		if _, _, err := e.CreateEnv(ctx, name, stackops.CreateOptions{TTL: time.Hour}); err != nil {
			t.Fatal(err)
		}
	}
	mustUp(t, e, "pr-1")
	mustUp(t, e, "pr-3")
	mustUp(t, e, "staging")

	if _, err := e.Destroy(ctx, "pr-1", "", stackops.RunOptions{}); err != nil {
		t.Fatalf("destroy pr-1: %v", err)
	}
	assertTornDown(t, e, "pr-1")
	if _, err := e.DeleteEnv(ctx, "pr-2", stackops.RunOptions{}); err != nil { // never deployed
		t.Fatalf("delete pr-2: %v", err)
	}
	if _, err := e.Destroy(ctx, "staging", "staging", stackops.RunOptions{}); err != nil {
		t.Fatalf("destroy staging: %v", err)
	}
	if !slices.Equal(td.ran, []string{"pr-1"}) {
		t.Errorf("the teardown ran for %v, want pr-1 only (pr-2 was never deployed, staging is long-lived)", td.ran)
	}

	td.fail = errors.New("the teardown job failed")
	if _, err := e.Destroy(ctx, "pr-3", "", stackops.RunOptions{}); err == nil {
		t.Fatal("pr-3 was destroyed although its teardown failed")
	}
	if got := inputs(t, e, "pr-3"); got["quotes-api"] == nil {
		t.Errorf("a failed teardown left pr-3 without its resources: %v", got)
	}
}

// TestTeardownTouchesOnlyItsOwnResources: the nightly gc tears environments down with main's
// code, which may declare more than an environment was deployed with, and something of it
// may fail. The teardown still drops the databases, changes nothing else, and the
// environment is destroyed (issue 27, defect 6).
func TestTeardownTouchesOnlyItsOwnResources(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	td := &teardowns{}
	e := newTeardownRunner(t, td)
	if _, _, err := e.CreateEnv(ctx, "pr-4", stackops.CreateOptions{TTL: time.Hour}); err != nil {
		t.Fatal(err)
	}
	mustUp(t, e, "pr-4")
	setConfig(t, e, "pr-4", "conveyor:replicas.quotes", "3", false) // a pending change
	td.moved = true
	if _, err := e.Destroy(ctx, "pr-4", "", stackops.RunOptions{}); err != nil {
		t.Fatalf("destroy pr-4 with main's code: %v", err)
	}
	if !slices.Equal(td.ran, []string{"pr-4"}) {
		t.Errorf("the teardown ran for %v, want pr-4", td.ran)
	}
	assertTornDown(t, e, "pr-4")
}

// assertTornDown checks env's history: its update, then a teardown update that created the
// dropping job and changed nothing else, then a destroy that left nothing.
func assertTornDown(t *testing.T, e *stackops.Runner, env string) {
	t.Helper()
	st, err := auto.SelectStack(context.Background(), env, e.Workspace())
	if err != nil {
		t.Fatal(err)
	}
	history, err := st.History(context.Background(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for i := len(history) - 1; i >= 0; i-- {
		kinds = append(kinds, history[i].Kind)
	}
	if !slices.Equal(kinds, []string{"update", "update", "destroy"}) {
		t.Fatalf("%s's history is %v, want its update, the teardown update, then the destroy", env, kinds)
	}
	teardown := *history[1].ResourceChanges
	// Unchanged resources, and the program's read of its own last checkpoint (package
	// deployed), change nothing.
	delete(teardown, "same")
	delete(teardown, "read")
	if diff := cmp.Diff(map[string]int{"create": 1}, teardown); diff != "" {
		t.Errorf("the teardown of %s must create the dropping job and change nothing else (-want +got):\n%s", env, diff)
	}
	if got := inputs(t, e, env); len(got) != 0 {
		t.Errorf("%s still holds %d resources after its destroy", env, len(got))
	}
}
