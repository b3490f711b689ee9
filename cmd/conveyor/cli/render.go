package cli

import (
	"github.com/spf13/cobra"

	"github.com/conveyor-paas/conveyor/components/naming"
	"github.com/conveyor-paas/conveyor/evaluation/kube"
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

Exits 0 on success, 4 when the stack cannot be evaluated.`,
		Example: `  # what local would apply
  conveyor render --env local

  # compare two environments
  diff <(conveyor render --env dev) <(conveyor render --env prod)`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			root, err := offlineRoot(env)
			if err != nil {
				return err
			}
			overrides := map[string]string{}
			if catalog != "" {
				overrides[naming.Project+":catalog"] = catalog
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
