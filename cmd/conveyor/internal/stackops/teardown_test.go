package stackops_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackopstest"
)

// teardowns records the environments a teardown program ran for, as an update (not a
// preview), with the resources still in place: the test program's, which it declares too.
type teardowns struct {
	mu   sync.Mutex
	ran  []string
	fail error
}

func (td *teardowns) program(ctx *pulumi.Context) error {
	if err := stackopstest.Program(ctx); err != nil {
		return err
	}
	if !ctx.DryRun() {
		td.mu.Lock()
		td.ran = append(td.ran, ctx.Stack())
		td.mu.Unlock()
	}
	return td.fail
}

// TestDestroyTearsDownAdHocEnvironmentsFirst: destroying an ad-hoc environment first runs the
// teardown as an update, then the destroy; a long-lived environment, or one never deployed,
// is destroyed without; a teardown that fails destroys nothing.
func TestDestroyTearsDownAdHocEnvironmentsFirst(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := stackopstest.NewEnv(t)
	td := &teardowns{}
	opts := env.Options(t, stackopstest.Program)
	opts.Teardown = td.program
	e, err := stackops.New(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
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
	if got := kinds(t, e, "pr-1"); !slices.Equal(got, []string{"update", "update", "destroy"}) {
		t.Errorf("pr-1's history is %v, want its update, the teardown update, then the destroy", got)
	}
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

// kinds lists the kinds of env's updates, oldest first.
func kinds(t *testing.T, e *stackops.Runner, env string) []string {
	t.Helper()
	st, err := auto.SelectStack(context.Background(), env, e.Workspace())
	if err != nil {
		t.Fatal(err)
	}
	history, err := st.History(context.Background(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := len(history) - 1; i >= 0; i-- {
		out = append(out, history[i].Kind)
	}
	return out
}
