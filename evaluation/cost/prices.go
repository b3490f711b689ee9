package cost

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Prices is a price table: per region, what the resources an environment makes cost. The
// committed one is prices.yaml (Committed); --prices replaces it with a file of the same
// format.
type Prices struct {
	// Date is when the prices were written down, Source where they were read.
	Date          string      `yaml:"date" json:"date"`
	Currency      string      `yaml:"currency" json:"currency"`
	Source        string      `yaml:"source" json:"source"`
	HoursPerMonth float64     `yaml:"hoursPerMonth" json:"hoursPerMonth"`
	Assumptions   Assumptions `yaml:"assumptions" json:"assumptions"`
	// PolicyReference is where the policy pack prices pods (it sees no node pool).
	PolicyReference Reference               `yaml:"policyReference" json:"-"`
	Regions         map[string]RegionPrices `yaml:"regions" json:"-"`
}

// Reference is a region and a machine type to price pods on.
type Reference struct {
	Region      string `yaml:"region"`
	MachineType string `yaml:"machineType"`
}

// Assumptions stand in for what no manifest says.
type Assumptions struct {
	PubSubGiBPerTopicMonth float64 `yaml:"pubsubGiBPerTopicMonth" json:"pubsubGiBPerTopicMonth"`
}

// RegionPrices are one region's prices.
type RegionPrices struct {
	// Machines are the rates of each machine family ("e2").
	Machines       map[string]Rates `yaml:"machines"`
	SpotShare      float64          `yaml:"spotShare"`
	GKEClusterHour float64          `yaml:"gkeClusterHour"`
	CloudSQL       SQLRates         `yaml:"cloudSQL"`
	PubSubTiB      float64          `yaml:"pubsubTiB"`
}

// Rates are the hourly prices of a vCPU and of a GiB of memory.
type Rates struct {
	VCPUHour float64 `yaml:"vcpuHour"`
	GiBHour  float64 `yaml:"gibHour"`
}

// SQLRates are Cloud SQL's prices: vCPU and memory by the hour, SSD storage by the month.
type SQLRates struct {
	Rates       `yaml:",inline"`
	SSDGiBMonth float64 `yaml:"ssdGiBMonth"`
}

//go:embed prices.yaml
var committed []byte

// Committed is the price table committed in the repository (prices.yaml).
func Committed() Prices {
	p, err := parsePrices(committed, "evaluation/cost/prices.yaml")
	if err != nil {
		panic(err) // a test parses it: a broken committed table never ships
	}
	return p
}

// LoadPrices reads a price table from a file, as --prices names it.
func LoadPrices(path string) (Prices, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Prices{}, fmt.Errorf("reading the price table: %w", err)
	}
	return parsePrices(data, path)
}

func parsePrices(data []byte, file string) (Prices, error) {
	var p Prices
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&p); err != nil {
		return Prices{}, fmt.Errorf("%s: %w", file, err)
	}
	var problems []string
	if p.Date == "" || p.Currency == "" || p.Source == "" {
		problems = append(problems, "date, currency and source are required: a price is only as good as where and when it was read")
	}
	if p.HoursPerMonth <= 0 {
		problems = append(problems, "hoursPerMonth must be positive")
	}
	if len(p.Regions) == 0 {
		problems = append(problems, "regions: no region has prices")
	}
	for _, name := range slices.Sorted(maps.Keys(p.Regions)) {
		if len(p.Regions[name].Machines) == 0 {
			problems = append(problems, fmt.Sprintf("regions.%s.machines: no machine family has prices", name))
		}
	}
	if len(problems) > 0 {
		return Prices{}, fmt.Errorf("%s: %w", file, errors.New(strings.Join(problems, "; ")))
	}
	return p, nil
}

// Region is the prices of region, or an error naming the regions the table has.
func (p Prices) Region(region string) (RegionPrices, error) {
	r, ok := p.Regions[region]
	if !ok {
		return RegionPrices{}, fmt.Errorf("the price table (%s) has no prices for region %s; it has %s", p.Date, region, strings.Join(slices.Sorted(maps.Keys(p.Regions)), ", "))
	}
	return r, nil
}
