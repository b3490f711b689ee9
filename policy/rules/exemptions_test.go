package rules

import (
	"testing"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/conveyor-paas/conveyor/naming"
)

func TestExemptions(t *testing.T) { runCases(t, exemptionCases()) }

func exemptionCases() []ruleCase {
	api := apiScope()
	dep := deployment(api)
	privileged := set("spec.template.spec.containers.0.securityContext.privileged", true)
	exempt := func(key, reason any) mutation { return set("metadata.annotations.["+key.(string)+"]", reason) }
	sub := subscription(consumerScope())
	return []ruleCase{
		{rule: "CONV-K8S-008", name: "exempted with a reason",
			resources: stack(deployment(api, privileged, exempt(ExemptionAnnotation("CONV-K8S-008"), "the node agent reads /proc of the host"))),
			want:      []outcome{exempted(dep.URN, "exempted: the node agent reads /proc of the host")}},
		{rule: "CONV-K8S-008", name: "rule id written in upper case",
			resources: stack(deployment(api, privileged, exempt("policy.conveyor.io/exempt.CONV-K8S-008", "the node agent reads /proc of the host"))),
			want:      []outcome{exempted(dep.URN, "exempted: the node agent reads /proc of the host")}},
		{rule: "CONV-K8S-008", name: "exemption of a compliant resource is reported",
			resources: stack(deployment(api, exempt(ExemptionAnnotation("CONV-K8S-008"), "legacy"))),
			want:      []outcome{exempted(dep.URN, "exempted: legacy (the resource complies anyway: the exemption can be removed)")}},
		{rule: "CONV-K8S-008", name: "an exemption without a reason does not exempt",
			resources: stack(deployment(api, privileged, exempt(ExemptionAnnotation("CONV-K8S-008"), ""))),
			want:      []outcome{mandatory(dep.URN, `container "api": securityContext.privileged is true`)}},
		{rule: "CONV-EXEMPT-001", name: "an exemption without a reason is a violation",
			resources: stack(deployment(api, privileged, exempt(ExemptionAnnotation("CONV-K8S-008"), " "))),
			want:      []outcome{mandatory(dep.URN, "policy.conveyor.io/exempt.conv-k8s-008 exempts from CONV-K8S-008 without a reason")}},
		{rule: "CONV-EXEMPT-001", name: "exemption from no rule",
			resources: stack(deployment(api, exempt("policy.conveyor.io/exempt.conv-k8s-999", "typo"))),
			want:      []outcome{mandatory(dep.URN, `policy.conveyor.io/exempt.conv-k8s-999 exempts from "conv-k8s-999", which is not a rule of the pack`)}},
		{rule: "CONV-EXEMPT-001", name: "the exemption rule cannot be exempted",
			resources: stack(deployment(api, exempt(ExemptionAnnotation("CONV-EXEMPT-001"), "because"))),
			want:      []outcome{mandatory(dep.URN, "policy.conveyor.io/exempt.conv-exempt-001: CONV-EXEMPT-001 itself cannot be exempted")}},
		{rule: "CONV-EXEMPT-001", name: "reason not known during preview",
			resources: stack(deployment(api, exempt(ExemptionAnnotation("CONV-K8S-008"), computed))),
			want:      []outcome{cannotDecide(dep.URN, "metadata.annotations.policy.conveyor.io/exempt.conv-k8s-008")}},
		{rule: "CONV-EXEMPT-001", name: "annotations not known during preview",
			resources: stack(deployment(api, set("metadata.annotations", computed))),
			want:      []outcome{cannotDecide(dep.URN, "metadata.annotations")}},
		{rule: "CONV-EXEMPT-001", name: "exemptions with reasons", resources: stack(
			deployment(api, privileged, exempt(ExemptionAnnotation("CONV-K8S-008"), "the node agent reads /proc of the host")))},
		{rule: "CONV-PUBSUB-002", name: "GCP label exemption",
			resources: stack(subscription(consumerScope(), del("retryPolicy"), set("labels."+ExemptionLabel("CONV-PUBSUB-002"), "idempotent-handler"))),
			want:      []outcome{exempted(sub.URN, "exempted: idempotent-handler")}},
		{rule: "CONV-EXEMPT-001", name: "GCP label exemption without a reason",
			resources: stack(subscription(consumerScope(), set("labels."+ExemptionLabel("CONV-PUBSUB-002"), ""))),
			want:      []outcome{mandatory(sub.URN, "conveyor-exempt-conv-pubsub-002 exempts from CONV-PUBSUB-002 without a reason")}},
		{rule: "CONV-SQL-001", name: "cluster resource exemption", env: clusterStack,
			resources: stack(sqlInstance(set("settings.ipConfiguration.ipv4Enabled", true), set("settings.userLabels."+ExemptionLabel("CONV-SQL-001"), "migration-window"))),
			want:      []outcome{exempted(sqlInstance().URN, "exempted: migration-window")}},
		{rule: "CONV-NS-003", name: "stack rule exemption on the resource it reports",
			resources: stack(namespace(spaceScope(), exempt(ExemptionAnnotation("CONV-NS-003"), "the platform namespace has no quota"))),
			want:      []outcome{exempted(namespace(spaceScope()).URN, "exempted: the platform namespace has no quota")}},
	}
}

// The keys that declare exemptions must be keys the systems accept: Kubernetes refuses an
// invalid annotation key, GCP an invalid label key.
func TestExemptionKeysAreValid(t *testing.T) {
	for _, r := range Rules() {
		key := ExemptionAnnotation(r.ID)
		if errs := validation.IsQualifiedName(key); len(errs) > 0 {
			t.Errorf("%s: annotation %q is not a valid annotation key: %v", r.ID, key, errs)
		}
		label := ExemptionLabel(r.ID)
		if errs := naming.ValidateName(naming.TargetGCPLabelValue, label); len(errs) > 0 || label[0] < 'a' || label[0] > 'z' {
			t.Errorf("%s: label %q is not a valid GCP label key: %v", r.ID, label, errs)
		}
	}
}
