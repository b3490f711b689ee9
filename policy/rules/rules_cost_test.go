package rules

import (
	"testing"

	"github.com/conveyor-paas/conveyor/naming"
)

func TestCostRules(t *testing.T) { runCases(t, costCases()) }

func costCases() []ruleCase {
	sp, api := spaceScope(), apiScope()
	budget := func(v string) mutation { return set("metadata.annotations.["+naming.AnnotationBudget+"]", v) }
	ns := namespace(sp)
	// The fixtures' api requests 100m and 128 Mi, and scales from 2 to 6 replicas. The
	// committed price table's policy reference is e2-standard-4 in europe-west1: 0.023964 a
	// vCPU hour, 0.003212 a GiB hour, 730 hours a month. A replica:
	//   (0.1 x 0.023964 + 0.125 x 0.003212) x 730 = 0.0027979 x 730 = 2.042467
	//   2 replicas: 4.08, 6 replicas: 12.25
	const over = "space sales is estimated at 4 to 12 USD a month (pods priced on e2-standard-4 in europe-west1, prices of 2026-11-01), above its budget of 12 USD"
	return []ruleCase{
		{rule: "CONV-COST-001", name: "above the budget at the autoscaler's maximum, advisory in dev",
			resources: stack(namespace(sp, budget("12 USD")), deployment(api), autoscaler(api)),
			want:      []outcome{advisory(ns.URN, over)}},
		{rule: "CONV-COST-001", name: "advisory in an ad-hoc environment", env: "pr-4",
			resources: stack(namespace(sp, budget("12 USD")), deployment(api), autoscaler(api)),
			want:      []outcome{advisory(ns.URN, over)}},
		{rule: "CONV-COST-001", name: "mandatory where the platform team sets it", env: "prod",
			cfg:       Config{Levels: map[string]Level{"CONV-COST-001": Mandatory}},
			resources: stack(namespace(sp, budget("12 USD")), deployment(api), autoscaler(api)),
			want:      []outcome{mandatory(ns.URN, over)}},
		{rule: "CONV-COST-001", name: "within the budget",
			resources: stack(namespace(sp, budget("13 USD")), deployment(api), autoscaler(api))},
		{rule: "CONV-COST-001", name: "no budget", resources: stack(namespace(sp), deployment(api), autoscaler(api))},
		{rule: "CONV-COST-001", name: "a budget in another currency than the prices'",
			resources: stack(namespace(sp, budget("500 EUR")), deployment(api)),
			want:      []outcome{advisory(ns.URN, "space sales's budget is in EUR, the price table's prices in USD: budget.currency must be the table's")}},
		{rule: "CONV-COST-001", name: "a budget that is no amount",
			resources: stack(namespace(sp, budget("lots")), deployment(api)),
			want:      []outcome{advisory(ns.URN, `annotation conveyor.io/budget is "lots", not a monthly amount and its currency ("300 USD")`)}},
	}
}
