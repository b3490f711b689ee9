package stacks_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/conveyor-paas/conveyor/evaluation"
	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/stacks"
)

// TestTeardownTargetsTheDroppingJob: the teardown update is targeted at TeardownTargets, so
// each must be a resource the teardown program registers, the job that drops the databases,
// and that job must depend on no module: a module the running code adds would be a
// dependency a targeted update refuses to leave out (issue 27, defect 6).
func TestTeardownTargetsTheDroppingJob(t *testing.T) {
	rec, err := stacks.Evaluate(stacks.EvaluateOptions{Root: root, Stack: "pr-123", Program: stacks.TeardownProgram, Shipped: shipped(t)})
	if err != nil {
		t.Fatal(err)
	}
	modules := map[string]bool{}
	for _, r := range rec.Resources {
		if r.Type == naming.TypeModule || strings.Contains(r.URN, naming.TypeModule+"$") {
			modules[r.URN] = true
		}
	}
	targets := stacks.TeardownTargets(naming.Project, "pr-123")
	if len(targets) == 0 {
		t.Fatal("no teardown targets")
	}
	for _, target := range targets {
		i := slices.IndexFunc(rec.Resources, func(r evaluation.Resource) bool { return r.URN == target })
		if i < 0 {
			t.Errorf("the teardown program registers no %s", target)
			continue
		}
		job := rec.Resources[i]
		if job.Type != "kubernetes:batch/v1:Job" || job.Name != "pr-123-conveyor/"+naming.DatabaseTeardownJob() {
			t.Errorf("target %s is a %s %s, not the dropping job", target, job.Type, job.Name)
		}
		for _, dep := range job.Dependencies {
			if modules[dep] {
				t.Errorf("the dropping job depends on %s", dep)
			}
		}
	}
}
