package realengine

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/opsummary"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackopstest"
	"github.com/conveyor-paas/conveyor/internal/kubeobjects"
	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/tests/harness"
)

// TestKilledUpdateConverges kills the Pulumi CLI (SIGKILL: no chance to clean up, as when a
// CI runner dies) in the middle of operations on a local environment, and proves that the
// next up converges: it succeeds, a preview after it changes nothing, what is live is what
// the state holds (nothing orphaned live, nothing in state that is gone), and a destroy then
// leaves no object labelled with the environment.
//
// It runs twice: as local environments run, with the engine's intermediate checkpoints
// skipped (stackops/state_checkpoints.go), and with every checkpoint, as environments on GKE run:
// there the Runner takes the GKE path (no sweep, no refresh after a stale lock: both ask
// whether checkpoints were skipped, not the stack's name). In each mode the first kill is the
// hardest point: while a create is in flight, once a StatefulSet is live that the state does
// not record yet (the next up must adopt it: with a field manager of its own per create, the
// kubernetes provider's apply conflicted with the killed one's). Then a kill at a random step
// of an up; one followed by a destroy instead of an up, which must leave nothing (without
// checkpoints the state recorded nothing the killed up made: the sweep of
// stackops/recover_sweep.go deletes it; with them, the destroy deletes what the state
// recorded); and one at a random step of a destroy (the state then still records objects
// that are gone). CONVEYOR_CRASH_SEED replays the random points,
// CONVEYOR_CRASH_ROUNDS sets how many of each (1 unless set).
func TestKilledUpdateConverges(t *testing.T) {
	f := setup(t)
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("CONVEYOR_CRASH_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("CONVEYOR_CRASH_SEED=%q: %v", s, err)
		}
	}
	rounds := 1
	if s := os.Getenv("CONVEYOR_CRASH_ROUNDS"); s != "" {
		var err error
		if rounds, err = strconv.Atoi(s); err != nil {
			t.Fatalf("CONVEYOR_CRASH_ROUNDS=%q: %v", s, err)
		}
	}
	t.Logf("kill points from CONVEYOR_CRASH_SEED=%d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))

	modes := []struct {
		name     string
		env      string
		extraEnv map[string]string
		random   bool
	}{
		{name: "checkpoints skipped", env: "local-crash", random: true},
		{name: "every checkpoint", env: "local-crashcp", extraEnv: map[string]string{"PULUMI_SKIP_CHECKPOINTS": "false"}, random: true},
	}
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			backend := stackopstest.NewEnv(t)
			c := f.newClone(t, backend, mode.extraEnv)
			ctx := t.Context()
			env := mode.env
			c.configure(t, env, f.demoCatalog())
			plan := mustRun(t, "preview", env, func() (*opsummary.Summary, error) { return c.e.Preview(ctx, env, stackops.RunOptions{}) })
			creates := plan.Changes[opsummary.OpCreate]
			if creates < 2 {
				t.Fatalf("the preview of %s creates %d resources: nothing to kill an update in", env, creates)
			}

			t.Run("kill while a StatefulSet is created", func(t *testing.T) {
				killAndConverge(t, f, c, env, []string{"up", "--env", env}, func(string) bool {
					// The StatefulSet live while the checkpoint does not record it: its create
					// reached the cluster and has not returned (the provider waits until its
					// pod is ready). The live objects are listed first, so that one recorded
					// meanwhile is not taken for one in flight.
					sets, err := f.kube.Client.AppsV1().StatefulSets("").List(t.Context(), metav1.ListOptions{LabelSelector: naming.LabelEnvironment + "=" + env})
					if err != nil || len(sets.Items) == 0 {
						return false
					}
					recorded, ok := c.checkpointObjects(env)
					if !ok {
						return false
					}
					for _, set := range sets.Items {
						if !slices.Contains(recorded, harness.Ref("StatefulSet", set.Namespace, set.Name)) {
							t.Logf("killing while creating StatefulSet %s/%s", set.Namespace, set.Name)
							return true
						}
					}
					return false
				})
			})
			if !mode.random {
				return
			}
			for range rounds {
				if t.Failed() {
					return
				}
				// Kill once this many resources are created: 0 kills at the first step.
				at := rng.IntN(creates)
				t.Run("kill an up after "+strconv.Itoa(at)+" of "+strconv.Itoa(creates), func(t *testing.T) {
					killAndConverge(t, f, c, env, []string{"up", "--env", env}, func(out string) bool {
						return strings.Count(out, "] created ") >= at
					})
				})
			}
			for range rounds {
				if t.Failed() {
					return
				}
				// A pull request closed while its environment's up was killed: without
				// checkpoints the state records nothing of what the killed up made.
				// At a third of the way or later, so that the killed up made something.
				at := creates/3 + rng.IntN(creates-creates/3)
				t.Run("kill an up after "+strconv.Itoa(at)+" of "+strconv.Itoa(creates)+", then destroy", func(t *testing.T) {
					cmd, out := c.start(t, "up", "--env", env)
					killWhen(t, cmd, "up", func() bool { return strings.Count(out.String(), "] created ") >= at })
					s := mustRun(t, "destroy", env, func() (*opsummary.Summary, error) { return c.e.Destroy(ctx, env, env, stackops.RunOptions{}) })
					t.Logf("the destroy swept %d object(s) no state held: %v", len(s.Swept), s.Swept)
					if left := f.labelled(t, env); len(left) > 0 {
						t.Errorf("after destroying %s, objects labelled with it are left:\n  %s", env, join(left))
					}
				})
			}
			for range rounds {
				if t.Failed() {
					return
				}
				at := 1 + rng.IntN(creates/2)
				t.Run("kill a destroy after "+strconv.Itoa(at)+" of "+strconv.Itoa(creates), func(t *testing.T) {
					mustRun(t, "up", env, func() (*opsummary.Summary, error) { return c.e.Up(ctx, env, stackops.RunOptions{}) })
					killAndConverge(t, f, c, env, []string{"destroy", "--env", env, "--confirm", env}, func(out string) bool {
						return strings.Count(out, "] deleted ") >= at
					})
				})
			}
		})
	}
}

