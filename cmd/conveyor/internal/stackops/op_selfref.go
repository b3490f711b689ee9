package stackops

import (
	"slices"
	"strings"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/opsummary"
)

// stackReferenceType is the type of the StackReference through which the program reads the
// images its stack's last checkpoint recorded (package deployed).
const stackReferenceType = "pulumi:pulumi:StackReference"

// pulumiProviderType is the provider that reads it.
const pulumiProviderType = "pulumi:providers:pulumi"

// withoutSelfReference takes the stack's reference to itself out of a summary. Every update
// and preview reads it, and its recorded outputs are those of the update before the one that
// read them, so a refresh always finds them "changed": that is the stack's own bookkeeping,
// neither a change a person makes nor drift of anything live.
func withoutSelfReference(s *opsummary.Summary, project, stack string) {
	self := "::" + stackReferenceType + "::"
	suffix := "/" + project + "/" + stack
	isSelf := func(r opsummary.ResourceChange) bool {
		return r.Type == stackReferenceType &&
			strings.HasSuffix(r.URN, suffix) && strings.Contains(r.URN, self)
	}
	for _, r := range s.Resources {
		if !isSelf(r) {
			continue
		}
		if s.Changes[r.Op] > 0 {
			s.Changes[r.Op]--
			if s.Changes[r.Op] == 0 {
				delete(s.Changes, r.Op)
			}
			s.Changes[opsummary.OpSame]++
		}
		for i := range s.ByType {
			if s.ByType[i].Type == r.Type && s.ByType[i].Changes[r.Op] > 0 {
				s.ByType[i].Changes[r.Op]--
				if s.ByType[i].Changes[r.Op] == 0 {
					delete(s.ByType[i].Changes, r.Op)
				}
			}
		}
	}
	// The default provider of the pulumi package exists only to read that reference; the
	// engine does not count providers among the changes, so it is only dropped from the lists.
	isItsProvider := func(r opsummary.ResourceChange) bool { return r.Type == pulumiProviderType }
	for i := range s.ByType {
		if s.ByType[i].Type == pulumiProviderType {
			s.ByType[i].Changes = nil
		}
	}
	s.Resources = slices.DeleteFunc(s.Resources, func(r opsummary.ResourceChange) bool { return isSelf(r) || isItsProvider(r) })
	s.ByType = slices.DeleteFunc(s.ByType, func(t opsummary.TypeChanges) bool { return len(t.Changes) == 0 })
}
