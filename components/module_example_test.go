package components_test

import (
	"fmt"
	"maps"
	"slices"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/components"
	"github.com/conveyor-paas/conveyor/evaluation"
	"github.com/conveyor-paas/conveyor/manifest"
)

// A module is one microservice: from its manifest, NewModule makes its identity, its private
// database, its topics and its components, named after the environment. Here it runs on a
// local cluster, evaluated offline (under mocks) as the policy pack and `conveyor render` do.
func ExampleNewModule() {
	cat, err := manifest.Parse([]manifest.Source{
		{Name: "sales.conveyor.yaml", Data: []byte("space: sales\nteam: sales@example.com\n")},
		{Name: "quotes.conveyor.yaml", Data: []byte(`module: quotes
space: sales
database: true
publishes: [quote-accepted]
components:
  api:
    image: ghcr.io/acme/quotes:1.0.0
`)},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	env := components.Environment{Name: "pr-7", AdHoc: true}
	program := func(ctx *pulumi.Context) error {
		cluster, err := components.NewCluster(ctx, "local", &components.ClusterArgs{Local: &components.LocalClusterArgs{Environment: env}})
		if err != nil {
			return err
		}
		target := cluster.Target()
		space, err := components.NewSpace(ctx, "sales", &components.SpaceArgs{Environment: env, Spec: cat.Spaces[0], Catalog: cat, Target: target})
		if err != nil {
			return err
		}
		events := components.NewEvents(ctx)
		if _, err := components.NewModule(ctx, "quotes", &components.ModuleArgs{
			Environment: env, Target: target, Catalog: cat, Spec: cat.Modules[0],
			Namespace: space.Namespace, Events: events,
		}); err != nil {
			return err
		}
		return events.Close()
	}
	rec, err := evaluation.Run(program, evaluation.Options{Project: "conveyor", Stack: env.Name})
	if err != nil {
		fmt.Println(err)
		return
	}
	// What the module made, below its component resource: on a local cluster its database and
	// topics are made by setup Jobs (with Secrets for their credentials), not by GCP.
	made := map[string]int{}
	for _, r := range rec.Custom() {
		if slices.Contains(parentChain(rec, &r), "conveyor:platform:Module::quotes") {
			made[r.Type]++
		}
	}
	for _, typ := range slices.Sorted(maps.Keys(made)) {
		fmt.Println(made[typ], typ)
	}
	// Output:
	// 1 kubernetes:apps/v1:Deployment
	// 2 kubernetes:batch/v1:Job
	// 2 kubernetes:core/v1:Secret
	// 1 kubernetes:core/v1:Service
	// 1 kubernetes:core/v1:ServiceAccount
	// 1 kubernetes:policy/v1:PodDisruptionBudget
	// 1 random:index/randomPassword:RandomPassword
}
