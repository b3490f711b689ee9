package stacks

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/components/naming"
)

// Program is Conveyor's Pulumi program: a cluster stack builds a cluster, any other stack an
// environment.
func Program(ctx *pulumi.Context) error {
	cfg, err := LoadConfig(ctx)
	if err != nil {
		return err
	}
	if cfg.Kind == naming.StackCluster {
		return clusterStack(ctx, cfg)
	}
	return environmentStack(ctx, cfg)
}
