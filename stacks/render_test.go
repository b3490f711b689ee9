package stacks_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/conveyor-paas/conveyor/evaluation/kube"
	"github.com/conveyor-paas/conveyor/stacks"
)

func TestRender(t *testing.T) {
	rec, err := stacks.Evaluate(stacks.EvaluateOptions{Root: root, Stack: "local", Shipped: shipped(t)})
	if err != nil {
		t.Fatal(err)
	}
	objects, err := kube.Objects(rec)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	seenWorkload := false
	for _, o := range objects {
		switch o.Kind() {
		case "Namespace":
			if seenWorkload || len(kinds) > 0 && kinds[len(kinds)-1] != "Namespace" {
				t.Errorf("namespace %s comes after other objects", o.Name())
			}
		case "Deployment", "StatefulSet", "Job", "CronJob":
			seenWorkload = true
		}
		kinds = append(kinds, o.Kind())
	}
	for _, want := range []string{"Namespace", "Secret", "StatefulSet", "Deployment", "CronJob", "Job", "PodDisruptionBudget"} {
		if !slices.Contains(kinds, want) {
			t.Errorf("no %s rendered", want)
		}
	}
	var out bytes.Buffer
	if err := kube.WriteYAML(&out, objects); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, want := range []string{"apiVersion: apps/v1\nkind: Deployment", "apiVersion: v1\nkind: Namespace", "password: '[secret]'", "apiVersion: networking.k8s.io/v1"} {
		if !strings.Contains(text, want) {
			t.Errorf("rendering lacks %q", want)
		}
	}
	if strings.Contains(text, "simulated-") {
		t.Errorf("a secret value is rendered in plain text")
	}
}
