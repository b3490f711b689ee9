package stacks_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestFingerprintsAreStable: two evaluations of every shipped stack give the same
// fingerprints, the program's goroutines whatever they do, so that the command can tell an
// unchanged environment by them (stackops/op_unchanged.go).
func TestFingerprintsAreStable(t *testing.T) {
	for _, stack := range everyStack(t) {
		t.Run(stack, func(t *testing.T) {
			first := evaluate(t, stack, nil).Fingerprints()
			for range 2 {
				if diff := cmp.Diff(first, evaluate(t, stack, nil).Fingerprints()); diff != "" {
					t.Fatalf("a second evaluation of %s has other fingerprints (-first +again):\n%s", stack, diff)
				}
			}
			if len(first.Modules) == 0 && first.Base == "" {
				t.Errorf("%s has no fingerprint", stack)
			}
		})
	}
}
