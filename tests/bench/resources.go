package bench

import (
	"github.com/conveyor-paas/conveyor/evaluation"
	"github.com/conveyor-paas/conveyor/policy/rules"
)

// Resources hands a recording to the policy rules.
func Resources(rec *evaluation.Recording) []rules.Resource {
	out := make([]rules.Resource, 0, len(rec.Resources))
	for _, r := range rec.Resources {
		out = append(out, rules.Resource{URN: r.URN, Type: r.Type, Name: r.Name, Inputs: r.Inputs})
	}
	return out
}
