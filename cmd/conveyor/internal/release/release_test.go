package release_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/release"
)

// TestNextKeepsTheUpdateThatFirstRanAnImage: an image that keeps running keeps the update that
// first ran it; a new image is entered with the update that runs it; a removed one leaves.
func TestNextKeepsTheUpdateThatFirstRanAnImage(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	first := release.Ran{Env: "staging", Update: 4, Time: t0}
	second := release.Ran{Env: "staging", Update: 5, Time: t0.Add(time.Hour)}
	rec := release.Record{}.Next(first, map[string]map[string]string{"quotes": {"api": "q@sha256:1"}, "claims": {"api": "c@sha256:1"}})
	rec = rec.Next(second, map[string]map[string]string{"quotes": {"api": "q@sha256:1"}, "policies": {"api": "p@sha256:2"}})
	want := release.Record{Env: "staging", Update: 5, Images: map[string]map[string]release.Entry{
		"quotes":   {"api": {Image: "q@sha256:1", Ran: first}},
		"policies": {"api": {Image: "p@sha256:2", Ran: second}},
	}}
	if diff := cmp.Diff(want, rec); diff != "" {
		t.Errorf("record (-want +got):\n%s", diff)
	}
}

// TestDirKeepsRecords writes a record and reads it back; an environment without one says so.
func TestDirKeepsRecords(t *testing.T) {
	ctx := context.Background()
	store, err := release.Open(ctx, "file://"+t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(ctx, t, store)
	if _, err := release.Open(ctx, "s3://bucket/releases"); err == nil {
		t.Error("an s3:// location opened")
	}
}

// roundTrip checks a store from empty: no record, then a written record read back.
func roundTrip(ctx context.Context, t *testing.T, store release.Store) {
	t.Helper()
	if _, err := store.Read(ctx, "staging"); !errors.Is(err, release.ErrNoRecord) {
		t.Fatalf("reading before any write: %v, want ErrNoRecord", err)
	}
	rec := release.Record{}.Next(release.Ran{Env: "staging", Update: 1, Time: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)},
		map[string]map[string]string{"quotes": {"api": "q@sha256:1"}})
	if err := store.Write(ctx, rec); err != nil {
		t.Fatal(err)
	}
	got, err := store.Read(ctx, "staging")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(rec, got); diff != "" {
		t.Errorf("read back (-want +got):\n%s", diff)
	}
}
