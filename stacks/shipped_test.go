package stacks_test

import (
	"os"
	"os/exec"
	"slices"
	"testing"

	"github.com/conveyor-paas/conveyor/internal/tracked"
	"github.com/conveyor-paas/conveyor/stacks"
)

// TestDevelopersOwnStackFilesAreNotShipped plays a developer's clone after `conveyor up --env
// local-alice` and `conveyor env create pr-123`: the command wrote stack files of its own
// (ignored by git) beside the shipped ones. What the tests evaluate must not change: the
// shipped stacks are the tracked files only, and an evaluation restricted to them reads no
// other stack file.
func TestDevelopersOwnStackFilesAreNotShipped(t *testing.T) {
	clone := t.TempDir()
	if err := tracked.Copy(t.Context(), root, clone); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"init", "-q"}, {"add", "-A"}} {
		if out, err := exec.Command("git", append([]string{"-C", clone}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	for stack, text := range map[string]string{
		"local-alice": "config:\n  conveyor:kubeContext: kind-alice\n",
		// A file that would fail the evaluation if it were read.
		"pr-123": "config:\n  conveyor:catalog: /nowhere/at/all\n",
	} {
		if err := os.WriteFile(stacks.StackConfigFile(clone, stack), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := stacks.ShippedStacks(root)
	if err != nil {
		t.Fatal(err)
	}
	got, err := stacks.ShippedStacks(clone)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) || slices.Contains(got, "local-alice") {
		t.Fatalf("shipped stacks of the clone = %v, want the tracked %v", got, want)
	}
	if _, err := stacks.Evaluate(stacks.EvaluateOptions{Root: clone, Stack: "pr-123", Shipped: got}); err != nil {
		t.Errorf("an evaluation restricted to the shipped stacks read pr-123's own file: %v", err)
	}
	// Without the restriction (what `conveyor policy check --env pr-123` does), the file is
	// the environment's configuration and is read.
	if _, err := stacks.Evaluate(stacks.EvaluateOptions{Root: clone, Stack: "pr-123"}); err == nil {
		t.Errorf("the developer's own pr-123 file was not read by an unrestricted evaluation")
	}
}
