package realengine

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackopstest"
	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/tests/harness"
)

// TestUpRightAfterADestroyKeepsWhatItMade: two runners of one local environment, the first
// destroying it and the second running `up` as soon as the first holds the stack's lock. The
// second waits for the lock, then brings the environment back; the destroy's sweep, which
// deletes what no state holds, must not delete what the up made. When the sweep ran after
// the destroy had released the lock, it could read the state before the up and delete the
// objects the up had just created. Whatever the order, every object the environment renders
// is live at the end.
func TestUpRightAfterADestroyKeepsWhatItMade(t *testing.T) {
	f := setup(t)
	backend := stackopstest.NewEnv(t)
	first, second := f.newClone(t, backend, nil), f.newClone(t, backend, nil)
	const env = "local-dave"
	catalog := twoModules(t, f)
	first.configure(t, env, catalog)
	second.configure(t, env, catalog)
	first.mustConveyor(t, "up", "--env", env)

	destroy, _ := first.start(t, "destroy", "--env", env, "--confirm", env)
	locks := filepath.Join(strings.TrimPrefix(backend.Backend, "file://"), ".pulumi", "locks", "organization", naming.Project, env)
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(20 * time.Millisecond) {
		if held, _ := filepath.Glob(filepath.Join(locks, "*.json")); len(held) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the destroy never took the stack's lock")
		}
	}
	up, _ := second.start(t, "up", "--env", env)
	if err := destroy.Wait(); err != nil {
		t.Fatalf("the destroy: %v", err)
	}
	if err := up.Wait(); err != nil {
		t.Fatalf("the up after it: %v", err)
	}

	live := f.labelled(t, env)
	for _, o := range renderedObjectsOf(t, f, env, catalog) {
		if ref := harness.Ref(o.Kind(), o.Namespace(), o.Name()); !slices.Contains(live, ref) {
			t.Errorf("%s is rendered but not live after the up: deleted by the destroy's sweep", ref)
		}
	}
	second.mustConveyor(t, "destroy", "--env", env, "--confirm", env)
	if _, err := os.Stat(locks); err == nil {
		if left, _ := filepath.Glob(filepath.Join(locks, "*.json")); len(left) > 0 {
			t.Errorf("locks left: %v", left)
		}
	}
}
