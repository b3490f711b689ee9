package rules

import (
	"fmt"

	"github.com/conveyor-paas/conveyor/evaluation/cost"
	"github.com/conveyor-paas/conveyor/naming"
)

// The cost rule compares each space's monthly estimate (package evaluation/cost, the
// committed price table) with the budget its space file sets. It is advisory in every stack
// until the platform team sets it mandatory in the pack's config where a budget must hold
// (prod, say): an estimate is an estimate.
func costRules() []Rule {
	return []Rule{{
		ID: "CONV-COST-001", Severity: SeverityMedium, Level: Advisory,
		Description: "A space's estimated monthly cost, its pods at the autoscalers' maximum, stays within the budget its space file sets.",
		Remediation: "Lower the space's requests, replicas or autoscalers' maximum (conveyor cost --env <env> shows each " +
			"module's share), or raise budget.monthly in its space file.",
		CheckStack: checkBudgets,
	}}
}

// kindOf are the Kubernetes kinds an estimate reads, by type.
var kindOf = map[string]string{TypeDeployment: "Deployment", TypeStatefulSet: "StatefulSet", TypeHPA: "HorizontalPodAutoscaler"}

func checkBudgets(s Stack) []Finding {
	type budget struct {
		urn      string
		monthly  int
		currency string
	}
	budgets := map[string]budget{}
	var out []Finding
	var objects []map[string]any
	var topics []cost.Topic
	for _, r := range s.Resources {
		switch {
		case r.Type == TypeNamespace:
			annotations := inputs(r).at("metadata.annotations")
			v := annotations.key(naming.AnnotationBudget)
			if !v.set() {
				continue
			}
			if v.unknown() {
				out = append(out, Finding{URN: r.URN, Undecided: true, Message: undecided(v).Message})
				continue
			}
			monthly, currency, err := naming.ParseBudgetValue(v.str())
			if err != nil {
				out = append(out, Finding{URN: r.URN, Message: err.Error()})
				continue
			}
			labels, _ := inputs(r).at("metadata.labels").strMap()
			budgets[labels[naming.LabelSpace]] = budget{r.URN, monthly, currency}
		case kindOf[r.Type] != "":
			obj := r.Inputs.Mappable()
			obj["kind"] = kindOf[r.Type]
			objects = append(objects, obj)
		case r.Type == TypeTopic:
			labels, _ := inputs(r).at("labels").strMap()
			topics = append(topics, cost.Topic{Space: labels[naming.GCPLabelSpace], Module: labels[naming.GCPLabelModule]})
		}
	}
	if len(budgets) == 0 {
		return out
	}
	prices := cost.Committed()
	workloads, err := cost.Workloads(objects)
	var spaces map[string]cost.Range
	if err == nil {
		spaces, err = cost.SpaceEstimates(s.Environment, cost.Usage{Workloads: workloads, Topics: topics}, prices)
	}
	for _, name := range sortedKeys(budgets) {
		b := budgets[name]
		switch {
		case err != nil:
			// A request not known until the update runs, say: the update checks again.
			out = append(out, Finding{URN: b.urn, Undecided: true, Message: fmt.Sprintf("cannot estimate space %s: %v", name, err)})
		case b.currency != prices.Currency:
			out = append(out, Finding{URN: b.urn, Message: fmt.Sprintf("space %s's budget is in %s, the price table's prices in %s: budget.currency must be the table's", name, b.currency, prices.Currency)})
		case spaces[name].Max > float64(b.monthly):
			est := spaces[name]
			out = append(out, Finding{URN: b.urn, Message: fmt.Sprintf(
				"space %s is estimated at %.0f to %.0f %s a month (pods priced on %s in %s, prices of %s), above its budget of %s",
				name, est.Min, est.Max, prices.Currency, prices.PolicyReference.MachineType, prices.PolicyReference.Region, prices.Date,
				naming.BudgetValue(b.monthly, b.currency))})
		}
	}
	return out
}
