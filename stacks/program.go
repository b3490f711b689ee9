package stacks

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/stacks/bootstrap"
)

// Program is Conveyor's Pulumi program: a cluster stack builds a cluster, the bootstrap stack
// the tiers' identities, backends and keys (stacks/bootstrap), any other stack an
// environment.
func Program(ctx *pulumi.Context) error {
	if ctx.Stack() == naming.BootstrapStack {
		return bootstrap.Program(ctx)
	}
	cfg, err := LoadConfig(ctx)
	if err != nil {
		return err
	}
	if cfg.Kind == naming.StackCluster {
		return clusterStack(ctx, cfg)
	}
	return environmentStack(ctx, cfg, false)
}

// TeardownProgram is what runs, as an update targeted at TeardownTargets, right before an
// environment is destroyed: the environment as Program declares it, plus the job that drops
// its databases and roles (components.NewDatabaseTeardown). The update creates that job and
// nothing else, whatever the running code declares beyond what the environment was deployed
// with; destroying the environment then deletes everything else. `conveyor destroy`, `env
// delete` and `env gc` run it; with the Pulumi CLI, run `CONVEYOR_TEARDOWN=1 pulumi up -s
// <env> --target <each of TeardownTargets>` before `pulumi destroy -s <env>`. Production
// environments and cluster stacks are refused.
func TeardownProgram(ctx *pulumi.Context) error {
	cfg, err := LoadConfig(ctx)
	if err != nil {
		return err
	}
	if cfg.Kind == naming.StackCluster {
		return fmt.Errorf("%s is a cluster stack: it has no databases of its own to tear down", cfg.Stack)
	}
	return environmentStack(ctx, cfg, true)
}

// jobType is the Kubernetes provider's type token of a Job.
const jobType = "kubernetes:batch/v1:Job"

// TeardownTargets are the URNs of what TeardownProgram adds to env's stack of project: the
// job that drops its databases and roles, in its platform namespace.
func TeardownTargets(project, env string) []string {
	job := naming.PlatformNamespace(env) + "/" + naming.DatabaseTeardownJob()
	return []string{string(resource.NewURN(tokens.QName(env), tokens.PackageName(project), "", tokens.Type(jobType), job))}
}
