package cli

// An environment as the read verbs (status, logs, explain, render) see it: its config as the
// next update would have it, its catalog, its evaluation, and how to reach its cluster.

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"strings"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/kubereach"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
	"github.com/conveyor-paas/conveyor/components"
	"github.com/conveyor-paas/conveyor/evaluation"
	"github.com/conveyor-paas/conveyor/manifest"
	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/stacks"
	"github.com/conveyor-paas/conveyor/stacks/deployed"
)

// cluster is how a command that reads an environment's cluster reaches it.
type cluster struct {
	config *rest.Config
	// describe says how it was reached, for reports: "kubeconfig context kind-dev" or
	// "cluster stack cluster-nonprod".
	describe string
	local    bool
	// project and sqlInstance are a GCP cluster's, from its stack's outputs.
	project, sqlInstance string
}

// envConfig is an environment's configuration as the next update would have it: the stack's
// config file or, when this clone has none, the config of its last deployment, which the
// update restores (stackops restoreConfig) and whose request it drops. overrides are the
// values that differ from the file, for stacks.Evaluate. The images the last deployment
// recorded are no config: envRecording hands them to the program, which reads them itself.
func envConfig(ctx context.Context, r *stackops.Runner, root, env string) (config, overrides map[string]string, err error) {
	config, err = stacks.ReadStackConfig(root, env)
	if err != nil {
		return nil, nil, withCode(ExitSetup, err)
	}
	overrides = map[string]string{}
	if _, statErr := os.Stat(stacks.StackConfigFile(root, env)); r != nil && errors.Is(statErr, os.ErrNotExist) {
		live, _, err := r.DeployedConfig(ctx, env)
		if err != nil {
			return nil, nil, runnerExit(err)
		}
		for k, v := range live {
			if strings.HasPrefix(k, naming.Project+":") && k != deployed.RequestKey && k != stackops.ByKey {
				overrides[k] = v
			}
		}
	}
	config = maps.Clone(config)
	maps.Copy(config, overrides)
	return config, overrides, nil
}

// envRecording evaluates the program offline as env's next update runs it: with overrides
// (from envConfig) and the images its last checkpoint recorded, which the program resolves
// by its own rule (package deployed), the rule `explain` shows.
func envRecording(ctx context.Context, r *stackops.Runner, root, env string, overrides map[string]string) (*evaluation.Recording, error) {
	layers, err := r.NextImages(ctx, env)
	if err != nil {
		return nil, runnerExit(err)
	}
	rec, err := stacks.Evaluate(stacks.EvaluateOptions{Root: root, Stack: env, Config: overrides, Deployed: layers.Deployed})
	if err != nil {
		return nil, withCode(ExitSetup, err)
	}
	return rec, nil
}

// envCatalog loads the catalog an environment's config points at.
func envCatalog(root string, config map[string]string) (*manifest.Catalog, error) {
	cat, err := manifest.Load(stacks.CatalogDir(root, config[naming.ConfigCatalog]))
	if err != nil {
		return nil, withCode(ExitSetup, err)
	}
	return cat, nil
}

// reachCluster finds an environment's cluster: a local environment's through its
// kubeconfig context (conveyor:kubeContext, or the current one); any other through the
// kubeconfig its cluster stack exports, read with the Automation API and kept in memory
// only, never written to a file or printed.
func reachCluster(ctx context.Context, r *stackops.Runner, env naming.Stack, config map[string]string) (*cluster, error) {
	if env.Kind() == naming.StackCluster {
		return nil, withCode(ExitUsage, fmt.Errorf("%s is a cluster stack; name an environment that runs on it", env))
	}
	if env.Kind() == naming.StackLocal {
		rc, name, err := kubereach.Config(kubereach.TargetOf(config).Context)
		if err != nil {
			return nil, withCode(ExitSetup, err)
		}
		return &cluster{config: rc, describe: "kubeconfig context " + name, local: true}, nil
	}
	if r == nil {
		return nil, withCode(ExitSetup, errors.New("reaching a cluster stack needs the backend: set PULUMI_CONFIG_PASSPHRASE"))
	}
	stack := config[naming.ConfigCluster]
	if stack == "" {
		stack = env.Cluster()
	}
	// An ad-hoc environment's backend holds its cluster's facts, not the cluster stack.
	stack = naming.ClusterReference(env.Name(), stack)
	outs, err := r.StackOutputs(ctx, stack)
	if err != nil {
		return nil, runnerExit(err)
	}
	text := func(key string) string {
		s, _ := outs[key].Value.(string)
		return s
	}
	kubeconfig := text(components.OutputKubeconfig)
	if _, facts := naming.ClusterOfFactsStack(stack); facts {
		kubeconfig = components.GKEKubeconfigText(text(components.OutputClusterName), text(components.OutputEndpoint), text(components.OutputCACertificate))
	}
	if kubeconfig == "" {
		return nil, withCode(ExitSetup, fmt.Errorf("cluster stack %s exports no %s: run `conveyor up --env %s` first", stack, components.OutputKubeconfig, stack))
	}
	rc, err := clientcmd.RESTConfigFromKubeConfig([]byte(kubeconfig))
	if err != nil {
		// The error of a parse may quote the text; say only where it came from.
		return nil, withCode(ExitSetup, fmt.Errorf("the %s output of cluster stack %s is not a kubeconfig", components.OutputKubeconfig, stack))
	}
	rc.Timeout = kubereach.Timeout
	return &cluster{config: rc, describe: "cluster stack " + stack, project: text(components.OutputProject), sqlInstance: text(components.OutputSQLInstance)}, nil
}

// moduleOf is module in env's catalog. A name the catalog lacks is a usage error, said one
// way by every verb that takes --module (status, explain, logs, secret): the name, the
// environment and the modules there are.
func moduleOf(cat *manifest.Catalog, env, module string) (*manifest.Module, error) {
	if m := cat.Module(module); m != nil {
		return m, nil
	}
	names := make([]string, 0, len(cat.Modules))
	for _, m := range cat.Modules {
		names = append(names, m.Name)
	}
	return nil, withCode(ExitUsage, fmt.Errorf("there is no module %q in the catalog of %s (it has %s)", module, env, strings.Join(names, ", ")))
}
