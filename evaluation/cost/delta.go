package cost

import (
	"cmp"
	"maps"
	"math"
	"slices"
)

// Delta is how an environment's estimate differs from another's: what a pull request's
// change costs (conveyor cost --env pr-123 --against dev).
type Delta struct {
	Environment string `json:"environment"`
	Against     string `json:"against"`
	Currency    string `json:"currency"`
	// Monthly is the environment's estimate minus the other's.
	Monthly Range `json:"monthly"`
	// Modules are the modules whose estimate differs, by space and name.
	Modules []ModuleDelta `json:"modules"`
}

// ModuleDelta is one module's difference; From is nil for a module the other environment
// does not run, To for one this one does not.
type ModuleDelta struct {
	Space  string `json:"space"`
	Module string `json:"module"`
	From   *Range `json:"from,omitempty"`
	To     *Range `json:"to,omitempty"`
	Change Range  `json:"change"`
}

// cent is the smallest difference a delta reports.
const cent = 0.005

// Compare is est's difference from base.
func Compare(est, base Estimate) Delta {
	d := Delta{Environment: est.Environment, Against: base.Environment, Currency: est.Prices.Currency, Monthly: est.Monthly.minus(base.Monthly), Modules: []ModuleDelta{}}
	type key struct{ space, module string }
	from, to := map[key]Range{}, map[key]Range{}
	for _, s := range base.Spaces {
		for _, m := range s.Modules {
			from[key{s.Name, m.Name}] = m.Monthly
		}
	}
	for _, s := range est.Spaces {
		for _, m := range s.Modules {
			to[key{s.Name, m.Name}] = m.Monthly
		}
	}
	keys := slices.Collect(maps.Keys(from))
	for k := range to {
		if _, ok := from[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b key) int { return cmp.Or(cmp.Compare(a.space, b.space), cmp.Compare(a.module, b.module)) })
	for _, k := range keys {
		md := ModuleDelta{Space: k.space, Module: k.module}
		if r, ok := from[k]; ok {
			md.From = &r
		}
		if r, ok := to[k]; ok {
			md.To = &r
		}
		md.Change = value(md.To).minus(value(md.From))
		if math.Abs(md.Change.Min) >= cent || math.Abs(md.Change.Max) >= cent {
			d.Modules = append(d.Modules, md)
		}
	}
	return d
}

func value(r *Range) Range {
	if r == nil {
		return Range{}
	}
	return *r
}
