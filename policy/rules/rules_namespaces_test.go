package rules

import "testing"

func TestNamespaceRules(t *testing.T) { runCases(t, namespaceCases()) }

func namespaceCases() []ruleCase {
	sp := spaceScope()
	ns := namespace(sp)
	return []ruleCase{
		{rule: "CONV-NS-001", name: "no pod security label",
			resources: stack(namespace(sp, del("metadata.labels.["+PodSecurityEnforceLabel+"]"))),
			want:      []outcome{mandatory(ns.URN, "label pod-security.kubernetes.io/enforce is not set")}},
		{rule: "CONV-NS-001", name: "baseline only",
			resources: stack(namespace(sp, set("metadata.labels.["+PodSecurityEnforceLabel+"]", "baseline"))),
			want:      []outcome{mandatory(ns.URN, `label pod-security.kubernetes.io/enforce is "baseline", not "restricted"`)}},

		{rule: "CONV-NS-002", name: "namespace without network policy",
			resources: stack(namespace(sp)),
			want:      []outcome{mandatory(ns.URN, `namespace "dev-sales" has no default-deny ingress NetworkPolicy`)}},
		{rule: "CONV-NS-002", name: "policy allows some ingress",
			resources: stack(namespace(sp), defaultDeny(sp, set("spec.ingress", []any{fixture{"from": []any{fixture{"podSelector": fixture{}}}}}))),
			want:      []outcome{mandatory(ns.URN, `namespace "dev-sales" has no default-deny ingress NetworkPolicy`)}},
		{rule: "CONV-NS-002", name: "policy selects some pods only",
			resources: stack(namespace(sp), defaultDeny(sp, set("spec.podSelector.matchLabels", fixture{"conveyor.io/module": "quotes"}))),
			want:      []outcome{mandatory(ns.URN, `namespace "dev-sales" has no default-deny ingress NetworkPolicy`)}},
		{rule: "CONV-NS-002", name: "egress policy only",
			resources: stack(namespace(sp), defaultDeny(sp, set("spec.policyTypes", []any{"Egress"}))),
			want:      []outcome{mandatory(ns.URN, `namespace "dev-sales" has no default-deny ingress NetworkPolicy`)}},
		{rule: "CONV-NS-002", name: "policy in another namespace",
			resources: stack(namespace(sp), defaultDeny(sp, set("metadata.namespace", "dev-claims"))),
			want:      []outcome{mandatory(ns.URN, `namespace "dev-sales" has no default-deny ingress NetworkPolicy`)}},
		{rule: "CONV-NS-002", name: "policy spec not known during preview",
			resources: stack(namespace(sp), defaultDeny(sp, set("spec.policyTypes", computed))),
			want:      []outcome{cannotDecide(ns.URN, "spec.policyTypes")}},
		{rule: "CONV-NS-002", name: "namespace name not known during preview",
			resources: stack(namespace(sp, set("metadata.name", computed)), defaultDeny(sp)),
			want:      []outcome{cannotDecide(ns.URN, "metadata.name")}},
		{rule: "CONV-NS-002", name: "default deny and narrower policies",
			resources: stack(namespace(sp), defaultDeny(sp, set("metadata.name", "allow-space"), set("spec.ingress", []any{fixture{}})), defaultDeny(sp))},

		{rule: "CONV-NS-003", name: "namespace without quota",
			resources: stack(namespace(sp), defaultDeny(sp)),
			want:      []outcome{mandatory(ns.URN, `namespace "dev-sales" has no ResourceQuota`)}},
		{rule: "CONV-NS-003", name: "quota namespace not known during preview",
			resources: stack(namespace(sp), quota(sp, set("metadata.namespace", computed))),
			want:      []outcome{cannotDecide(ns.URN, "metadata.namespace")}},
		{rule: "CONV-NS-003", name: "namespace with quota", resources: stack(namespace(sp), quota(sp))},
	}
}
