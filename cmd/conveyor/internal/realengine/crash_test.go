package realengine

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/opsummary"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackopstest"
	"github.com/conveyor-paas/conveyor/components/naming"
	"github.com/conveyor-paas/conveyor/tests/harness"
)

// TestKilledUpdateConverges kills the Pulumi CLI (SIGKILL: no chance to clean up, as when a
// CI runner dies) at random points of an up of an ad-hoc environment, and proves that the
// next up converges: it succeeds, a preview after it changes nothing, what is live is what
// the state holds (nothing orphaned live, nothing in state that is gone), and a destroy then
// leaves no object labelled with the environment. CONVEYOR_CRASH_SEED replays a run's
// points; CONVEYOR_CRASH_ROUNDS sets how many kills (2 unless set).
//
// It is opt-in (CONVEYOR_CRASH_TEST=1) until it passes at every kill point: some points still
// leave the next up failing on a server-side-apply field conflict, because each kubernetes
// provider instance applies under a field manager of its own (seed 1796181158671948548
// replays one). tests/bench/README.md says what is left.
func TestKilledUpdateConverges(t *testing.T) {
	if os.Getenv("CONVEYOR_CRASH_TEST") != "1" {
		t.Skip("opt-in until it converges at every kill point: set CONVEYOR_CRASH_TEST=1")
	}
	f := setup(t)
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("CONVEYOR_CRASH_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("CONVEYOR_CRASH_SEED=%q: %v", s, err)
		}
	}
	rounds := 2
	if s := os.Getenv("CONVEYOR_CRASH_ROUNDS"); s != "" {
		var err error
		if rounds, err = strconv.Atoi(s); err != nil {
			t.Fatalf("CONVEYOR_CRASH_ROUNDS=%q: %v", s, err)
		}
	}
	t.Logf("kill points from CONVEYOR_CRASH_SEED=%d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))

	backend := stackopstest.NewEnv(t)
	c := f.newClone(t, backend, nil)
	ctx := t.Context()
	const env = "local-crash"
	c.configure(t, env, f.demoCatalog())
	plan := mustRun(t, "preview", env, func() (*opsummary.Summary, error) { return c.e.Preview(ctx, env, stackops.RunOptions{}) })
	creates := plan.Changes[opsummary.OpCreate]
	if creates < 2 {
		t.Fatalf("the preview of %s creates %d resources: nothing to kill an update in", env, creates)
	}

	for round := range rounds {
		// Kill once this many resources have finished their step: 0 kills at the first step.
		at := rng.IntN(creates)
		t.Run("kill after "+strconv.Itoa(at)+" of "+strconv.Itoa(creates), func(t *testing.T) {
			cmd := c.start(t, "up", "--env", env)
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			// The point: once the checkpoint records at resources (0: once the lock is taken).
			deadline := time.After(10 * time.Minute)
			for killed := false; !killed; {
				select {
				case err := <-done:
					t.Fatalf("round %d: conveyor up ended (%v) before %d resources were recorded", round, err, at)
				case <-deadline:
					t.Fatalf("round %d: %d resources were never recorded", round, at)
				case <-time.After(50 * time.Millisecond):
				}
				if n, locked := c.progress(env); locked && n >= at {
					killTree(t, cmd.Process.Pid)
					killed = true
				}
			}
			if err := <-done; err == nil {
				t.Fatalf("round %d: conveyor up succeeded although it was killed", round)
			}
			t.Logf("conveyor up, its CLI and its plugins killed with %d resources recorded", at)

			s := mustRun(t, "up after the kill", env, func() (*opsummary.Summary, error) { return c.e.Up(ctx, env, stackops.RunOptions{}) })
			t.Logf("the converging up: %v", s.Changes)
			if p := mustRun(t, "preview", env, func() (*opsummary.Summary, error) { return c.e.Preview(ctx, env, stackops.RunOptions{}) }); p.HasChanges() {
				t.Errorf("a preview after the converging up changes %v: %v", p.Changes, p.Resources)
			}
			state := c.state(t, env)
			if len(state.PendingOperations) > 0 {
				t.Errorf("the state still holds %d pending operations after a successful up: %v", len(state.PendingOperations), state.PendingOperations)
			}
			inState := stateObjects(state)
			live := f.roots(t, env)
			for _, ref := range live {
				if !slices.Contains(inState, ref) && !madeByController(ref, inState) {
					t.Errorf("orphaned live: %s is labelled with %s but not in its state", ref, env)
				}
			}
			for _, ref := range inState {
				if !slices.Contains(live, ref) {
					t.Errorf("orphaned in state: %s is in the state of %s but not live", ref, env)
				}
			}

			mustRun(t, "destroy", env, func() (*opsummary.Summary, error) { return c.e.Destroy(ctx, env, env, stackops.RunOptions{}) })
			if left := f.labelled(t, env); len(left) > 0 {
				t.Errorf("after destroying %s, objects labelled with it are left:\n  %s", env, join(left))
			}
		})
		if t.Failed() {
			return
		}
	}
}

