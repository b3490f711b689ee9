package cost

import "fmt"

// SpaceEstimates prices workloads and topics per space on the price table's policy
// reference (a region and a machine type): what the policy pack compares budgets with, as it
// sees one stack and not its cluster's node pools.
func SpaceEstimates(env string, u Usage, p Prices) (map[string]Range, error) {
	ref := p.PolicyReference
	if ref.Region == "" || ref.MachineType == "" {
		return nil, fmt.Errorf("the price table (%s) has no policyReference to price a space's budget on", p.Date)
	}
	est, err := EstimateEnvironment(env, u, ClusterUsage{
		Stack: "the price table's reference", Region: ref.Region, Clusters: 1,
		NodePools: []NodePool{{Name: "reference", MachineType: ref.MachineType, Min: 1, Max: 1}},
	}, p)
	if err != nil {
		return nil, err
	}
	out := map[string]Range{}
	for _, s := range est.Spaces {
		out[s.Name] = s.Monthly
	}
	return out, nil
}
