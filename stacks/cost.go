package stacks

import (
	"fmt"

	"github.com/conveyor-paas/conveyor/evaluation/cost"
	"github.com/conveyor-paas/conveyor/naming"
)

// EstimateCost is a stack's monthly cost, from its offline evaluation: no engine, no cloud.
// An environment's pods are priced on its cluster stack's node pools, which are evaluated
// too; a cluster stack is priced whole. A local environment runs on a developer's own
// cluster and has no price.
func EstimateCost(opts EvaluateOptions, prices cost.Prices) (cost.Estimate, error) {
	kind, err := naming.ClassifyStack(opts.Stack)
	if err != nil {
		return cost.Estimate{}, err
	}
	if kind == naming.StackLocal {
		return cost.Estimate{}, fmt.Errorf("%s runs on the cluster of your kubeconfig: it has no cloud price (estimate dev or an ad-hoc environment instead)", opts.Stack)
	}
	clusterStack := opts.Stack
	if kind != naming.StackCluster {
		config, err := ReadStackConfig(opts.Root, opts.Stack)
		if err != nil {
			return cost.Estimate{}, err
		}
		clusterStack = or(or(opts.Config[naming.ConfigCluster], config[naming.ConfigCluster]), naming.DefaultCluster(opts.Stack))
	}
	clusterOpts := opts
	clusterOpts.Stack, clusterOpts.Config, clusterOpts.StackConfig = clusterStack, nil, nil
	clusterRec, err := Evaluate(clusterOpts)
	if err != nil {
		return cost.Estimate{}, err
	}
	cluster, err := cost.ClusterStackUsage(clusterStack, clusterRec)
	if err != nil {
		return cost.Estimate{}, err
	}
	if kind == naming.StackCluster {
		return cost.EstimateCluster(cluster, prices)
	}
	opts.Cluster = clusterRec
	rec, err := Evaluate(opts)
	if err != nil {
		return cost.Estimate{}, err
	}
	usage, err := cost.EnvironmentUsage(rec)
	if err != nil {
		return cost.Estimate{}, fmt.Errorf("stack %s: %w", opts.Stack, err)
	}
	return cost.EstimateEnvironment(opts.Stack, usage, cluster, prices)
}
