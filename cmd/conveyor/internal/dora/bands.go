package dora

import "time"

// Band is a DORA software delivery performance band.
type Band string

// The bands, best first.
const (
	Elite  Band = "elite"
	High   Band = "high"
	Medium Band = "medium"
	Low    Band = "low"
)

// The bands' bounds (docs/dora.md names their sources). Each band holds the values up to
// its bound; whatever is past the medium bound is low.
var (
	// frequencyBands are deployments per day: at least daily, weekly, monthly.
	frequencyBands = []float64{1, 1.0 / 7, 1.0 / 30}
	// leadTimeBands are hours: under a day, a week, a month.
	leadTimeBands = []float64{24, 7 * 24, 30 * 24}
	// failureRateBands are percent: at most 5, 10, 15.
	failureRateBands = []float64{5, 10, 15}
	// restoreBands are hours: under an hour, a day, a week.
	restoreBands = []float64{1, 24, 7 * 24}
)

var bandOrder = []Band{Elite, High, Medium}

// atLeast bands a figure where more is better (deployment frequency).
func atLeast(v float64, bounds []float64) Band {
	for i, b := range bounds {
		if v >= b {
			return bandOrder[i]
		}
	}
	return Low
}

// under bands a figure where less is better; strict says whether the bound itself is out of
// the band ("under a day") or in it ("at most 5 %").
func under(v float64, bounds []float64, strict bool) Band {
	for i, b := range bounds {
		if v < b || (!strict && v == b) {
			return bandOrder[i]
		}
	}
	return Low
}

func hours(d time.Duration) float64 { return d.Hours() }
