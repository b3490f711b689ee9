package stackopstest

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/stacks/deployed"
)

func getConfig(ctx *pulumi.Context, key string) string {
	v, _ := ctx.GetConfig(key)
	return v
}

// Modules are the modules the test program declares.
var Modules = []string{"policies", "quotes"}

type component struct{ pulumi.ResourceState }

// Program is a stand-in for stacks.Program that needs no provider plugin: for each module it
// registers a conveyor:platform:Module component and, under it, a conveyor:platform:Component
// "<module>-api" whose recorded inputs are its image and replicas, so that changing either
// updates exactly one resource. It reads its config from the conveyor namespace:
//
//	conveyor:images    {module: {component: image}}, the stack file's seed; the images it
//	                   runs are resolved as stacks.Program resolves them (package deployed),
//	                   with conveyor:deploy and the images the last checkpoint recorded
//	conveyor:replicas  {module: replicas}
//	conveyor:sleepMs   how long to pause before returning, to make operations overlap
//	conveyor:upstream  a stack to read through a StackReference (a custom resource of the
//	                   built-in provider, so refresh re-reads it: drift without plugins)
//	conveyor:value     exported as the output "value"
//	conveyor:secret    exported as the secret output "secret", so the state holds a secret
func Program(ctx *pulumi.Context) error {
	seed, err := deployed.Decode(getConfig(ctx, deployed.SeedKey))
	if err != nil {
		return fmt.Errorf("%s: %w", deployed.SeedKey, err)
	}
	record, err := deployed.Record(ctx)
	if err != nil {
		return err
	}
	images := deployed.Layers{Seed: seed, Deployed: record}.Images()
	var replicas map[string]int
	if v, ok := ctx.GetConfig("conveyor:replicas"); ok {
		if err := json.Unmarshal([]byte(v), &replicas); err != nil {
			return fmt.Errorf("conveyor:replicas: %w", err)
		}
	}
	for _, m := range Modules {
		var mod component
		if err := ctx.RegisterComponentResource(naming.TypeModule, m, &mod); err != nil {
			return err
		}
		var api component
		props := pulumi.Map{"image": pulumi.String(images[m]["api"])}
		if n, ok := replicas[m]; ok {
			props["replicas"] = pulumi.Int(n)
		}
		if err := ctx.RegisterComponentResourceV2(naming.TypeComponent, m+"-api", props, &api, pulumi.Parent(&mod)); err != nil {
			return err
		}
	}
	if up, ok := ctx.GetConfig("conveyor:upstream"); ok {
		ref, err := pulumi.NewStackReference(ctx, up, nil)
		if err != nil {
			return err
		}
		ctx.Export("upstreamValue", ref.GetOutput(pulumi.String("value")))
	}
	if v, ok := ctx.GetConfig("conveyor:value"); ok {
		ctx.Export("value", pulumi.String(v))
	}
	if v, ok := ctx.GetConfig("conveyor:secret"); ok {
		ctx.Export("secret", pulumi.ToSecret(pulumi.String(v)))
	}
	if v, ok := ctx.GetConfig("conveyor:sleepMs"); ok {
		ms, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("conveyor:sleepMs: %w", err)
		}
		time.Sleep(time.Duration(ms) * time.Millisecond)
	}
	ctx.Export("environment", pulumi.String(ctx.Stack()))
	ctx.Export("modules", pulumi.Int(len(Modules)))
	return nil
}
