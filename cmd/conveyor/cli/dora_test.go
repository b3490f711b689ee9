package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/dora"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackopstest"
)

// TestDoraCommand deploys quotes twice and rolls it back through the real CLI on a file
// backend, with the commit times CI passes, and reads the DORA figures back from the
// environment's own history (issue 30).
func TestDoraCommand(t *testing.T) {
	env := stackopstest.NewEnv(t)
	c := newClone(t, env)
	c.must(ExitOK, "up", "--env", "dev")
	// The clock is the tests' (2026-11-02 09:00); the updates' own times are the machine's,
	// so the commits are dated against the machine's clock: made an hour before each deploy.
	c.must(ExitOK, "deploy", "--env", "dev", "--module", "quotes", "--image", "quotes:1",
		"--source-commit", "c1", "--source-time", time.Now().Add(-time.Hour).Format(time.RFC3339))
	c.must(ExitOK, "deploy", "--env", "dev", "--module", "quotes", "--image", "quotes:2",
		"--source-commit", "c2", "--source-time", time.Now().Add(-time.Hour).Format(time.RFC3339))
	c.must(ExitOK, "rollback", "--env", "dev", "--module", "quotes")

	// The figures are of the period up to the clone's clock, which must lie after the
	// updates: move it to a minute past the machine's time.
	env.Clock.Advance(time.Since(env.Clock.Now()) + time.Minute)
	doc := decode[doraDocument](t, c.must(ExitOK, "dora", "--env", "dev", "--json"))
	got := doc.Total
	// quotes:1 was followed by quotes:2 within the hour: a fix, so quotes:1 failed; quotes:2
	// was rolled back, so it failed too. 2 deployments, 2 failures, 1 rollback.
	if diff := cmp.Diff([3]int{2, 1, 2}, [3]int{got.Deployments, got.Rollbacks, got.Failures}); diff != "" {
		t.Errorf("deployments, rollbacks, failures (-want +got):\n%s", diff)
	}
	if v := got.ChangeFailureRate.Value; v == nil || *v != 100 || got.ChangeFailureRate.Band != dora.Low {
		t.Errorf("change failure rate: %+v", got.ChangeFailureRate)
	}
	// Both commits were made an hour (and the deploy's few seconds) before their deploy.
	if v := got.LeadTime.Value; v == nil || *v < 1 || *v > 1.5 || got.LeadTime.Band != dora.Elite || got.LeadTime.Basis != "median of 2 deployments" {
		t.Errorf("lead time: %+v", got.LeadTime)
	}
	// quotes:2, the fix of quotes:1, failed too: the rollback restored both, within minutes.
	if v := got.TimeToRestore.Value; v == nil || *v > 0.5 || got.TimeToRestore.Band != dora.Elite {
		t.Errorf("time to restore: %+v", got.TimeToRestore)
	}
	// The rollback and the fix deploy are rework: 2 of 3.
	if v := got.ReworkRate.Value; v == nil || *v < 66 || *v > 67 {
		t.Errorf("rework rate: %+v", got.ReworkRate)
	}
	if len(doc.Modules) != 1 || doc.Modules[0].Name != "quotes" {
		t.Errorf("modules: %+v", doc.Modules)
	}

	text := c.must(ExitOK, "dora", "--env", "dev", "--module", "quotes", "--since", "30d")
	for _, want := range []string{"DORA figures of dev", "quotes: 2 deployed, 1 rolled back, 2 failed", "change failure rate", "100.0 %", "low"} {
		if !strings.Contains(text, want) {
			t.Errorf("the text lacks %q:\n%s", want, text)
		}
	}
	md := c.must(ExitOK, "dora", "--env", "dev", "--markdown")
	if !strings.Contains(md, "| all modules | deployment frequency |") || !strings.Contains(md, "docs/dora.md") {
		t.Errorf("markdown:\n%s", md)
	}
	// An environment without deploys says so, and a bad period is a usage error.
	c.must(ExitOK, "up", "--env", "staging")
	empty := decode[doraDocument](t, c.must(ExitOK, "dora", "--env", "staging", "--json"))
	if empty.Total.LeadTime.NoData != "no deployment in the period" || empty.Total.DeploymentFrequency.Value != nil {
		t.Errorf("staging without deploys: %+v", empty.Total)
	}
	c.must(ExitUsage, "dora", "--env", "dev", "--since", "soon")
	c.must(ExitUsage, "deploy", "--env", "dev", "--module", "quotes", "--image", "quotes:3", "--source-time", "yesterday")
}