// killAndConverge starts conveyor with args on env, kills it with its CLI and plugins as
// soon as point holds of its output so far, and requires the next up to converge (see
// TestKilledUpdateConverges), then destroys env.
func killAndConverge(t *testing.T, f *fixture, c *clone, env string, args []string, point func(out string) bool) {
	t.Helper()
	ctx := t.Context()
	cmd, out := c.start(t, args...)
	killWhen(t, cmd, args[0], func() bool { return point(out.String()) })
	killed := c.state(t, env)
	t.Logf("conveyor %s, its CLI and its plugins killed with %d resources and %d pending operation(s) in the state",
		args[0], len(killed.Resources), len(killed.PendingOperations))

	// Its notices say how it recovered (a stale lock removed, what was refreshed).
	recovering := stackops.RunOptions{Notify: func(m string) { t.Log(m) }}
	s := mustRun(t, "up after the kill", env, func() (*opsummary.Summary, error) { return c.e.Up(ctx, env, recovering) })
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
		if !slices.Contains(inState, ref) && !kubeobjects.MadeByController(ref, inState) {
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
}

// killWhen kills the started conveyor command cmd (running verb) with its CLI and plugins as
// soon as point holds, and waits for it to end.
func killWhen(t *testing.T, cmd *exec.Cmd, verb string, point func() bool) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	deadline := time.After(10 * time.Minute)
	for killed := false; !killed; {
		select {
		case err := <-done:
			t.Fatalf("conveyor %s ended (%v) before the kill point", verb, err)
		case <-deadline:
			t.Fatal("the kill point never came")
		case <-time.After(50 * time.Millisecond):
		}
		if point() {
			killTree(t, cmd.Process.Pid)
			killed = true
		}
	}
	if err := <-done; err == nil {
		t.Fatalf("conveyor %s succeeded although it was killed", verb)
	}
}

// killTree sends SIGKILL to pid and every process below it, as when the machine or the CI
// job running them dies: the conveyor command, its Pulumi CLI and the plugins. (Killing the
// CLI alone is no test of the state: the conveyor process, which runs the inline program,
// then waits for that program for ever (the Automation API's language server closes only once
// the program returns), and the orphaned plugins never notice that the engine is gone.)
func killTree(t *testing.T, pid int) {
	t.Helper()
	for _, p := range append([]int{pid}, descendants(pid, "")...) {
		if err := syscall.Kill(p, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
			t.Errorf("killing pid %d: %v", p, err)
		}
	}
}

// checkpointObjects are the Kubernetes objects env's checkpoint file records while an update
// writes it, and false when the file cannot be read or parsed at this moment.
func (c *clone) checkpointObjects(env string) ([]harness.ObjectRef, bool) {
	data, err := os.ReadFile(c.checkpointFile(env))
	if err != nil {
		return nil, false
	}
	var file struct {
		Checkpoint struct {
			Latest apitype.DeploymentV3 `json:"latest"`
		} `json:"checkpoint"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		return nil, false
	}
	return stateObjects(file.Checkpoint.Latest), true
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

// stateObjects are the Kubernetes objects the state holds, sorted.
func stateObjects(dep apitype.DeploymentV3) []harness.ObjectRef {
	out := stackops.KubernetesObjects(dep)
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
