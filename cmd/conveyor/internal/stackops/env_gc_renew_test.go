package stackops_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackopstest"
)

// TestGCKeepsAnEnvironmentRenewedWhileItWaited: the nightly gc lists pr-1 as expired, then
// waits for its lock, which the pull request's pipeline holds for an update after renewing
// pr-1's TTL. Once gc holds the lock it must see the renewal and keep pr-1 (issue 27,
// defect 7), not destroy what the pipeline is deploying.
func TestGCKeepsAnEnvironmentRenewedWhileItWaited(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := stackopstest.NewEnv(t)
	opts := env.Options(t, stackopstest.Program)
	td := &teardowns{}
	opts.Teardown, opts.TeardownTargets = td.program, teardownTargets
	e, err := stackops.New(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.CreateEnv(ctx, "pr-1", stackops.CreateOptions{TTL: time.Hour}); err != nil {
		t.Fatal(err)
	}
	mustUp(t, e, "pr-1")
	env.Clock.Advance(2 * time.Hour)

	// The pipeline's update, in its own clone, holds pr-1's lock until gc waits for it.
	release := make(chan struct{})
	pipeline := env.New(t, func(ctx *pulumi.Context) error {
		if !ctx.DryRun() {
			select {
			case <-release:
			case <-time.After(5 * time.Minute): // gc never came: the test fails below
			}
		}
		return stackopstest.Program(ctx)
	})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if _, err := pipeline.Up(ctx, "pr-1", stackops.RunOptions{}); err != nil {
			t.Errorf("the pipeline's up of pr-1: %v", err)
		}
	}()
	env.WaitForLock(t, "pr-1", 2*time.Minute)

	// gc has listed pr-1 as expired; while it waits for the lock, the pipeline renews pr-1
	// (its `env create`, run again on a push) and its update goes on.
	var once sync.Once
	renewed := false
	res, err := e.CollectExpired(ctx, stackops.GCOptions{Notify: func(msg string) {
		t.Log(msg)
		if strings.Contains(msg, "is locked by") {
			once.Do(func() {
				if _, _, err := e.CreateEnv(ctx, "pr-1", stackops.CreateOptions{TTL: 72 * time.Hour}); err != nil {
					t.Errorf("renewing pr-1: %v", err)
				}
				renewed = true
				close(release)
			})
		}
	}})
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if !renewed {
		t.Fatal("gc never waited for pr-1's lock")
	}
	if len(res.Entries) != 1 || res.Entries[0].Action != stackops.GCKept {
		t.Fatalf("gc: %+v, want pr-1 kept", res.Entries)
	}
	t.Logf("pr-1: %s", res.Entries[0].Reason)
	if got := inputs(t, e, "pr-1"); got["quotes-api"] == nil {
		t.Errorf("pr-1 lost its resources although its TTL was renewed: %v", got)
	}
}
