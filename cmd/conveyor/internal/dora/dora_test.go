package dora

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// The synthetic histories below run over the 30 days from t0, with a fix window of an hour.
var t0 = time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)

var period = Options{Since: t0, Until: t0.Add(30 * 24 * time.Hour), FixWindow: time.Hour}

// at is t0 plus a duration.
func at(d time.Duration) time.Time { return t0.Add(d) }

// deploy is a deploy of module at when, of an image whose commit was made lead before it
// (no record of the commit when lead is negative).
func deploy(module string, when, lead time.Duration) Change {
	c := Change{Module: module, Kind: Deploy, Time: at(when)}
	if lead >= 0 {
		c.SourceTime = c.Time.Add(-lead)
	}
	return c
}

func rollback(module string, when time.Duration) Change {
	return Change{Module: module, Kind: Rollback, Time: at(when)}
}

const (
	hour = time.Hour
	day  = 24 * time.Hour
	none = -1 // no source time recorded
)

// every returns n deploys of module, one every step from start, each of a commit made lead
// before it.
func every(module string, n int, start, step, lead time.Duration) []Change {
	var out []Change
	for i := range n {
		out = append(out, deploy(module, start+time.Duration(i)*step, lead))
	}
	return out
}

type figureTest struct {
	name    string
	changes []Change
	want    Figure
}

func runFigure(t *testing.T, tests []figureTest, figure func(Figures) Figure) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := figure(Compute(tt.changes, period).Total)
			// Hours are fractions: equal to the last few bits.
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateApprox(0, 1e-9)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestDeploymentFrequency(t *testing.T) {
	runFigure(t, []figureTest{
		{"empty history", nil, noData(PerDay, "no deployment in the period")},
		// 1 deploy / 30 days = 0.0333 a day: monthly, the medium band's bound.
		{"one deploy", []Change{deploy("quotes", day, none)}, value(1.0/30, PerDay, Medium, "1 deployment in 30 days")},
		// 5 / 30 = 0.1667 a day, more than weekly (0.1429): high.
		{"five deploys", every("quotes", 5, day, 5*day, none), value(5.0/30, PerDay, High, "5 deployments in 30 days")},
		// 60 / 30 = 2 a day: elite.
		{"twice a day", every("quotes", 60, 0, 12*hour, none), value(2, PerDay, Elite, "60 deployments in 30 days")},
		{"a deploy before the period and a rollback do not count", []Change{deploy("quotes", -day, none), deploy("quotes", day, none), rollback("quotes", 2*day)},
			value(1.0/30, PerDay, Medium, "1 deployment in 30 days")},
		// 0 deploys in the period, but one before it.
		{"nothing in the period", []Change{deploy("quotes", -day, none)}, noData(PerDay, "no deployment in the period")},
	}, func(f Figures) Figure { return f.DeploymentFrequency })
}

func TestLeadTime(t *testing.T) {
	runFigure(t, []figureTest{
		{"empty history", nil, noData(Hours, "no deployment in the period")},
		{"one deploy without a source", []Change{deploy("quotes", day, none)},
			noData(Hours, "none of the 1 deployment in the period recorded its commit's time (deploy --source-time, or the image's org.opencontainers.image.created label)")},
		{"one deploy", []Change{deploy("quotes", day, 2*hour)}, value(2, Hours, Elite, "median of 1 deployment")},
		// Leads 1 h, 30 h and 200 h: the median is 30 h, under a week: high.
		{"three deploys", []Change{deploy("quotes", day, hour), deploy("quotes", 3*day, 30*hour), deploy("claims", 5*day, 200*hour)},
			value(30, Hours, High, "median of 3 deployments")},
		// Known leads 10 h and 50 h: the median is their mean, 30 h.
		{"a deploy without a source", []Change{deploy("quotes", day, 10*hour), deploy("quotes", 3*day, none), deploy("quotes", 5*day, 50*hour)},
			value(30, Hours, High, "median of 2 of 3 deployments; 1 recorded no commit time")},
		// 40 days: past a month.
		{"slow", []Change{deploy("quotes", day, 40*day)}, value(40*24, Hours, Low, "median of 1 deployment")},
	}, func(f Figures) Figure { return f.LeadTime })
}

