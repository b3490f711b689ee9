package cli

import (
	"fmt"
	"maps"
	"slices"

	"github.com/spf13/cobra"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/opsummary"
	"github.com/conveyor-paas/conveyor/naming"
)

func newClusterFacts(d *deps) *cobra.Command {
	var cluster string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "cluster-facts --cluster <cluster stack>",
		Short: "Publish a cluster's facts, no credential, for the ad-hoc environments to read",
		Long: `Cluster-facts reads a long-lived cluster stack's outputs from the backend
(PULUMI_BACKEND_URL) and publishes its facts, as the stack <cluster>-facts, into the ad-hoc
tier's backend (CONVEYOR_FACTS_BACKEND_URL, with CONVEYOR_FACTS_SECRETS_PROVIDER or
CONVEYOR_FACTS_PASSPHRASE): the API server's endpoint and CA, the project and its number, the
region, the shared Cloud SQL instance and its private address, the mesh, the allowed
registries and the organisation's domain. Nothing else: no kubeconfig, no password, nothing
of staging's own instance. A pull request's environment reads its cluster there, and reaches
it as its own deployer; it cannot write the facts (the bootstrap stack's bucket IAM).

Main's pipeline runs it after every merge; run it by hand after updating a cluster stack.

Exits 0 on success, 1 when it failed, 3 for a name that is not a long-lived cluster stack, 4
when a backend, a key or the cluster stack is missing, or the cluster stack lacks a fact.`,
		Example: `  conveyor cluster-facts --cluster cluster-nonprod
  CONVEYOR_FACTS_BACKEND_URL=gs://acme-conveyor-nonprod-conveyor-state-adhoc \
    conveyor cluster-facts --cluster cluster-nonprod --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !naming.IsClusterStack(cluster) {
				return withCode(ExitUsage, fmt.Errorf("--cluster %q is not a cluster stack (cluster-<name>)", cluster))
			}
			r, err := d.runner(cmd.Context(), cmd.ErrOrStderr())
			if err != nil {
				return runnerExit(err)
			}
			published, err := r.PublishFacts(cmd.Context(), cluster, nil)
			if err != nil {
				return runnerExit(err)
			}
			if asJSON {
				return opsummary.WriteJSON(cmd.OutOrStdout(), published)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "published %d facts of %s as %s in %s:\n", len(published.Facts), published.Cluster, published.Stack, published.Backend)
			for _, k := range slices.Sorted(maps.Keys(published.Facts)) {
				fmt.Fprintf(cmd.OutOrStdout(), "  %s: %s\n", k, published.Facts[k])
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&cluster, "cluster", naming.NonprodCluster, "the long-lived cluster stack whose facts to publish")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print what was published as JSON")
	return cmd
}
