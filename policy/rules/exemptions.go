package rules

import (
	"slices"
	"strings"

	"github.com/conveyor-paas/conveyor/evaluation"
)

// Exemptions are explicit and visible: a resource declares each one, with its reason, where
// people reviewing it will see it, and the evaluation reports it every time it runs.
const (
	// ExemptionAnnotationPrefix starts the annotation that exempts a Kubernetes object from a
	// rule: policy.conveyor.io/exempt.<rule id in lowercase>: "<reason>".
	ExemptionAnnotationPrefix = "policy.conveyor.io/exempt."
	// ExemptionLabelPrefix starts the label that exempts a labelled GCP resource from a rule:
	// conveyor-exempt-<rule id in lowercase>: <reason as a label value, e.g. legacy-import>.
	ExemptionLabelPrefix = "conveyor-exempt-"
)

// exemptionRuleID is the rule that checks exemptions; it cannot itself be exempted.
const exemptionRuleID = "CONV-EXEMPT-001"

// ExemptionAnnotation is the annotation that exempts a Kubernetes object from the rule.
func ExemptionAnnotation(ruleID string) string {
	return ExemptionAnnotationPrefix + strings.ToLower(ruleID)
}

// ExemptionLabel is the label that exempts a labelled GCP resource from the rule.
func ExemptionLabel(ruleID string) string {
	return ExemptionLabelPrefix + strings.ToLower(ruleID)
}

// exemption is one exemption a resource declares.
type exemption struct {
	key    string // the annotation or label that declares it
	ruleID string // the rule it names, as written
	reason value
}

// exemptionsOf lists the exemptions a resource declares, in the order of their keys. pending
// is set when its annotations or labels are not known yet. Resources that carry neither (SQL
// databases, service accounts, IAM members) cannot be exempted.
func exemptionsOf(r Resource) (list []exemption, pending *value) {
	m := r.memo
	if m == nil {
		return readExemptions(r)
	}
	if !m.exemptionsRead {
		m.exemptions, m.exemptionsPending = readExemptions(r)
		m.exemptionsRead = true
	}
	return m.exemptions, m.exemptionsPending
}

func readExemptions(r Resource) (list []exemption, pending *value) {
	var holder value
	prefix := ExemptionLabelPrefix
	if isKubernetes(r.Type) {
		holder, prefix = inputs(r).at("metadata.annotations"), ExemptionAnnotationPrefix
	} else if labels, ok := labelsOf(r); ok {
		holder = labels
	} else {
		return nil, nil
	}
	if holder.unknown() {
		return nil, &holder
	}
	for _, key := range holder.keys() {
		if id, ok := strings.CutPrefix(key, prefix); ok {
			list = append(list, exemption{key: key, ruleID: id, reason: holder.key(key)})
		}
	}
	return list, nil
}

// exemptedFrom is the reason the resource gives for its exemption from the rule; ok is false
// when it has none, or one without a reason (CONV-EXEMPT-001 reports that, and the rule is
// enforced as if there were no exemption).
func exemptedFrom(r Resource, ruleID string) (reason string, ok bool) {
	if ruleID == exemptionRuleID {
		return "", false
	}
	list, _ := exemptionsOf(r)
	i := slices.IndexFunc(list, func(e exemption) bool { return strings.EqualFold(e.ruleID, ruleID) })
	if i < 0 || list[i].reason.unknown() || strings.TrimSpace(list[i].reason.str()) == "" {
		return "", false
	}
	if list[i].reason.secret {
		return evaluation.Redacted, true
	}
	return list[i].reason.str(), true
}

// exemptionRule: an exemption must say why, and name a rule that exists.
func exemptionRule() Rule {
	return Rule{
		ID:          exemptionRuleID,
		Severity:    SeverityHigh,
		Description: "Exemptions name a rule of the pack and give the reason for the exemption.",
		Remediation: "Write the reason as the value: annotation " + ExemptionAnnotationPrefix + "<rule id>: \"<reason>\" on a " +
			"Kubernetes object, label " + ExemptionLabelPrefix + "<rule id>: <reason-slug> on a GCP resource; or remove " +
			"the exemption and fix the resource.",
		MatchType: func(typ string) bool { _, ok := labelsPath(typ); return ok },
		Check:     checkExemptions,
	}
}

func checkExemptions(r Resource) []Finding {
	list, pending := exemptionsOf(r)
	if pending != nil {
		return []Finding{undecided(*pending)}
	}
	var out []Finding
	for _, e := range list {
		rule, known := Lookup(e.ruleID)
		switch {
		case !known:
			out = append(out, violationf("%s exempts from %q, which is not a rule of the pack", e.key, e.ruleID))
		case rule.ID == exemptionRuleID:
			out = append(out, violationf("%s: %s itself cannot be exempted", e.key, exemptionRuleID))
		case e.reason.unknown():
			out = append(out, undecided(e.reason))
		case strings.TrimSpace(e.reason.str()) == "":
			out = append(out, violationf("%s exempts from %s without a reason", e.key, rule.ID))
		}
	}
	return out
}
