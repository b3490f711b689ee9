package cli

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
	"github.com/conveyor-paas/conveyor/stacks/deployed"
)

// TestHistoryOfAModule: `history --module` lists, of a split environment, the module's
// stack's updates and the base's from before the split (which the module's history
// continues), and not the base's since nor another module's; of an environment never split,
// the updates that asked for the module's images.
func TestHistoryOfAModule(t *testing.T) {
	split := []stackops.HistoryEntry{
		{Stack: "dev.quotes", Version: 4},
		{Stack: "dev", Version: 4}, // the base's first update after the split
		{Stack: "dev.claims", Version: 3},
		{Stack: "dev.quotes", Version: 3},
		{Stack: "dev", Version: 2, Images: deployed.Images{"claims": {"api": "claims:1"}}},
		{Stack: "dev", Version: 1},
	}
	one := []stackops.HistoryEntry{
		{Stack: "dev", Version: 3, Images: deployed.Images{"quotes": {"api": "quotes:2"}}},
		{Stack: "dev", Version: 2, Images: deployed.Images{"claims": {"api": "claims:1"}}},
		{Stack: "dev", Version: 1},
	}
	for _, tc := range []struct {
		name string
		h    []stackops.HistoryEntry
		want []int
	}{
		{"split", split, []int{0, 3, 4, 5}},
		{"never split", one, []int{0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var want []stackops.HistoryEntry
			for _, i := range tc.want {
				want = append(want, tc.h[i])
			}
			if diff := cmp.Diff(want, ofModule(tc.h, "dev", "quotes")); diff != "" {
				t.Errorf("history of quotes (-want +got):\n%s", diff)
			}
		})
	}
}
