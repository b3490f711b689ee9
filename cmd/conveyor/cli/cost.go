package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/opsummary"
	"github.com/conveyor-paas/conveyor/evaluation/cost"
	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/stacks"
)

// costDocument is what `cost --json` prints.
type costDocument struct {
	Estimate cost.Estimate `json:"estimate"`
	Delta    *cost.Delta   `json:"delta,omitempty"`
}

func newCost() *cobra.Command {
	var env, against, pricesFile, catalog string
	var out outputFlags
	cmd := &cobra.Command{
		Use:   "cost --env <stack>",
		Short: "Estimate what an environment costs a month, before it is deployed",
		Long: `Cost estimates an environment's monthly cost from the program evaluated offline (no
engine, no cloud, no backend), per space and module:

  pods      each Deployment's requests (CPU and memory, the mesh sidecar's included) times
            its replicas, from the autoscaler's minimum to its maximum, priced as that share
            of the environment's cluster node pool (its machine family's rates)
  Pub/Sub   each topic at an assumed monthly volume (the price table's assumption)

A cluster stack (cluster-nonprod, cluster-prod) is priced whole: the GKE fee, each node pool
from its minimum to its maximum nodes, and the Cloud SQL instance (tier and disk) its
environments' databases share. Jobs and cron jobs run to completion and are not counted.
Every estimate states its assumptions and the price table it used.

Prices come from the table committed in evaluation/cost/prices.yaml: dated, per region, with
its source named. --prices replaces it with a file of the same format (negotiated prices,
another currency). --against prices another environment too and shows the difference: a
pull request's environment against dev is what the change costs.

Exits 0 on success, 3 for a bad name or flag, 4 when a stack cannot be evaluated or priced
(an invalid catalog, a region or machine the price table lacks).`,
		Example: `  conveyor cost --env dev
  conveyor cost --env pr-123 --against dev --markdown >> "$GITHUB_STEP_SUMMARY"
  conveyor cost --env cluster-prod --prices ./negotiated-prices.yaml --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, root, err := offlineRoot(env)
			if err != nil {
				return err
			}
			if against != "" {
				if _, err := parseStack("--against", against); err != nil {
					return err
				}
			}
			prices := cost.Committed()
			if pricesFile != "" {
				if prices, err = cost.LoadPrices(pricesFile); err != nil {
					return withCode(ExitSetup, err)
				}
			}
			doc, err := costOf(root, env, against, catalog, prices)
			if err != nil {
				return withCode(ExitSetup, err)
			}
			w := cmd.OutOrStdout()
			switch {
			case out.json:
				return opsummary.WriteJSON(w, doc)
			case out.markdown:
				return cost.WriteMarkdown(w, doc.Estimate, doc.Delta)
			}
			return cost.WriteText(w, doc.Estimate, doc.Delta)
		},
	}
	requireEnv(cmd, &env)
	cmd.Flags().StringVar(&against, "against", "", "also estimate this environment and show the difference (dev, for a pull request's environment)")
	cmd.Flags().StringVar(&pricesFile, "prices", "", "a price table to use instead of the committed one (the format of evaluation/cost/prices.yaml)")
	cmd.Flags().StringVar(&catalog, "catalog", "", "estimate this catalog instead of the stack's configured one (not --against's)")
	out.register(cmd, true)
	return cmd
}

// costOf estimates env, and against when set, with the delta between them.
func costOf(root, env, against, catalog string, prices cost.Prices) (costDocument, error) {
	overrides := map[string]string{}
	if catalog != "" {
		overrides[naming.ConfigCatalog] = catalog
	}
	est, err := stacks.EstimateCost(stacks.EvaluateOptions{Root: root, Stack: env, Config: overrides}, prices)
	if err != nil {
		return costDocument{}, err
	}
	doc := costDocument{Estimate: est}
	if against != "" {
		base, err := stacks.EstimateCost(stacks.EvaluateOptions{Root: root, Stack: against}, prices)
		if err != nil {
			return costDocument{}, fmt.Errorf("--against %s: %w", against, err)
		}
		d := cost.Compare(est, base)
		doc.Delta = &d
	}
	return doc, nil
}
