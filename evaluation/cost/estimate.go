// Package cost estimates what an environment costs a month before it is deployed, from the
// program evaluated offline (package evaluation): its pods' requests and replicas as a share
// of its cluster's node pool, its topics at a stated volume, and a cluster stack's nodes, fee
// and Cloud SQL instance, priced with a committed, dated price table (prices.yaml).
package cost

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
)

// Range is an amount from the autoscalers' (or node pools') minimum to their maximum.
type Range struct {
	Min float64 `json:"min"`
	Max float64 `json:"max"`
}

func (r Range) plus(o Range) Range  { return Range{r.Min + o.Min, r.Max + o.Max} }
func (r Range) minus(o Range) Range { return Range{r.Min - o.Min, r.Max - o.Max} }
func (r Range) times(f float64) Range {
	return Range{r.Min * f, r.Max * f}
}

// PriceInfo says which price table an estimate used.
type PriceInfo struct {
	Date     string `json:"date"`
	Currency string `json:"currency"`
	Source   string `json:"source"`
	Region   string `json:"region"`
}

// Estimate is the monthly cost of an environment (per space and module) or of a cluster
// stack (its cluster, node pools and Cloud SQL instance).
type Estimate struct {
	Environment string    `json:"environment"`
	Prices      PriceInfo `json:"prices"`
	// PodsOn is the machine type pods are priced at: a share of its node pool.
	PodsOn  string   `json:"podsOn,omitempty"`
	Monthly Range    `json:"monthly"`
	Spaces  []Space  `json:"spaces,omitempty"`
	Cluster *Cluster `json:"cluster,omitempty"`
	// Assumptions are what the estimate takes for granted, said with every estimate.
	Assumptions []string `json:"assumptions"`
}

// Space is one space's monthly estimate.
type Space struct {
	Name    string   `json:"space"`
	Monthly Range    `json:"monthly"`
	Modules []Module `json:"modules"`
}

// Module is one module's monthly estimate: its pods' share of the node pool, and its
// topics' assumed Pub/Sub volume.
type Module struct {
	Name string `json:"module"`
	// CPU (cores) and Memory (GiB) its pods request, from the least to the most replicas.
	CPU     Range   `json:"cpu"`
	Memory  Range   `json:"memoryGiB"`
	Pods    Range   `json:"pods"`
	Compute Range   `json:"compute"`
	Topics  int     `json:"topics,omitempty"`
	PubSub  float64 `json:"pubsub,omitempty"`
	Monthly Range   `json:"monthly"`
}

// Cluster is a cluster stack's monthly estimate.
type Cluster struct {
	Management float64 `json:"management"`
	NodePools  []Line  `json:"nodePools"`
	SQL        *Line   `json:"sql,omitempty"`
}

// Line is one priced item.
type Line struct {
	Name    string `json:"name"`
	What    string `json:"what"`
	Monthly Range  `json:"monthly"`
}

// EstimateEnvironment prices an environment's usage on its cluster: each pod's requests at
// the rates of the pool's machine family (its share of the nodes), for as many replicas as
// the autoscaler's minimum and maximum, and each topic's assumed volume.
func EstimateEnvironment(env string, u Usage, cluster ClusterUsage, p Prices) (Estimate, error) {
	region, err := p.Region(cluster.Region)
	if err != nil {
		return Estimate{}, err
	}
	pool := cluster.PodPool()
	rates, err := poolRates(pool, region, p)
	if err != nil {
		return Estimate{}, err
	}
	est := Estimate{
		Environment: env, PodsOn: pool.MachineType,
		Prices: PriceInfo{Date: p.Date, Currency: p.Currency, Source: p.Source, Region: cluster.Region},
		Assumptions: []string{
			fmt.Sprintf("pods cost their requests' share of %s nodes (pool %s of %s); idle node capacity is the cluster's (conveyor cost --env %s)", pool.MachineType, pool.Name, cluster.Stack, cluster.Stack),
			"jobs and cron jobs run to completion and are not counted",
			fmt.Sprintf("each Pub/Sub topic moves %g GiB a month", p.Assumptions.PubSubGiBPerTopicMonth),
			fmt.Sprintf("databases live on %s's shared Cloud SQL instance, priced with the cluster", cluster.Stack),
			fmt.Sprintf("%g hours a month, list prices of %s without discounts", p.HoursPerMonth, p.Date),
		},
	}
	modules := map[[2]string]*Module{}
	module := func(space, name string) *Module {
		k := [2]string{space, name}
		if modules[k] == nil {
			modules[k] = &Module{Name: name}
		}
		return modules[k]
	}
	for _, w := range u.Workloads {
		m := module(w.Space, w.Module)
		replicas := Range{float64(w.MinReplicas), float64(w.MaxReplicas)}
		m.Pods = m.Pods.plus(replicas)
		m.CPU = m.CPU.plus(replicas.times(w.CPU))
		m.Memory = m.Memory.plus(replicas.times(w.Memory))
		perReplica := (w.CPU*rates.VCPUHour + w.Memory*rates.GiBHour) * p.HoursPerMonth
		m.Compute = m.Compute.plus(replicas.times(perReplica))
	}
	perTopic := p.Assumptions.PubSubGiBPerTopicMonth / 1024 * region.PubSubTiB
	for _, t := range u.Topics {
		m := module(t.Space, t.Module)
		m.Topics++
		m.PubSub += perTopic
	}
	spaces := map[string]*Space{}
	for _, k := range slices.SortedFunc(maps.Keys(modules), func(a, b [2]string) int { return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1])) }) {
		m := modules[k]
		m.Monthly = m.Compute.plus(Range{m.PubSub, m.PubSub})
		if spaces[k[0]] == nil {
			spaces[k[0]] = &Space{Name: k[0]}
		}
		s := spaces[k[0]]
		s.Modules = append(s.Modules, *m)
		s.Monthly = s.Monthly.plus(m.Monthly)
	}
	for _, name := range slices.Sorted(maps.Keys(spaces)) {
		est.Spaces = append(est.Spaces, *spaces[name])
		est.Monthly = est.Monthly.plus(spaces[name].Monthly)
	}
	return est, nil
}

