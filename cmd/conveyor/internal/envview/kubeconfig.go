package envview

// Reaching a local environment's cluster through the kubeconfig: before the engine starts,
// whether it can be reached, said in one sentence if not (the engine's own error would come
// minutes later, buried in a provider's diagnostics).

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"k8s.io/client-go/discovery"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/conveyor-paas/conveyor/naming"
)

// Timeout bounds the reachability check.
const Timeout = 10 * time.Second

// Probed is the cluster a kubeconfig context reached.
type Probed struct {
	Context string
	Server  string
	Version string
}

// ContextSetting is the stack setting that names the kubeconfig context a local environment
// deploys into; without it, the current context.
const ContextSetting = naming.ConfigKubeContext

// TargetOf is the target a local stack's settings (its stack file's config) name.
func TargetOf(config map[string]string) Target {
	return Target{Context: config[ContextSetting], Allow: config[AllowSetting]}
}

// Target is the context a local environment deploys into.
type Target struct {
	// Context is the kubeconfig context (conveyor:kubeContext); "" is the current one.
	Context string
	// Allow names a context that may be used although it does not look like a local
	// cluster (conveyor:allowKubeContext).
	Allow string
}

// Probe loads the kubeconfig the way kubectl does (KUBECONFIG, or ~/.kube/config), picks the
// context (the current one when none is set), refuses it unless it is a local cluster or the
// one the stack allows (see locality), and only then asks its API server for its version.
func Probe(ctx context.Context, target Target) (*Probed, error) {
	config, name, err := LocalConfig(target)
	if err != nil {
		return nil, err
	}
	client, err := discovery.NewDiscoveryClientForConfig(config)
	if err != nil {
		return nil, fmt.Errorf("kubeconfig context %q is not usable: %v", name, err)
	}
	version, err := serverVersion(ctx, client)
	if err != nil {
		return nil, fmt.Errorf("the cluster of kubeconfig context %q at %s cannot be reached (%v): is it running?", name, config.Host, err)
	}
	return &Probed{Context: name, Server: config.Host, Version: version}, nil
}

// LocalConfig is the client configuration of target's context, refused unless it is a local
// cluster or the one the stack allows (see locality), with the context's name. It does not
// reach the cluster: what deletes in a local environment's cluster (the sweep) asks it anew
// each time, since the kubeconfig's current context may have changed since the check.
func LocalConfig(target Target) (*rest.Config, string, error) {
	config, name, err := Config(target.Context)
	if err != nil {
		return nil, "", err
	}
	if err := locality(name, config.Host, target.Allow); err != nil {
		return nil, "", err
	}
	return config, name, nil
}

// Config loads the kubeconfig the way kubectl does and returns the client configuration of
// the context (the current one when context is "") and that context's name, or an error
// that says in one sentence what to fix. It does not reach the cluster.
func Config(context string) (*rest.Config, string, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	raw, err := rules.Load()
	if err != nil {
		return nil, "", fmt.Errorf("the kubeconfig cannot be read (%v); point KUBECONFIG at a valid file", err)
	}
	if len(raw.Contexts) == 0 {
		where := rules.GetDefaultFilename()
		if env := os.Getenv(clientcmd.RecommendedConfigPathEnvVar); env != "" {
			where = env
		}
		return nil, "", fmt.Errorf("there is no kubeconfig context in %s: create a local cluster (for example `kind create cluster`) or set KUBECONFIG", where)
	}
	name := context
	if name == "" {
		name = raw.CurrentContext
	}
	if name == "" {
		return nil, "", errors.New("the kubeconfig has no current context: run `kubectl config use-context <name>` or set conveyor:kubeContext")
	}
	if _, ok := raw.Contexts[name]; !ok {
		return nil, "", fmt.Errorf("the kubeconfig has no context %q: see `kubectl config get-contexts`", name)
	}
	config, err := clientcmd.NewNonInteractiveClientConfig(*raw, name, &clientcmd.ConfigOverrides{}, rules).ClientConfig()
	if err != nil {
		return nil, "", fmt.Errorf("kubeconfig context %q is not usable: %v", name, err)
	}
	config.Timeout = Timeout
	return config, name, nil
}

func serverVersion(ctx context.Context, client *discovery.DiscoveryClient) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	done := make(chan struct{})
	var version string
	var err error
	go func() {
		defer close(done)
		info, e := client.ServerVersion()
		if e != nil {
			err = e
			return
		}
		version = info.GitVersion
	}()
	select {
	case <-done:
		return version, err
	case <-ctx.Done():
		return "", fmt.Errorf("no answer within %s", Timeout)
	}
}
