package apiserver

import (
	"path/filepath"
	"testing"

	"github.com/conveyor-paas/conveyor/evaluation"
	"github.com/conveyor-paas/conveyor/stacks"
)

var root, _ = filepath.Abs("../..")

// environments are the stacks this tier checks: every shipped environment and an ad-hoc one.
// Cluster stacks create no Kubernetes object and no topic.
func environments(t *testing.T) []string {
	t.Helper()
	shipped, err := stacks.ShippedStacks(root)
	if err != nil {
		t.Fatal(err)
	}
	var envs []string
	for _, s := range shipped {
		if len(s) < 8 || s[:8] != "cluster-" {
			envs = append(envs, s)
		}
	}
	return append(envs, "pr-123")
}

// evaluate reads only the stack files the repository tracks: a developer's own environments
// have files of their own in stacks/, and they must not change what this tier checks.
func evaluate(t *testing.T, stack string) *evaluation.Recording {
	t.Helper()
	shipped, err := stacks.ShippedStacks(root)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := stacks.Evaluate(stacks.EvaluateOptions{Root: root, Stack: stack, Shipped: shipped})
	if err != nil {
		t.Fatalf("evaluating %s: %v", stack, err)
	}
	return rec
}
