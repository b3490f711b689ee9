package components_test

import (
	"testing"

	"github.com/conveyor-paas/conveyor/components"
)

// TestCronWaitsForWhatItNeeds: a CronJob can fire as soon as it exists, so it must be created
// after its module's database (user and Secret) and event setup, and after the module's
// migration job, exactly like the api and the handlers. On a local cluster that includes the
// setup Jobs that create its database and subscriptions.
func TestCronWaitsForWhatItNeeds(t *testing.T) {
	tests := []struct {
		name  string
		env   components.Environment
		local bool
		needs []struct{ typ, name string }
	}{
		{"gcp", components.Environment{Name: "dev"}, false, []struct{ typ, name string }{
			{typeSecret, "dev-claims/claims-database"},
			{typeJob, "claims-migrate"},
		}},
		{"local", components.Environment{Name: "local", AdHoc: true}, true, []struct{ typ, name string }{
			{typeSecret, "local-claims/claims-database"},
			{typeJob, "local-conveyor/claims-database-setup"},
			{typeJob, "local-conveyor/claims-subscriptions-setup"},
			{typeJob, "claims-migrate"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := deploy(t, tt.env, tt.local)
			cron := must(t, rec, typeCronJob, "claims-nightly")
			for _, need := range tt.needs {
				if r := must(t, rec, need.typ, need.name); !dependsOn(cron, r) {
					t.Errorf("the cron job does not wait for %s %s; it depends on %v", need.typ, need.name, cron.Dependencies)
				}
			}
		})
	}
}
