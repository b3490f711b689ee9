package stackops_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackopstest"
	"github.com/conveyor-paas/conveyor/stacks/deployed"
)

// recordingGate is a test double of the conveyor command's policy gate: it records what it
// was asked about and refuses while refuse is set.
type recordingGate struct {
	mu   sync.Mutex
	seen []string
	// seeds are the conveyor:images the gate saw, and deployed the images the program's
	// deployed layer will hold: the checkpoint's record with the request put over it, as
	// deployed.Record computes them.
	seeds, deployed []string
	refuse          error
}

func (g *recordingGate) check(_ context.Context, env string, in stackops.GateInput) (stackops.GateResult, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.seen = append(g.seen, env)
	g.seeds = append(g.seeds, in.Config[deployed.SeedKey].Value)
	req, err := deployed.Decode(in.Config[deployed.RequestKey].Value)
	if err != nil {
		return stackops.GateResult{}, err
	}
	text, err := json.Marshal(in.Deployed.Overlay(req))
	if err != nil {
		return stackops.GateResult{}, err
	}
	g.deployed = append(g.deployed, string(text))
	return stackops.GateResult{}, g.refuse
}

// TestGateRunsBeforeTheEngine: up, preview, deploy and promote ask the gate first, with the
// config the engine is about to use (a fresh clone's restored from the backend); a refusal
// stops the operation before the engine runs, so nothing changes and no update is recorded.
func TestGateRunsBeforeTheEngine(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := stackopstest.NewEnv(t)
	gate := &recordingGate{}
	opts := env.Options(t, stackopstest.Program)
	opts.Gate = gate.check
	e, err := stackops.New(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	mustUp(t, e, "dev")
	if _, err := e.Deploy(ctx, stackops.DeployRequest{Env: "dev", Module: "quotes", Image: "quotes:2"}, stackops.RunOptions{}); err != nil {
		t.Fatal(err)
	}
	mustUp(t, e, "staging")
	if _, err := e.Promote(ctx, stackops.PromoteRequest{From: "dev", To: "staging"}, stackops.RunOptions{}); err != nil {
		t.Fatal(err)
	}
	if want := []string{"dev", "dev", "staging", "staging"}; !slices.Equal(gate.seen, want) {
		t.Errorf("the gate saw %v, want %v", gate.seen, want)
	}
	want := []string{`{}`, `{"quotes":{"api":"quotes:2"}}`, `{}`, `{"quotes":{"api":"quotes:2"}}`}
	if diff := cmp.Diff(want, gate.deployed); diff != "" {
		t.Errorf("the deployed images the gates saw (-want +got):\n%s", diff)
	}
	// The stack file's seed stays the seed: a deployed image is never passed off as one.
	if diff := cmp.Diff([]string{"", "", "", ""}, gate.seeds); diff != "" {
		t.Errorf("the seeds the gates saw (-want +got):\n%s", diff)
	}

	// A fresh clone has no config file: the gate sees what the engine restored.
	fresh := env.Options(t, stackopstest.Program)
	fresh.Gate = gate.check
	clone, err := stackops.New(ctx, fresh)
	if err != nil {
		t.Fatal(err)
	}
	before := len(history(t, clone, "dev"))
	gate.refuse = errors.New("a mandatory rule is violated")
	_, err = clone.Up(ctx, "dev", stackops.RunOptions{})
	if !stackops.IsGated(err) || !errors.Is(err, gate.refuse) {
		t.Fatalf("up with a refusing gate: %v, want the gate's refusal", err)
	}
	if got := gate.deployed[len(gate.deployed)-1]; got != `{"quotes":{"api":"quotes:2"}}` {
		t.Errorf("the fresh clone's gate saw deployed images %s, not those of the last checkpoint", got)
	}
	if _, err := clone.Preview(ctx, "dev", stackops.RunOptions{}); !stackops.IsGated(err) {
		t.Errorf("preview with a refusing gate: %v", err)
	}
	if after := len(history(t, clone, "dev")); after != before {
		t.Errorf("a refused up was recorded: %d updates, then %d", before, after)
	}
}

func history(t *testing.T, e *stackops.Runner, env string) []auto.UpdateSummary {
	t.Helper()
	st, err := auto.SelectStack(context.Background(), env, e.Workspace())
	if err != nil {
		t.Fatal(err)
	}
	h, err := st.History(context.Background(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	return h
}
