package dora

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"time"
)

// Compute works out the figures of changes (in any order) over opts' period. Whether a
// deployment of the period failed, and when it was restored, is read from all the changes,
// also those after the period's end.
func Compute(changes []Change, opts Options) Report {
	byModule := map[string][]Change{}
	for _, c := range changes {
		if opts.Module == "" || c.Module == opts.Module {
			byModule[c.Module] = append(byModule[c.Module], c)
		}
	}
	r := Report{Since: opts.Since, Until: opts.Until, FixWindow: Duration(opts.FixWindow), Modules: []Module{}}
	all := make([]outcome, 0, len(changes))
	for _, name := range slices.Sorted(maps.Keys(byModule)) {
		outs := judge(byModule[name], opts)
		all = append(all, outs...)
		r.Modules = append(r.Modules, Module{Name: name, Figures: figures(outs, opts)})
	}
	r.Total = figures(all, opts)
	return r
}

// outcome is what became of one change of the period.
type outcome struct {
	Change
	// failed: a rollback, or a deploy of the same module within the fix window, followed it.
	failed bool
	// rework: the change is a rollback, or a deploy that fixed a failed one.
	rework bool
	// restore is how long after a failed deployment the module ran a healthy change.
	restore time.Duration
}

// judge decides, for one module's changes, which deployments of the period failed, which
// changes were rework, and how long each failure lasted.
func judge(changes []Change, opts Options) []outcome {
	changes = slices.Clone(changes)
	slices.SortStableFunc(changes, func(a, b Change) int {
		return cmp.Or(a.Time.Compare(b.Time), cmp.Compare(a.Update, b.Update))
	})
	failed := make([]bool, len(changes))
	for i, c := range changes {
		if c.Kind != Deploy || i+1 == len(changes) {
			continue
		}
		next := changes[i+1]
		failed[i] = next.Kind == Rollback || next.Time.Sub(c.Time) <= opts.FixWindow
	}
	out := make([]outcome, 0, len(changes))
	for i, c := range changes {
		if c.Time.Before(opts.Since) || !c.Time.Before(opts.Until) {
			continue
		}
		o := outcome{Change: c, failed: failed[i], rework: c.Kind == Rollback || (i > 0 && failed[i-1] && changes[i-1].Kind == Deploy)}
		if o.failed {
			// The next healthy change: a rollback, or a deploy that did not fail. The last
			// change never failed, so there is one.
			for j := i + 1; j < len(changes); j++ {
				if !failed[j] {
					o.restore = changes[j].Time.Sub(c.Time)
					break
				}
			}
		}
		out = append(out, o)
	}
	return out
}

// figures computes the five figures of a scope's outcomes.
func figures(outs []outcome, opts Options) Figures {
	var f Figures
	var leads, restores []float64
	for _, o := range outs {
		if o.Kind == Rollback {
			f.Rollbacks++
			continue
		}
		f.Deployments++
		if !o.SourceTime.IsZero() {
			leads = append(leads, hours(o.Time.Sub(o.SourceTime)))
		}
		if o.failed {
			f.Failures++
			restores = append(restores, hours(o.restore))
		}
	}
	if f.Deployments == 0 {
		const why = "no deployment in the period"
		f.DeploymentFrequency, f.LeadTime, f.ChangeFailureRate = noData(PerDay, why), noData(Hours, why), noData(Percent, why)
	} else {
		days := opts.Until.Sub(opts.Since).Hours() / 24
		perDay := float64(f.Deployments) / days
		f.DeploymentFrequency = value(perDay, PerDay, atLeast(perDay, frequencyBands), fmt.Sprintf("%s in %s days", plural(f.Deployments, "deployment"), trim(days)))
		f.LeadTime = leadTime(leads, f.Deployments)
		rate := 100 * float64(f.Failures) / float64(f.Deployments)
		f.ChangeFailureRate = value(rate, Percent, under(rate, failureRateBands, false), fmt.Sprintf("%d of %s failed", f.Failures, plural(f.Deployments, "deployment")))
	}
	if len(restores) == 0 {
		f.TimeToRestore = noData(Hours, "no failed deployment in the period")
	} else {
		m := median(restores)
		f.TimeToRestore = value(m, Hours, under(m, restoreBands, true), "median of "+plural(len(restores), "failure"))
	}
	f.ReworkRate = reworkRate(outs)
	return f
}

func leadTime(leads []float64, deployments int) Figure {
	if len(leads) == 0 {
		return noData(Hours, fmt.Sprintf("none of the %s in the period recorded its commit's time (deploy --source-time, or the image's org.opencontainers.image.created label)", plural(deployments, "deployment")))
	}
	m := median(leads)
	basis := "median of " + plural(deployments, "deployment")
	if missing := deployments - len(leads); missing > 0 {
		basis = fmt.Sprintf("median of %d of %s; %d recorded no commit time", len(leads), plural(deployments, "deployment"), missing)
	}
	return value(m, Hours, under(m, leadTimeBands, true), basis)
}

// reworkRate is the share of the period's deployments, rollbacks counted, that were
// unplanned: rollbacks and fix deploys. DORA publishes no bands for it yet.
func reworkRate(outs []outcome) Figure {
	if len(outs) == 0 {
		return noData(Percent, "no deployment in the period")
	}
	rework := 0
	for _, o := range outs {
		if o.rework {
			rework++
		}
	}
	return value(100*float64(rework)/float64(len(outs)), Percent, "", fmt.Sprintf("%d of %d changes (deployments and rollbacks) were rollbacks or fixes", rework, len(outs)))
}

func median(v []float64) float64 {
	v = slices.Clone(v)
	slices.Sort(v)
	n := len(v)
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}

// trim writes a number of days without a needless fraction.
func trim(days float64) string {
	if days == float64(int(days)) {
		return fmt.Sprint(int(days))
	}
	return fmt.Sprintf("%.1f", days)
}
