package stackops_test

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/stacks"
	"github.com/conveyor-paas/conveyor/stacks/deployed"
)

// splitModules are the modules splitProgram declares.
var splitModules = []string{"claims", "policies", "quotes"}

// splitProgram is a test double of stacks.Program that, like it, builds a split
// environment's base or one module from the stack's name (stacks/module_stack.go): a
// one-stack environment declares every module, a split base (naming.ConfigSplit) none and
// lists its module stacks (stacks.OutputModuleStacks), a module stack E.M only M. Each module
// is a conveyor:platform:Module component with a component "<module>-api" under it whose
// input is its image, resolved as stacks.Program resolves it (package deployed), so that
// `pulumi state move` of the Module component moves exactly one module, as `env split` does.
// It needs no provider plugin. Its config, from the environment's stack file:
//
//	conveyor:sleepMs   how long each module stack's update runs, to make them overlap
//	conveyor:fail      a module whose stack's update fails
//	conveyor:upstream  a stack whose output "value" module quotes reads through a
//	                   StackReference (refresh re-reads it: drift without plugins)
//
// It counts the module stacks' updates that run at once (most), and tells started of each
// module stack's update as it starts, when set.
type splitProgram struct {
	mu            sync.Mutex
	running, most int
	started       func(stack string)
}

func (p *splitProgram) run(ctx *pulumi.Context) error {
	env, own, isModule := naming.SplitModuleStack(ctx.Stack())
	modules := splitModules
	split, _ := ctx.GetConfig(naming.ConfigSplit)
	switch {
	case isModule:
		modules = []string{own}
	case split == "true":
		modules = nil
		var list []string
		for _, m := range splitModules {
			list = append(list, naming.ModuleStack(ctx.Stack(), m))
		}
		ctx.Export(stacks.OutputModuleStacks, pulumi.ToStringArray(list))
	}
	seed, err := deployed.Decode(getConfigOf(ctx, deployed.SeedKey))
	if err != nil {
		return err
	}
	record, err := deployed.Record(ctx)
	if err != nil {
		return err
	}
	images := deployed.Layers{Seed: seed, Deployed: record}.Images()
	for _, m := range modules {
		var mod splitComponent
		if err := ctx.RegisterComponentResource(naming.TypeModule, m, &mod); err != nil {
			return err
		}
		var api splitComponent
		props := pulumi.Map{"image": pulumi.String(images[m]["api"])}
		if err := ctx.RegisterComponentResourceV2(naming.TypeComponent, m+"-api", props, &api, pulumi.Parent(&mod)); err != nil {
			return err
		}
		if up := getConfigOf(ctx, "conveyor:upstream"); up != "" && m == "quotes" {
			ref, err := pulumi.NewStackReference(ctx, "quotes-upstream", &pulumi.StackReferenceArgs{Name: pulumi.String(up)}, pulumi.Parent(&mod))
			if err != nil {
				return err
			}
			ctx.Export("upstreamValue", ref.GetOutput(pulumi.String("value")))
		}
	}
	if v := getConfigOf(ctx, "conveyor:value"); v != "" {
		ctx.Export("value", pulumi.String(v))
	}
	if isModule && !ctx.DryRun() {
		if p.started != nil {
			p.started(ctx.Stack())
		}
		p.enter()
		defer p.exit()
		if ms, err := strconv.Atoi(getConfigOf(ctx, "conveyor:sleepMs")); err == nil {
			time.Sleep(time.Duration(ms) * time.Millisecond)
		}
		if getConfigOf(ctx, "conveyor:fail") == own {
			return fmt.Errorf("module %s of %s fails, as the test asks", own, env)
		}
	}
	return nil
}

func (p *splitProgram) enter() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.running++
	p.most = max(p.most, p.running)
}

func (p *splitProgram) exit() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.running--
}

// mostAtOnce is how many module stacks' updates ran at once, at most.
func (p *splitProgram) mostAtOnce() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.most
}

type splitComponent struct{ pulumi.ResourceState }

func getConfigOf(ctx *pulumi.Context, key string) string {
	v, _ := ctx.GetConfig(key)
	return v
}

// mustSplit splits env and checks that it moved every module.
func mustSplit(t *testing.T, e *stackops.Runner, env string) {
	t.Helper()
	res, err := e.Split(context.Background(), env)
	if err != nil {
		t.Fatalf("split %s: %v", env, err)
	}
	if len(res.Moved)+len(res.Already) != len(splitModules) {
		t.Fatalf("split %s moved %v (already %v), want %v", env, res.Moved, res.Already, splitModules)
	}
}

func mustDeploy(t *testing.T, e *stackops.Runner, env, module, image string) {
	t.Helper()
	if _, err := e.Deploy(context.Background(), stackops.DeployRequest{Env: env, Module: module, Image: image}, stackops.RunOptions{}); err != nil {
		t.Fatalf("deploy %s to %s: %v", image, env, err)
	}
}

// moduleImage is the image module's api runs in its stack of env (split), from the state.
func moduleImage(t *testing.T, e *stackops.Runner, env, module string) any {
	t.Helper()
	return inputs(t, e, naming.ModuleStack(env, module))[module+"-api"]["image"]
}
