package stackops

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"gopkg.in/yaml.v3"

	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/stacks/deployed"
)

// An environment is split (README, "How environments map to stacks") when its base's stack
// carries the tag TagSplit: the Runner then hands the base's program naming.ConfigSplit,
// and the base declares no module; each module M is the stack E.M. The mark is a stack tag,
// like the cluster `env create` records, because it is a fact of the environment's state in
// its backend and not of a commit: every clone and CI job that runs E sees it with the tags
// it reads anyway for every operation (opConfigWith), at no extra CLI call, and it is
// written last by the split, once every module is in its stack, so that no update of the
// base ever runs without its modules while they are still in its state (it would delete
// them). A person running `pulumi up -s E` on a split environment passes
// `-c conveyor:split=true`; without it the base declares the modules again, and their
// creation fails on the objects that exist (nothing is deleted).
const TagSplit = "conveyor:split"

// SplitResult is what a split did.
type SplitResult struct {
	// Moved are the modules moved into their stacks now; Already those a previous split
	// had moved.
	Moved, Already []string
}

// Split moves every module of env from env's stack into a stack of its own (naming.ModuleStack),
// with `pulumi state move`, which rewrites state only: nothing live is touched. Each module
// stack declares the same resources under the same URNs, but the stack's name (package
// stacks, module_stack.go), so a preview of every stack afterwards changes nothing. It is
// idempotent: a module already in its stack is left there, and a split interrupted midway
// finishes when run again. Production is refused: its stacks change only through an
// approved plan.
func (r *Runner) Split(ctx context.Context, env string) (*SplitResult, error) {
	if err := ValidateEnv(env); err != nil {
		return nil, err
	}
	if _, _, ok := naming.SplitModuleStack(env); ok || naming.IsClusterStack(env) {
		return nil, refusef("%s is not an environment: only an environment's stack is split", env)
	}
	if RequiresPlan(env) {
		return nil, refusef("%s is production: its stacks change only through an approved plan, and splitting it is not built yet", env)
	}
	base, err := r.stackFor(ctx, env, false)
	if err != nil {
		return nil, err
	}
	dep, err := r.deployment(ctx, env)
	if err != nil {
		return nil, err
	}
	record, err := recordOf(dep)
	if err != nil {
		return nil, fmt.Errorf("environment %s: %w", env, err)
	}
	keys, err := r.secretsKeys(ctx, &base)
	if err != nil {
		return nil, err
	}
	tags, err := base.ListTags(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the tags of %s: %w", env, err)
	}
	res := &SplitResult{}
	for _, module := range moduleRoots(dep) {
		if err := r.splitModule(ctx, env, module, keys, tags, record[module.name]); err != nil {
			return res, err
		}
		res.Moved = append(res.Moved, module.name)
	}
	if tags[TagSplit] != "true" {
		if err := base.SetTag(ctx, TagSplit, "true"); err != nil {
			return res, fmt.Errorf("marking %s as split: %w", env, err)
		}
	}
	// What a previous split moved: listed for the summary.
	stacks, err := r.ws.ListStacks(ctx)
	if err == nil {
		for _, s := range stacks {
			if e, m, ok := naming.SplitModuleStack(s.Name); ok && e == env && !slices.Contains(res.Moved, m) {
				res.Already = append(res.Already, m)
			}
		}
	}
	slices.Sort(res.Already)
	return res, nil
}

// moduleRoot is a Module component at the root of a state.
type moduleRoot struct {
	name, urn string
}

// moduleRoots are the Module components of a state, in state order.
func moduleRoots(dep apitype.DeploymentV3) []moduleRoot {
	var out []moduleRoot
	for _, res := range dep.Resources {
		if res.Type == naming.TypeModule && !res.Delete {
			out = append(out, moduleRoot{name: urnName(string(res.URN)), urn: string(res.URN)})
		}
	}
	return out
}

// recordOf is the deployed images a state's root stack recorded.
func recordOf(dep apitype.DeploymentV3) (deployed.Images, error) {
	for _, res := range dep.Resources {
		if res.Type == resource.RootStackType && !res.Delete {
			return deployed.FromValue(revealed(res.Outputs[deployed.Output]))
		}
	}
	return deployed.Images{}, nil
}

// splitModule moves module from env's state into its stack's, which it makes if need be with
// env's secrets keys (so that the environment's secrets, its application secrets among
// them, decrypt in every stack of it alike), then completes the module stack's state with
// what `pulumi state move` leaves out: the module's deployed images, and on a local cluster
// the URN its stack gives the provider.
func (r *Runner) splitModule(ctx context.Context, env string, module moduleRoot, keys, tags map[string]string, images map[string]string) error {
	stack := naming.ModuleStack(env, module.name)
	st, err := r.moduleStackFor(ctx, stack, keys, tags)
	if err != nil {
		return err
	}
	if _, err := r.cli(ctx, env, "state", "move", "--source", env, "--dest", stack, "--yes", "--non-interactive", module.urn); err != nil {
		return fmt.Errorf("moving module %s of %s into %s: %w", module.name, env, stack, err)
	}
	state, err := st.Export(ctx)
	if err != nil {
		return fmt.Errorf("reading the state of %s: %w", stack, err)
	}
	fixed, err := completeModuleState(state, stack, module.name, images)
	if err != nil {
		return fmt.Errorf("%s: %w", stack, err)
	}
	if err := st.Import(ctx, fixed); err != nil {
		return fmt.Errorf("writing the state of %s: %w", stack, err)
	}
	r.logf("moved module %s of %s into the stack %s", module.name, env, stack)
	return nil
}

