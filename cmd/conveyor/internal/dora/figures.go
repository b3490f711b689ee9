package dora

import (
	"encoding/json"
	"fmt"
	"time"
)

// Figures are the five figures of one scope (an environment or a module), with the counts
// they come from.
type Figures struct {
	Deployments int `json:"deployments"`
	Rollbacks   int `json:"rollbacks"`
	// Failures are the deployments that a rollback or a fix deploy followed.
	Failures int `json:"failures"`

	DeploymentFrequency Figure `json:"deploymentFrequency"`
	LeadTime            Figure `json:"leadTimeForChanges"`
	ChangeFailureRate   Figure `json:"changeFailureRate"`
	TimeToRestore       Figure `json:"timeToRestore"`
	ReworkRate          Figure `json:"deploymentReworkRate"`
}

// Unit is what a figure's value counts.
type Unit string

// Units of the figures.
const (
	PerDay  Unit = "per day"
	Hours   Unit = "hours"
	Percent Unit = "percent"
)

// Figure is one figure: its value and band, or why it has none.
type Figure struct {
	// Value is set when there is data for the figure.
	Value *float64 `json:"value,omitempty"`
	Unit  Unit     `json:"unit"`
	// Band is the DORA performance band of the value; empty where DORA publishes none.
	Band Band `json:"band,omitempty"`
	// Basis says what the value was computed from ("median of 7 of 9 deployments").
	Basis string `json:"basis,omitempty"`
	// NoData says plainly why there is no value.
	NoData string `json:"noData,omitempty"`
}

func value(v float64, unit Unit, band Band, basis string) Figure {
	return Figure{Value: &v, Unit: unit, Band: band, Basis: basis}
}

func noData(unit Unit, why string) Figure { return Figure{Unit: unit, NoData: why} }

// Duration is a time.Duration written as Go writes durations ("1h0m0s"), in JSON too.
type Duration time.Duration

// MarshalJSON writes the duration as its Go text.
func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).String())
}

// UnmarshalJSON reads the duration from its Go text, so that a --json document reads back.
func (d *Duration) UnmarshalJSON(data []byte) error {
	var text string
	if err := json.Unmarshal(data, &text); err != nil {
		return fmt.Errorf("a duration is a string such as \"1h0m0s\": %w", err)
	}
	v, err := time.ParseDuration(text)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// String is the Go text of the duration.
func (d Duration) String() string { return time.Duration(d).String() }

func plural(n int, one string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", one)
	}
	return fmt.Sprintf("%d %ss", n, one)
}
