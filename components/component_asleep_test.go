package components_test

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/conveyor-paas/conveyor/components"
	"github.com/conveyor-paas/conveyor/evaluation"
	"github.com/conveyor-paas/conveyor/evaluation/evaluationtest"
	"github.com/conveyor-paas/conveyor/naming"
)

// TestAsleep: an asleep environment keeps every object the program declares but runs none of
// its modules' pods: every module Deployment has zero replicas, no autoscaler exists to scale it
// back up, and every module CronJob is suspended. What the platform runs for the environment
// (a local cluster's PostgreSQL and Pub/Sub emulator) stays up, so that a wake finds its
// databases and topics where they were. Waking is the same program with Asleep off, so the
// awake recording is the declared state a wake restores.
func TestAsleep(t *testing.T) {
	tests := []struct {
		name  string
		env   components.Environment
		local bool
	}{
		{"long-lived on GKE", components.Environment{Name: "dev"}, false},
		{"ad-hoc on GKE", components.Environment{Name: "pr-7", AdHoc: true}, false},
		{"local", components.Environment{Name: "local", AdHoc: true}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			awake := deploy(t, tt.env, tt.local)
			env := tt.env
			env.Asleep = true
			asleep := deploy(t, env, tt.local)

			deployments := 0
			for _, d := range evaluationtest.OfType(asleep, typeDeployment) {
				if !isModuleWorkload(&d) {
					continue
				}
				deployments++
				if got, ok := lookupString(&d, "spec.replicas"); !ok || got != "0" {
					t.Errorf("deployment %s: replicas = %q (set %v), want 0", d.Name, got, ok)
				}
			}
			if deployments == 0 {
				t.Fatal("the catalog rendered no module Deployment: the test proves nothing")
			}
			if hpas := evaluationtest.OfType(asleep, typeHPA); len(hpas) != 0 {
				t.Errorf("%d autoscalers remain asleep (first %s): one would scale a sleeping Deployment back up", len(hpas), hpas[0].Name)
			}
			crons := 0
			for _, c := range evaluationtest.OfType(asleep, typeCronJob) {
				if !isModuleWorkload(&c) {
					continue
				}
				crons++
				if got, _ := lookupString(&c, "spec.suspend"); got != "true" {
					t.Errorf("cron job %s: suspend = %q, want true", c.Name, got)
				}
			}
			if crons == 0 {
				t.Fatal("the catalog rendered no module CronJob: the test proves nothing")
			}
			if tt.local {
				emulator := must(t, asleep, typeDeployment, "local-conveyor/conveyor-pubsub-emulator")
				if got, _ := lookupString(emulator, "spec.replicas"); got == "0" {
					t.Error("the local Pub/Sub emulator was put to sleep with the modules")
				}
			}
			// Asleep drops the autoscalers and nothing else: every other object stays.
			var want []string
			for _, r := range awake.Custom() {
				if r.Type != typeHPA {
					want = append(want, r.Type+" "+r.Name)
				}
			}
			var got []string
			for _, r := range asleep.Custom() {
				got = append(got, r.Type+" "+r.Name)
			}
			slices.Sort(want)
			slices.Sort(got)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("objects asleep differ from awake without autoscalers (-want +got):\n%s", diff)
			}
			// Awake is the program unchanged: a module's CronJob is not suspended.
			if got, _ := lookupString(must(t, awake, typeCronJob, "claims-nightly"), "spec.suspend"); got == "true" {
				t.Error("an awake environment's cron job is suspended")
			}
		})
	}
}

// isModuleWorkload: the object belongs to a module of the catalog, not to the platform.
func isModuleWorkload(r *evaluation.Resource) bool {
	labels := labelsOf(r, "metadata.labels")
	return labels[naming.LabelModule] != "" && labels[naming.LabelSpace] != naming.ReservedSpace
}
