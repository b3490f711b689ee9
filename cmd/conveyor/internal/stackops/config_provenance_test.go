package stackops_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackopstest"
)

// labelsDouble is a test double of a registry: the OCI labels of the images it knows.
type labelsDouble map[string]map[string]string

func (l labelsDouble) Labels(_ context.Context, image string) (map[string]string, error) {
	return l[image], nil
}

// TestChangeRecords deploys with the sources CI passes, and from an image's labels, rolls
// back, and promotes to prod through a plan applied in another clone, with the real CLI: each
// update's own record in the backend says which operation it was and where its images came
// from, and a promotion carries the sources of the images it copies (issue 30).
func TestChangeRecords(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := stackopstest.NewEnv(t)
	opts := env.Options(t, stackopstest.Program)
	t3 := time.Date(2026, 10, 30, 8, 0, 0, 0, time.UTC)
	// Pinned by digest, as a deploy through a registry records them: prod takes nothing else.
	q1, q2, q3, q4 := pinned("quotes:1"), pinned("quotes:2"), pinned("quotes:3"), pinned("quotes:4")
	opts.Labels = labelsDouble{q3: {stackops.LabelRevision: "c3", stackops.LabelCreated: t3.Format(time.RFC3339)}}
	e, err := stackops.New(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"staging", "prod"} {
		if _, _, err := e.CreateEnv(ctx, name, stackops.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	mustUp(t, e, "staging")
	t1 := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	t2 := t1.Add(3 * time.Hour)
	deploy := func(image string, src stackops.Source) {
		t.Helper()
		if _, err := e.Deploy(ctx, stackops.DeployRequest{Env: "staging", Module: "quotes", Image: image, Source: src}, stackops.RunOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	deploy(q1, stackops.Source{Commit: "c1", Time: t1})
	deploy(q2, stackops.Source{Commit: "c2", Time: t2})
	if _, err := e.Rollback(ctx, stackops.RollbackRequest{Env: "staging", Module: "quotes"}, stackops.RunOptions{}); err != nil {
		t.Fatal(err)
	}
	deploy(q3, stackops.Source{}) // CI passed nothing: the labels say
	deploy(q4, stackops.Source{}) // nothing anywhere
	deploy(q1, stackops.Source{}) // again, but nothing passed this time

	plan := filepath.Join(t.TempDir(), "prod.plan.json")
	if _, err := e.Promote(ctx, stackops.PromoteRequest{From: "staging", To: "prod", Module: "quotes"}, stackops.RunOptions{Plan: plan}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.New(t, stackopstest.Program).Up(ctx, "prod", stackops.RunOptions{Plan: plan}); err != nil {
		t.Fatal(err)
	}

	records := func(env string) []*stackops.Change {
		t.Helper()
		h, err := e.History(ctx, env)
		if err != nil {
			t.Fatal(err)
		}
		var out []*stackops.Change
		for _, u := range h {
			out = append(out, u.Change)
		}
		return out
	}
	c1 := map[string]stackops.Source{q1: {Commit: "c1", Time: t1}}
	// Newest first; the first update, staging's up, records none.
	wantDev := []*stackops.Change{
		{Operation: stackops.OperationDeploy},
		{Operation: stackops.OperationDeploy},
		{Operation: stackops.OperationDeploy, Sources: map[string]stackops.Source{q3: {Commit: "c3", Time: t3}}},
		{Operation: stackops.OperationRollback, Sources: c1},
		{Operation: stackops.OperationDeploy, Sources: map[string]stackops.Source{q2: {Commit: "c2", Time: t2}}},
		{Operation: stackops.OperationDeploy, Sources: c1},
		nil,
	}
	if diff := cmp.Diff(wantDev, records("staging")); diff != "" {
		t.Errorf("staging's change records (-want +got):\n%s", diff)
	}
	// The plan carried the promotion's record to the clone that applied it.
	wantProd := []*stackops.Change{{Operation: stackops.OperationPromote, From: "staging", Sources: c1}}
	if diff := cmp.Diff(wantProd, records("prod")[:1]); diff != "" {
		t.Errorf("prod's change record (-want +got):\n%s", diff)
	}
}