func TestChangeFailureRate(t *testing.T) {
	runFigure(t, []figureTest{
		{"empty history", nil, noData(Percent, "no deployment in the period")},
		{"one deploy", []Change{deploy("quotes", day, none)}, value(0, Percent, Elite, "0 of 1 deployment failed")},
		{"a deploy rolled back", []Change{deploy("quotes", day, none), rollback("quotes", 3*day)},
			value(100, Percent, Low, "1 of 1 deployment failed")},
		// The second deploy comes 30 minutes after the first, within the hour: a fix.
		{"a fix deploy", []Change{deploy("quotes", day, none), deploy("quotes", day+30*time.Minute, none)},
			value(50, Percent, Low, "1 of 2 deployments failed")},
		{"a later deploy is no fix", []Change{deploy("quotes", day, none), deploy("quotes", day+2*hour, none)},
			value(0, Percent, Elite, "0 of 2 deployments failed")},
		{"another module's rollback", []Change{deploy("quotes", day, none), deploy("claims", 2*day, none), rollback("claims", 3*day)},
			value(50, Percent, Low, "1 of 2 deployments failed")},
		// 1 of 20 = 5 %: the elite band holds its bound.
		{"one in twenty", append(every("quotes", 20, 0, day, none), rollback("quotes", 19*day+hour)),
			value(5, Percent, Elite, "1 of 20 deployments failed")},
		// 2 of 16 = 12.5 %: medium.
		{"two in sixteen", append(every("quotes", 15, 0, day, none), rollback("quotes", 13*day+hour), deploy("quotes", 14*day+30*time.Minute, none)),
			value(200.0/16, Percent, Medium, "2 of 16 deployments failed")},
	}, func(f Figures) Figure { return f.ChangeFailureRate })
}

func TestTimeToRestore(t *testing.T) {
	runFigure(t, []figureTest{
		{"empty history", nil, noData(Hours, "no failed deployment in the period")},
		{"one deploy", []Change{deploy("quotes", day, none)}, noData(Hours, "no failed deployment in the period")},
		{"rolled back after 30 minutes", []Change{deploy("quotes", day, none), rollback("quotes", day+30*time.Minute)},
			value(0.5, Hours, Elite, "median of 1 failure")},
		// The fix deploy is healthy: nothing followed it.
		{"a fix after 20 minutes", []Change{deploy("quotes", day, none), deploy("quotes", day+20*time.Minute, none)},
			value(1.0/3, Hours, Elite, "median of 1 failure")},
		// The first fix (at 20 min) failed too, fixed at 50 min: restores of 50 and 30
		// minutes, median 40 minutes.
		{"a failed fix", []Change{deploy("quotes", day, none), deploy("quotes", day+20*time.Minute, none), deploy("quotes", day+50*time.Minute, none)},
			value(40.0/60, Hours, Elite, "median of 2 failures")},
		// Rolled back two days later: under a week, medium.
		{"rolled back after two days", []Change{deploy("quotes", day, none), rollback("quotes", 3*day)},
			value(48, Hours, Medium, "median of 1 failure")},
	}, func(f Figures) Figure { return f.TimeToRestore })
}

func TestReworkRate(t *testing.T) {
	runFigure(t, []figureTest{
		{"empty history", nil, noData(Percent, "no deployment in the period")},
		{"one deploy", []Change{deploy("quotes", day, none)}, value(0, Percent, "", "0 of 1 changes (deployments and rollbacks) were rollbacks or fixes")},
		{"a rollback", []Change{deploy("quotes", day, none), rollback("quotes", 3*day)},
			value(50, Percent, "", "1 of 2 changes (deployments and rollbacks) were rollbacks or fixes")},
		{"a fix deploy", []Change{deploy("quotes", day, none), deploy("quotes", day+30*time.Minute, none)},
			value(50, Percent, "", "1 of 2 changes (deployments and rollbacks) were rollbacks or fixes")},
		{"a planned deploy", []Change{deploy("quotes", day, none), deploy("quotes", 2*day, none)},
			value(0, Percent, "", "0 of 2 changes (deployments and rollbacks) were rollbacks or fixes")},
	}, func(f Figures) Figure { return f.ReworkRate })
}

func TestModules(t *testing.T) {
	changes := []Change{deploy("quotes", day, hour), rollback("quotes", 2*day), deploy("claims", day, 3*hour), deploy("claims", 4*day, 5*hour)}
	r := Compute(changes, period)
	var names []string
	for _, m := range r.Modules {
		names = append(names, m.Name)
	}
	if diff := cmp.Diff([]string{"claims", "quotes"}, names); diff != "" {
		t.Errorf("modules (-want +got):\n%s", diff)
	}
	counts := func(f Figures) [3]int { return [3]int{f.Deployments, f.Rollbacks, f.Failures} }
	if diff := cmp.Diff([][3]int{{3, 1, 1}, {2, 0, 0}, {1, 1, 1}}, [][3]int{counts(r.Total), counts(r.Modules[0].Figures), counts(r.Modules[1].Figures)}); diff != "" {
		t.Errorf("deployments, rollbacks, failures of total, claims, quotes (-want +got):\n%s", diff)
	}
	// claims' leads 3 h and 5 h: median 4 h.
	if got := r.Modules[0].LeadTime.Value; got == nil || *got != 4 {
		t.Errorf("claims' lead time: %v", got)
	}

	one := period
	one.Module = "quotes"
	only := Compute(changes, one)
	if len(only.Modules) != 1 || only.Modules[0].Name != "quotes" || counts(only.Total) != [3]int{1, 1, 1} {
		t.Errorf("--module quotes: %+v", only)
	}
}
