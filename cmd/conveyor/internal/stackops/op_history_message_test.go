package stackops

import "testing"

func TestUpdateMessageIsAsGiven(t *testing.T) {
	for given, want := range map[string]string{
		`"wake (scheduled)"`: "wake (scheduled)", // as the Automation API records it
		`"say \"hi\""`:       `say "hi"`,
		"by hand":            "by hand", // a message given to the CLI directly
		`"unbalanced`:        `"unbalanced`,
		"":                   "",
	} {
		if got := updateMessage(given); got != want {
			t.Errorf("updateMessage(%q) = %q, want %q", given, got, want)
		}
	}
}
