package envview

// Reaching an environment's cluster, local or behind a cluster stack.

import (
	"context"
	"errors"
	"fmt"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/conveyor-paas/conveyor/components"
	"github.com/conveyor-paas/conveyor/naming"
)

// Cluster is how a command that reads an environment's cluster reaches it.
type Cluster struct {
	Config *rest.Config
	// Describe says how it was reached, for reports: "kubeconfig context kind-dev" or
	// "cluster stack cluster-nonprod".
	Describe string
	Local    bool
	// Project and SQLInstance are a GCP cluster's, from its stack's outputs.
	Project, SQLInstance string
}

// Client is a Kubernetes client of the cluster.
func (c *Cluster) Client() (kubernetes.Interface, error) {
	client, err := kubernetes.NewForConfig(c.Config)
	if err != nil {
		return nil, setup(fmt.Errorf("a client for %s: %w", c.Describe, err))
	}
	return client, nil
}

// Reach finds the environment's cluster: a local environment's through its kubeconfig
// context (conveyor:kubeContext, or the current one); any other through the kubeconfig its
// cluster stack exports, read from the backend and kept in memory only, never written to a
// file or printed.
func (v *View) Reach(ctx context.Context) (*Cluster, error) {
	env := v.Stack
	if env.Kind() == naming.StackCluster {
		return nil, &UsageError{Err: fmt.Errorf("%s is a cluster stack; name an environment that runs on it", env)}
	}
	if env.Kind() == naming.StackLocal {
		rc, name, err := Config(TargetOf(v.Config).Context)
		if err != nil {
			return nil, setup(err)
		}
		return &Cluster{Config: rc, Describe: "kubeconfig context " + name, Local: true}, nil
	}
	if v.Backend == nil {
		return nil, setup(errors.New("reaching a cluster stack needs the backend: set PULUMI_CONFIG_PASSPHRASE"))
	}
	stack := v.Config[naming.ConfigCluster]
	if stack == "" {
		stack = env.Cluster()
	}
	// An ad-hoc environment's backend holds its cluster's facts, not the cluster stack.
	stack = naming.ClusterReference(env.Name(), stack)
	outs, err := v.Backend.StackOutputs(ctx, stack)
	if err != nil {
		return nil, err
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
		return nil, setup(fmt.Errorf("cluster stack %s exports no %s: run `conveyor up --env %s` first", stack, components.OutputKubeconfig, stack))
	}
	rc, err := clientcmd.RESTConfigFromKubeConfig([]byte(kubeconfig))
	if err != nil {
		// The error of a parse may quote the text; say only where it came from.
		return nil, setup(fmt.Errorf("the %s output of cluster stack %s is not a kubeconfig", components.OutputKubeconfig, stack))
	}
	rc.Timeout = Timeout
	return &Cluster{Config: rc, Describe: "cluster stack " + stack, Project: text(components.OutputProject), SQLInstance: text(components.OutputSQLInstance)}, nil
}