// moduleStackFor selects stack, a module stack, or makes it: its stack file holds its
// environment's secrets keys before `pulumi stack init` runs, so that the CLI uses them rather than
// minting others, and its tags keep them (and env's cluster) as every stack's do.
func (r *Runner) moduleStackFor(ctx context.Context, stack string, keys, tags map[string]string) (auto.Stack, error) {
	st, err := r.selectStack(ctx, stack)
	if err == nil || !IsNotFound(err) {
		return st, err
	}
	path := r.configFile(stack)
	if !fileExists(path) && len(keys) > 0 {
		data, err := yaml.Marshal(keys)
		if err != nil {
			return auto.Stack{}, fmt.Errorf("writing the stack file of %s: %w", stack, err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return auto.Stack{}, fmt.Errorf("writing the stack file of %s: %w", stack, err)
		}
	}
	if st, err = auto.NewStack(ctx, stack, r.wsFor(stack)); err != nil {
		return auto.Stack{}, fmt.Errorf("creating the module stack %s: %w", stack, err)
	}
	for key, tag := range secretsTags {
		if keys[key] != "" {
			if err := st.SetTag(ctx, tag, keys[key]); err != nil {
				return auto.Stack{}, fmt.Errorf("keeping the secrets key %s of %s: %w", key, stack, err)
			}
		}
	}
	if tags[TagCluster] != "" {
		if err := st.SetTag(ctx, TagCluster, tags[TagCluster]); err != nil {
			return auto.Stack{}, fmt.Errorf("recording the cluster of %s: %w", stack, err)
		}
	}
	r.logf("created the module stack %s", stack)
	return st, nil
}

// secretsKeys are the keys of st's secrets manager, from its stack file or its tags (see
// secretsTags).
func (r *Runner) secretsKeys(ctx context.Context, st *auto.Stack) (map[string]string, error) {
	doc, err := r.stackFileDoc(st.Name())
	if err != nil {
		return nil, err
	}
	tags, err := st.ListTags(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the tags of %s: %w", st.Name(), err)
	}
	keys := map[string]string{}
	for key, tag := range secretsTags {
		if v, ok := doc[key].(string); ok && v != "" {
			keys[key] = v
		} else if tags[tag] != "" {
			keys[key] = tags[tag]
		}
	}
	return keys, nil
}

// completeModuleState adds to a module stack's state, just moved from its environment's, what the module
// stack's program reads or declares that `pulumi state move` does not carry:
//   - the module's deployed images, which env's root stack recorded (deployed.Output): the
//     module stack's program reads them from its own (deployed.Record);
//   - on a local cluster, the provider's URN: env declares it under its Cluster component, and
//     the move copies it under the same URN but parented to the root, where the module stack
//     declares it (components.LocalProvider); its URN and every reference to it are made the
//     root one's, which is the provider the module stack declares, same inputs, same id.
func completeModuleState(state apitype.UntypedDeployment, stack, module string, images map[string]string) (apitype.UntypedDeployment, error) {
	var dep map[string]any
	if err := json.Unmarshal(state.Deployment, &dep); err != nil {
		return state, fmt.Errorf("reading the state (deployment version %d): %w", state.Version, err)
	}
	resources, _ := dep["resources"].([]any)
	prefix := "urn:pulumi:" + stack + "::" + naming.Project + "::"
	renames := map[string]string{}
	for _, item := range resources {
		res, _ := item.(map[string]any)
		urn, _ := res["urn"].(string)
		if typ, _ := res["type"].(string); strings.HasPrefix(typ, "pulumi:providers:") && strings.HasPrefix(urn, prefix+naming.TypeCluster+"$") {
			renamed := prefix + typ + "::" + urnName(urn)
			renames[urn] = renamed
			res["urn"] = renamed
		}
	}
	for _, item := range resources {
		res, _ := item.(map[string]any)
		if provider, _ := res["provider"].(string); provider != "" {
			for from, to := range renames {
				if rest, ok := strings.CutPrefix(provider, from+"::"); ok {
					res["provider"] = to + "::" + rest
				}
			}
		}
		if res["type"] == string(resource.RootStackType) && len(images) > 0 {
			outputs, _ := res["outputs"].(map[string]any)
			if outputs == nil {
				outputs = map[string]any{}
			}
			value := map[string]any{}
			for c, img := range images {
				value[c] = img
			}
			outputs[deployed.Output] = map[string]any{module: value}
			res["outputs"] = outputs
		}
	}
	data, err := json.Marshal(dep)
	if err != nil {
		return state, fmt.Errorf("writing the state: %w", err)
	}
	state.Deployment = data
	return state, nil
}

// moduleStackExists says whether stack, a module stack, exists: from its checkpoint file in a
// file:// backend, at no CLI call (a deploy of an environment that is not split must cost
// what it did), otherwise by selecting it.
func (r *Runner) moduleStackExists(ctx context.Context, stack string) (bool, error) {
	if file, err := r.checkpointFile(stack); err == nil {
		for _, f := range []string{file, file + ".gz"} {
			if _, err := os.Stat(f); err == nil {
				return true, nil
			} else if !errors.Is(err, fs.ErrNotExist) {
				return false, fmt.Errorf("looking for the stack %s: %w", stack, err)
			}
		}
		return false, nil
	}
	_, err := r.selectStack(ctx, stack)
	if IsNotFound(err) {
		return false, nil
	}
	return err == nil, err
}
