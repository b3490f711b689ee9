package rules

import "testing"

func TestNetworkRules(t *testing.T) { runCases(t, networkCases()) }

func networkCases() []ruleCase {
	sp := spaceScope()
	ns := namespace(sp)
	from, dns, db := allowFromSpaces(sp), allowDNS(sp), allowDatabase(sp)
	return []ruleCase{
		{rule: "CONV-NS-004", name: "ingress-only default deny",
			resources: stack(ns, defaultDeny(sp, set("spec.policyTypes", []any{"Ingress"}))),
			want:      []outcome{mandatory(ns.URN, `namespace "dev-sales" has no default-deny egress NetworkPolicy`)}},
		{rule: "CONV-NS-004", name: "default deny that allows some egress",
			resources: stack(ns, defaultDeny(sp, set("spec.egress", []any{fixture{"to": []any{fixture{"podSelector": fixture{}}}}}))),
			want:      []outcome{mandatory(ns.URN, `namespace "dev-sales" has no default-deny egress NetworkPolicy`)}},
		{rule: "CONV-NS-004", name: "policy types not known during preview",
			resources: stack(ns, defaultDeny(sp, set("spec.policyTypes", computed))),
			want:      []outcome{cannotDecide(ns.URN, "spec.policyTypes")}},
		{rule: "CONV-NS-004", name: "default deny of both directions", resources: stack(ns, defaultDeny(sp))},

		{rule: "CONV-NET-001", name: "space of any environment",
			resources: stack(allowFromSpaces(sp, set("spec.ingress.0.from.0.namespaceSelector.matchLabels", fixture{"conveyor.io/space": "claims"}))),
			want: []outcome{mandatory(from.URN, "spec.ingress[0].from[0].namespaceSelector does not select namespaces by conveyor.io/environment: dev, "+
				"so it selects other environments' namespaces too")}},
		{rule: "CONV-NET-001", name: "another environment's space",
			resources: stack(allowFromSpaces(sp, set("spec.ingress.0.from.0.namespaceSelector.matchLabels.[conveyor.io/environment]", "pr-123"))),
			want:      []outcome{mandatory(from.URN, `spec.ingress[0].from[0].namespaceSelector selects namespaces of environment "pr-123", not "dev"`)}},
		{rule: "CONV-NET-001", name: "every namespace",
			resources: stack(allowFromSpaces(sp, set("spec.ingress.0.from.0.namespaceSelector", fixture{}))),
			want: []outcome{mandatory(from.URN, "spec.ingress[0].from[0].namespaceSelector does not select namespaces by conveyor.io/environment: dev, "+
				"so it selects other environments' namespaces too")}},
		{rule: "CONV-NET-001", name: "all of kube-system",
			resources: stack(allowDNS(sp, del("spec.egress.0.to.0.podSelector"))),
			want: []outcome{mandatory(dns.URN, "spec.egress[0].to[0].namespaceSelector does not select namespaces by conveyor.io/environment: dev, "+
				"so it selects other environments' namespaces too")}},
		{rule: "CONV-NET-001", name: "rule without peers",
			resources: stack(allowDNS(sp, del("spec.egress.0.to"))),
			want:      []outcome{mandatory(dns.URN, "spec.egress[0] has no to: it allows every peer, the pods of every environment included")}},
		{rule: "CONV-NET-001", name: "the cluster's private range",
			resources: stack(allowDatabase(sp, set("spec.egress.0.to.0.ipBlock.cidr", "10.0.0.0/8"))),
			want: []outcome{mandatory(db.URN, `spec.egress[0].to[0].ipBlock.cidr "10.0.0.0/8" covers private addresses (10.0.0.0/8), `+
				"where the cluster's pods and services of every environment are")}},
		{rule: "CONV-NET-001", name: "the whole internet",
			resources: stack(allowDatabase(sp, set("spec.egress.1.to.0.ipBlock.cidr", "0.0.0.0/0"))),
			want: []outcome{mandatory(db.URN, `spec.egress[1].to[0].ipBlock.cidr "0.0.0.0/0" covers private addresses (10.0.0.0/8), `+
				"where the cluster's pods and services of every environment are")}},
		{rule: "CONV-NET-001", name: "address not known during preview",
			resources: stack(allowDatabase(sp, set("spec.egress.0.to.0.ipBlock.cidr", computed))),
			want:      []outcome{cannotDecide(db.URN, "spec.egress[0].to[0].ipBlock.cidr")}},
		{rule: "CONV-NET-001", name: "own environment's space, DNS, one private address, public range",
			resources: stack(from, dns, db, defaultDeny(sp))},
	}
}
