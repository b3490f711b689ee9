package rules

import (
	"slices"
	"strings"
)

// Rules is every rule of the pack, ordered by ID. It builds them afresh, so callers may keep
// or change the slice.
func Rules() []Rule {
	all := slices.Concat(
		[]Rule{nameRule(), labelsRule(), environmentRule(), referencesRule(), exemptionRule()},
		workloadRules(),
		[]Rule{disruptionBudgetRule()},
		namespaceRules(),
		gkeRules(),
		gkeAccessRules(),
		sqlRules(),
		databaseRules(),
		databaseTierRules(),
		sqlProxyRules(),
		networkRules(),
		pubsubRules(),
		iamRules(),
		boundaryRules(),
		meshRules(),
		imageRules(),
		platformImageRules(),
		secretRules(),
		costRules(),
	)
	slices.SortFunc(all, func(a, b Rule) int { return strings.Compare(a.ID, b.ID) })
	return all
}

// Lookup finds a rule by its ID, in any case (exemption labels spell it in lowercase).
func Lookup(id string) (Rule, bool) {
	for _, r := range Rules() {
		if strings.EqualFold(r.ID, id) {
			return r, true
		}
	}
	return Rule{}, false
}
