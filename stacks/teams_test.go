package stacks_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/conveyor-paas/conveyor/stacks"
)

// A space's team must be a group of the organisation's domain, the domain of the cluster's
// conveyor:securityGroup (acme.io for cluster-nonprod): the cluster resolves no other group,
// and a look-alike domain's group would be someone else's. The program refuses before it
// registers anything, naming the space file, line, column and field.
func TestTeamsAreGroupsOfTheOrganisationsDomain(t *testing.T) {
	for _, tt := range []struct {
		team  string
		valid bool
	}{
		{"sales-engineering@acme.io", true},
		{"Sales-Engineering@ACME.io", true},
		{"sales-engineering@example.com", false},
		{"sales-engineering@acme.io.evil.com", false},
		{"sales-engineering@sub.acme.io", false},
	} {
		dir := t.TempDir()
		space := "space: sales\nteam: " + tt.team + "\n"
		if err := os.WriteFile(filepath.Join(dir, "sales.conveyor.yaml"), []byte(space), 0o644); err != nil {
			t.Fatal(err)
		}
		rec, err := stacks.Evaluate(stacks.EvaluateOptions{Root: root, Stack: "pr-1", Config: map[string]string{"conveyor:catalog": dir}, Shipped: shipped(t)})
		if tt.valid {
			if err != nil {
				t.Errorf("team %s: %v", tt.team, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), "sales.conveyor.yaml:2:7: team: ") ||
			!strings.Contains(err.Error(), "organisation's domain acme.io") || !strings.Contains(err.Error(), "cluster-nonprod") {
			t.Errorf("team %s: error = %v, want one naming the file, line, field and acme.io", tt.team, err)
		}
		if rec != nil {
			t.Errorf("team %s: the program registered %d resources", tt.team, len(rec.Resources))
		}
	}
}
