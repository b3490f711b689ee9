package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/conveyor-paas/conveyor/evaluation/kube"
	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/stacks"
)

func newRender() *cobra.Command {
	var env, catalog string
	cmd := &cobra.Command{
		Use:   "render --env <stack>",
		Short: "Print every Kubernetes object an environment would apply, as YAML",
		Long: `Render evaluates the program for a stack offline (no cloud, no backend, no provider
plugins) and prints every Kubernetes object it would create, in apply order: namespaces
first, then what pods need, then workloads. Secret values are always redacted.

Reviewers read it to see exactly what a change deploys; the API-server tests apply the same
objects to a real kube-apiserver.

A cluster stack renders nothing (it makes no Kubernetes objects), and a stack without a
file in stacks/ is rendered as an ad-hoc environment; both are said on standard error.

Exits 0 on success, 4 when the stack cannot be evaluated.`,
		Example: `  # what local would apply
  conveyor render --env local

  # compare two environments
  diff <(conveyor render --env dev) <(conveyor render --env prod)`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			stack, root, err := offlineRoot(env)
			if err != nil {
				return err
			}
			if stack.Kind() == naming.StackCluster {
				fmt.Fprintf(cmd.ErrOrStderr(), "conveyor: %s is a cluster stack: it builds a GKE cluster, its network and its Cloud SQL instance, and renders no Kubernetes objects; render an environment that runs on it (dev, staging, pr-123)\n", env)
				return nil
			}
			if _, err := os.Stat(stacks.StackConfigFile(root, env)); errors.Is(err, fs.ErrNotExist) {
				fmt.Fprintf(cmd.ErrOrStderr(), "conveyor: there is no stack file %s: %s is rendered as an ad-hoc environment, with the defaults of Pulumi.yaml\n",
					filepath.Join("stacks", "Pulumi."+env+".yaml"), env)
			}
			overrides := map[string]string{}
			if catalog != "" {
				overrides[naming.ConfigCatalog] = catalog
			}
			rec, err := stacks.Evaluate(stacks.EvaluateOptions{Root: root, Stack: env, Config: overrides})
			if err != nil {
				return withCode(ExitSetup, err)
			}
			objects, err := kube.Objects(rec)
			if err != nil {
				return withCode(ExitFailed, err)
			}
			return kube.WriteYAML(cmd.OutOrStdout(), objects)
		},
	}
	requireEnv(cmd, &env)
	cmd.Flags().StringVar(&catalog, "catalog", "", "render this catalog instead of the stack's configured one")
	return cmd
}
