package main

import (
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"

	"github.com/conveyor-paas/conveyor/policy/rules"
)

// stackNotes is the notebook's key for the notes of stack rules.
const stackNotes = "\x00stack"

// notebook carries the notes of the rules (exemptions, undecided checks) to the notes
// policies. A Pulumi policy has one enforcement level; a rule's notes must be advisory even
// when the rule is mandatory, so they are reported by the advisory notes policy instead,
// which the engine runs after the rules on the same resource. A rule that is disabled is not
// run, so its notes never appear.
type notebook struct {
	mu    sync.Mutex
	notes map[string][]rules.Result
}

func newNotebook() *notebook { return &notebook{notes: map[string][]rules.Result{}} }

func (n *notebook) add(key string, res rules.Result) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.notes[key] = append(n.notes[key], res)
}

// report reports the notes kept under key, and forgets them.
func (n *notebook) report(key string, m policyx.PolicyManager) {
	n.mu.Lock()
	notes := n.notes[key]
	delete(n.notes, key)
	n.mu.Unlock()
	for _, res := range notes {
		m.ReportViolation(noteMessage(res), res.URN)
	}
}