// killTree sends SIGKILL to pid and every process below it, as when the machine or the CI
// job running them dies: the conveyor command, its Pulumi CLI and the plugins. (Killing the
// CLI alone is no test of the state: the conveyor process, which runs the inline program,
// then waits for that program for ever (the Automation API's language server closes only once
// the program returns), and the orphaned plugins never notice that the engine is gone.)
func killTree(t *testing.T, pid int) {
	for _, p := range append([]int{pid}, descendants(pid, "")...) {
		if err := syscall.Kill(p, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
			t.Errorf("killing pid %d: %v", p, err)
		}
	}
}

// progress reports how many resources env's checkpoint records, and whether an operation
// holds its lock.
func (c *clone) progress(env string) (resources int, locked bool) {
	root := filepath.Join(strings.TrimPrefix(c.backend.Backend, "file://"), ".pulumi")
	locks, _ := filepath.Glob(filepath.Join(root, "locks", "organization", naming.Project, env, "*.json"))
	data, _ := os.ReadFile(filepath.Join(root, "stacks", naming.Project, env+".json"))
	return strings.Count(string(data), `"urn":`), len(locks) > 0
}

// descendants lists the processes named comm (any, if empty) below pid, from /proc.
func descendants(pid int, comm string) []int {
	entries, _ := os.ReadDir("/proc")
	parent := map[int]int{}
	name := map[int]string{}
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue // it ended meanwhile
		}
		// pid (comm) state ppid ...: comm may hold spaces and parentheses, so split at the last ')'.
		s := string(stat)
		open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || end < open {
			continue
		}
		fields := strings.Fields(s[end+1:])
		if len(fields) < 2 {
			continue
		}
		pp, _ := strconv.Atoi(fields[1])
		parent[p], name[p] = pp, s[open+1:end]
	}
	var out []int
	for p, n := range name {
		if comm != "" && n != comm {
			continue
		}
		for a := parent[p]; a > 1; a = parent[a] {
			if a == pid {
				out = append(out, p)
				break
			}
		}
	}
	slices.Sort(out)
	return out
}

// state is env's checkpoint in the clone's backend.
func (c *clone) state(t *testing.T, env string) apitype.DeploymentV3 {
	t.Helper()
	exported, err := c.e.WorkspaceFor(env).ExportStack(t.Context(), env)
	if err != nil {
		t.Fatal(err)
	}
	var dep apitype.DeploymentV3
	if err := json.Unmarshal(exported.Deployment, &dep); err != nil {
		t.Fatalf("the state of %s: %v", env, err)
	}
	return dep
}

// stateObjects are the Kubernetes objects the state holds, by the kind and metadata the
// provider recorded as their outputs.
func stateObjects(dep apitype.DeploymentV3) []harness.ObjectRef {
	var out []harness.ObjectRef
	for _, r := range dep.Resources {
		if !strings.HasPrefix(string(r.Type), "kubernetes:") {
			continue
		}
		kind, _ := r.Outputs["kind"].(string)
		meta, _ := r.Outputs["metadata"].(map[string]any)
		name, _ := meta["name"].(string)
		namespace, _ := meta["namespace"].(string)
		if kind == "" || name == "" {
			continue
		}
		out = append(out, harness.Ref(kind, namespace, name))
	}
	slices.Sort(out)
	return out
}

// roots are the live objects labelled with env that no other object owns: what the engine
// made, as opposed to what controllers made from it (ReplicaSets, Pods, EndpointSlices),
// which go with their owners.
func (f *fixture) roots(t *testing.T, env string) []harness.ObjectRef {
	t.Helper()
	refs, err := f.kube.LabelledRoots(t.Context(), naming.LabelEnvironment+"="+env)
	if err != nil {
		t.Fatal(err)
	}
	return refs
}

// madeByController reports whether ref is an object a controller makes, without an owner
// reference, from an object of the state: the Endpoints of a Service (its name), and the
// claims of a StatefulSet's volumeClaimTemplates (<template>-<statefulset>-<ordinal>), which
// Kubernetes keeps on purpose when the StatefulSet goes.
func madeByController(ref harness.ObjectRef, inState []harness.ObjectRef) bool {
	kind, rest, _ := strings.Cut(string(ref), " ")
	namespace, name, _ := strings.Cut(rest, "/")
	switch kind {
	case "Endpoints":
		return slices.Contains(inState, harness.Ref("Service", namespace, name))
	case "PersistentVolumeClaim":
		for _, r := range inState {
			k, rest, _ := strings.Cut(string(r), " ")
			ns, sts, _ := strings.Cut(rest, "/")
			if k != "StatefulSet" || ns != namespace {
				continue
			}
			if i := strings.Index(name, "-"+sts+"-"); i > 0 {
				if _, err := strconv.Atoi(name[i+len(sts)+2:]); err == nil {
					return true
				}
			}
		}
	}
	return false
}
