package cli

import (
	"testing"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackopstest"
)

// TestUpListStacks: `up --list-stacks` prints an environment's stacks for a CI matrix and
// updates nothing; an environment never split is its base alone.
func TestUpListStacks(t *testing.T) {
	t.Parallel()
	c := newClone(t, stackopstest.NewEnv(t))
	c.must(ExitOK, "env", "create", "pr-3")
	got := decode[stackops.EnvStacks](t, c.must(ExitOK, "up", "--env", "pr-3", "--list-stacks"))
	if got.Base != "pr-3" || len(got.Modules) != 0 {
		t.Errorf("up --list-stacks of pr-3: %+v, want its base alone", got)
	}
	if h := decode[[]stackops.HistoryEntry](t, c.must(ExitOK, "history", "--env", "pr-3", "--json")); len(h) != 0 {
		t.Errorf("up --list-stacks updated pr-3: %+v", h)
	}
}
