package cli

import (
	"github.com/spf13/cobra"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/envview"
	"github.com/conveyor-paas/conveyor/evaluation/kube"
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
			r := envview.New(envview.Options{Root: root, Log: cmd.ErrOrStderr()})
			objects, err := r.Render(cmd.Context(), stack, catalog)
			if err != nil {
				return viewExit(err)
			}
			if objects == nil {
				return nil // a cluster stack, said on standard error
			}
			return kube.WriteYAML(cmd.OutOrStdout(), objects)
		},
	}
	requireEnv(cmd, &env)
	cmd.Flags().StringVar(&catalog, "catalog", "", "render this catalog instead of the stack's configured one")
	return cmd
}
