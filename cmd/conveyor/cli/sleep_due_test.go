package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackopstest"
	"github.com/conveyor-paas/conveyor/naming"
)

// TestSleepAndWakeDue drives the schedule through the real CLI on a file backend: sleep --due
// tags and scales down exactly the environments due (outside their awake hours, idle past
// their limit), leaving a kept one and one under its limit; wake --due brings back the one
// asleep on schedule whose hours are back, through an asleep update and then the awake one,
// and leaves the idle one asleep. The clusters are a test double (client-go's fake clientset)
// that records which environments were reached: what the sleeper does on a real API server is
// tests/apiserver's. The history's times are the engine's own, so the clock starts at the
// real now.
func TestSleepAndWakeDue(t *testing.T) {
	env := stackopstest.NewEnv(t)
	env.Clock.Advance(time.Until(env.Clock.Now()) * -1)
	c := newClone(t, env)
	var mu sync.Mutex
	var reached []string
	c.deps.cluster = func(_ context.Context, name string) (kubernetes.Interface, error) {
		mu.Lock()
		defer mu.Unlock()
		reached = append(reached, name)
		return fake.NewClientset(), nil
	}
	r, err := stackops.New(context.Background(), c.opts)
	if err != nil {
		t.Fatal(err)
	}
	writeStack := func(name, config string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(c.opts.WorkDir, "stacks", "Pulumi."+name+".yaml"), []byte("config:\n"+config), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	now := env.Clock.Now().UTC()
	hhmm := func(d time.Duration) string { return now.Add(d).Format("15:04") }
	// dev's hours start in an hour: it is outside them now.
	writeStack("dev", fmt.Sprintf("  %s: Mon-Sun %s-%s UTC\n", naming.ConfigAwakeHours, hhmm(time.Hour), hhmm(2*time.Hour)))
	writeStack("pr-1", fmt.Sprintf("  %s: always\n  %s: 1h\n", naming.ConfigAwakeHours, naming.ConfigIdleSleep))
	writeStack("pr-2", fmt.Sprintf("  %s: always\n  %s: 1h\n", naming.ConfigAwakeHours, naming.ConfigIdleSleep))
	writeStack("pr-3", fmt.Sprintf("  %s: always\n  %s: 3h\n", naming.ConfigAwakeHours, naming.ConfigIdleSleep))
	c.must(ExitOK, "up", "--env", "dev")
	for _, pr := range []string{"pr-1", "pr-2", "pr-3"} {
		c.must(ExitOK, "env", "create", pr)
		c.must(ExitOK, "up", "--env", pr)
	}
	c.must(ExitOK, "wake", "--env", "pr-2", "--keep")
	env.Clock.Advance(2 * time.Hour)

	type entry struct {
		Env    string `json:"env"`
		Sleep  bool   `json:"sleep"`
		Wake   bool   `json:"wake"`
		Reason string `json:"reason"`
		Done   bool   `json:"done"`
		Error  string `json:"error"`
	}
	due := func(args ...string) map[string]entry {
		t.Helper()
		var doc struct{ Entries []entry }
		if err := json.Unmarshal([]byte(c.must(ExitOK, append(args, "--json")...)), &doc); err != nil {
			t.Fatal(err)
		}
		out := map[string]entry{}
		for _, e := range doc.Entries {
			out[e.Env] = e
		}
		return out
	}
	dry := due("sleep", "--due", "--dry-run")
	if len(reached) != 0 || !dry["dev"].Sleep || dry["dev"].Done {
		t.Errorf("a dry run reached %v, and says of dev %+v", reached, dry["dev"])
	}
	got := due("sleep", "--due")
	want := map[string]entry{
		"dev":  {Env: "dev", Sleep: true, Reason: naming.SleepSchedule, Done: true},
		"pr-1": {Env: "pr-1", Sleep: true, Reason: naming.SleepIdle, Done: true},
		"pr-2": {Env: "pr-2"},
		"pr-3": {Env: "pr-3"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("sleep --due (-want +got):\n%s", diff)
	}
	slices.Sort(reached)
	if diff := cmp.Diff([]string{"dev", "pr-1"}, reached); diff != "" {
		t.Errorf("sleep --due reached the clusters of (-want +got):\n%s", diff)
	}
	for name, want := range map[string]stackops.SleepState{
		"dev":  {Asleep: naming.SleepSchedule, Scaled: true},
		"pr-1": {Asleep: naming.SleepIdle, Scaled: true},
	} {
		state, err := r.SleepState(context.Background(), name)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, state); diff != "" {
			t.Errorf("%s's sleep tags (-want +got):\n%s", name, diff)
		}
	}

	// dev's hours are now; pr-1 slept for idleness and waits for a person.
	reached = nil
	writeStack("dev", fmt.Sprintf("  %s: Mon-Sun 00:00-24:00 UTC\n", naming.ConfigAwakeHours))
	got = due("wake", "--due")
	if !got["dev"].Wake || !got["dev"].Done || got["pr-1"].Wake || got["pr-2"].Wake {
		t.Errorf("wake --due: %+v", got)
	}
	if diff := cmp.Diff([]string{"dev"}, reached); diff != "" {
		t.Errorf("wake --due released the clusters of (-want +got):\n%s", diff)
	}
	history, err := r.History(context.Background(), "dev")
	if err != nil {
		t.Fatal(err)
	}
	var messages []string
	for _, h := range history[:2] {
		messages = append(messages, h.Message)
	}
	if diff := cmp.Diff([]string{stackops.MessageScheduledWake, stackops.MessageSleepBeforeAWake}, messages); diff != "" {
		t.Errorf("dev's last updates (-want +got):\n%s", diff)
	}
	config, _, err := r.DeployedConfig(context.Background(), "dev")
	if err != nil || config[naming.ConfigAsleep] != "" {
		t.Errorf("dev's wake ran with %s = %q (%v)", naming.ConfigAsleep, config[naming.ConfigAsleep], err)
	}
	state, err := r.SleepState(context.Background(), "dev")
	if err != nil || state != (stackops.SleepState{}) {
		t.Errorf("dev after a scheduled wake: %+v (%v), want no tag: a scheduled wake is no use", state, err)
	}
}