// poolRates are the rates of a pool's machine family in a region, spot priced as such.
func poolRates(pool NodePool, region RegionPrices, p Prices) (Rates, error) {
	shape, err := MachineShape(pool.MachineType)
	if err != nil {
		return Rates{}, fmt.Errorf("node pool %s: %w", pool.Name, err)
	}
	rates, ok := region.Machines[shape.Family]
	if !ok {
		return Rates{}, fmt.Errorf("node pool %s: the price table (%s) has no prices for machine family %s", pool.Name, p.Date, shape.Family)
	}
	if pool.Spot {
		rates = Rates{rates.VCPUHour * region.SpotShare, rates.GiBHour * region.SpotShare}
	}
	return rates, nil
}

// EstimateCluster prices a cluster stack: the cluster's management fee, each node pool's
// nodes from its minimum to its maximum, and the Cloud SQL instance (tier and disk, twice for
// a highly available one).
func EstimateCluster(c ClusterUsage, p Prices) (Estimate, error) {
	region, err := p.Region(c.Region)
	if err != nil {
		return Estimate{}, err
	}
	h := p.HoursPerMonth
	cl := &Cluster{Management: float64(c.Clusters) * region.GKEClusterHour * h}
	total := Range{cl.Management, cl.Management}
	for _, pool := range c.NodePools {
		rates, err := poolRates(pool, region, p)
		if err != nil {
			return Estimate{}, err
		}
		shape, _ := MachineShape(pool.MachineType) // poolRates read it
		node := shape.hourly(rates) * h
		what := fmt.Sprintf("%d to %d %s nodes", pool.Min, pool.Max, pool.MachineType)
		if pool.Spot {
			what += " (spot)"
		}
		l := Line{Name: pool.Name, What: what, Monthly: Range{float64(pool.Min) * node, float64(pool.Max) * node}}
		cl.NodePools = append(cl.NodePools, l)
		total = total.plus(l.Monthly)
	}
	if c.SQL != nil {
		shape, err := SQLTierShape(c.SQL.Tier)
		if err != nil {
			return Estimate{}, err
		}
		copies, what := 1.0, fmt.Sprintf("%s, %d GiB SSD", c.SQL.Tier, c.SQL.DiskGiB)
		if c.SQL.HighlyAvailable {
			copies, what = 2, what+", highly available (billed twice)"
		}
		monthly := copies * (shape.hourly(region.CloudSQL.Rates)*h + float64(c.SQL.DiskGiB)*region.CloudSQL.SSDGiBMonth)
		cl.SQL = &Line{Name: "cloud-sql", What: what, Monthly: Range{monthly, monthly}}
		total = total.plus(cl.SQL.Monthly)
	}
	return Estimate{
		Environment: c.Stack, Monthly: total, Cluster: cl,
		Prices: PriceInfo{Date: p.Date, Currency: p.Currency, Source: p.Source, Region: c.Region},
		Assumptions: []string{
			"node pools cost their nodes from the autoscaler's minimum to its maximum",
			"the Cloud SQL disk grows automatically: priced at its starting size",
			fmt.Sprintf("%g hours a month, list prices of %s without discounts or free tiers", p.HoursPerMonth, p.Date),
		},
	}, nil
}
