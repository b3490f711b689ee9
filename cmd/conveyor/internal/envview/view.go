package envview

// The chain every read verb walks: stack -> config (and what the backend overrides) -> catalog
// -> evaluation -> Kubernetes objects -> desired state. One View walks it once per command.

import (
	"context"
	"errors"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/status"
	"github.com/conveyor-paas/conveyor/evaluation"
	"github.com/conveyor-paas/conveyor/evaluation/kube"
	"github.com/conveyor-paas/conveyor/manifest"
	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/policy/offline"
	"github.com/conveyor-paas/conveyor/policy/rules"
	"github.com/conveyor-paas/conveyor/stacks"
	"github.com/conveyor-paas/conveyor/stacks/deployed"
)

// Source says which environment a view shows and where it reads it.
type Source struct {
	// Root is the project's folder: its stacks/ and the catalogs they name.
	Root  string
	Stack naming.Stack
	// Backend, when not nil, is the environment's backend: a clone without the stack's file
	// reads the config of its last deployment there, and the evaluation the images it
	// recorded. Without it the view is offline: the stack file alone, as a new stack's.
	Backend *stackops.Runner
	// Catalog, when set, replaces the catalog the stack's config names (render --catalog).
	Catalog string
}

// View is one environment as its next update would have it. It reads the catalog and
// evaluates the program at most once, when first asked.
type View struct {
	Source
	// Config is the environment's configuration as the next update would have it: the
	// stack's config file or, when this clone has none, the config of its last deployment,
	// which the update restores (stackops restoreConfig) and whose request it drops. The
	// images the last deployment recorded are no config: Evaluate hands them to the program,
	// which reads them itself.
	Config map[string]string
	// overrides are the values of Config that differ from the stack file, for stacks.Evaluate.
	overrides map[string]string

	catalog    *manifest.Catalog
	catalogErr error
	recording  *evaluation.Recording
}

// Open reads the environment's configuration. It loads nothing else: what a verb needs
// next, it asks the view for.
func Open(ctx context.Context, src Source) (*View, error) {
	env := src.Stack.Name()
	file, err := stacks.ReadStackConfig(src.Root, env)
	if err != nil {
		return nil, setup(err)
	}
	overrides := map[string]string{}
	if _, statErr := os.Stat(stacks.StackConfigFile(src.Root, env)); src.Backend != nil && errors.Is(statErr, os.ErrNotExist) {
		live, _, err := src.Backend.DeployedConfig(ctx, env)
		if err != nil {
			return nil, err
		}
		for k, v := range live {
			if strings.HasPrefix(k, naming.Project+":") && k != deployed.RequestKey && k != stackops.ByKey {
				overrides[k] = v
			}
		}
	}
	if src.Catalog != "" {
		overrides[naming.ConfigCatalog] = src.Catalog
	}
	config := maps.Clone(file)
	maps.Copy(config, overrides)
	return &View{Source: src, Config: config, overrides: overrides}, nil
}

// Env is the environment's name.
func (v *View) Env() string { return v.Stack.Name() }

// Local says whether the environment is a local one, on a cluster of this machine.
func (v *View) Local() bool { return v.Stack.Kind() == naming.StackLocal }

// CatalogDir is the folder of the catalog the environment's config names, as the program
// finds it (stacks.Config.Catalog).
func (v *View) CatalogDir() string {
	return stacks.CatalogDir(v.Root, v.Config[naming.ConfigCatalog])
}

// Catalog loads the catalog the environment's config names.
func (v *View) Catalog() (*manifest.Catalog, error) {
	if v.catalog == nil && v.catalogErr == nil {
		v.catalog, v.catalogErr = manifest.Load(v.CatalogDir())
		v.catalogErr = setup(v.catalogErr)
	}
	return v.catalog, v.catalogErr
}

// Module is a module of the environment's catalog; a name the catalog lacks is a
// NoModuleError.
func (v *View) Module(name string) (*manifest.Module, error) {
	cat, err := v.Catalog()
	if err != nil {
		return nil, err
	}
	if m := cat.Module(name); m != nil {
		return m, nil
	}
	names := make([]string, 0, len(cat.Modules))
	for _, m := range cat.Modules {
		names = append(names, m.Name)
	}
	return nil, &NoModuleError{Env: v.Env(), Module: name, Modules: names}
}

// Evaluate runs the program offline as the environment's next update runs it: with the
// view's config and, with a backend, the images its last checkpoint recorded, which the
// program resolves by its own rule (package deployed), the rule `explain` shows.
func (v *View) Evaluate(ctx context.Context) (*evaluation.Recording, error) {
	if v.recording != nil {
		return v.recording, nil
	}
	opts := stacks.EvaluateOptions{Root: v.Root, Stack: v.Env(), Config: v.overrides}
	if v.Backend != nil {
		layers, err := v.Backend.NextImages(ctx, v.Env())
		if err != nil {
			return nil, err
		}
		opts.Deployed = layers.Deployed
	}
	rec, err := stacks.Evaluate(opts)
	if err != nil {
		return nil, setup(err)
	}
	v.recording = rec
	return rec, nil
}

// Objects are the Kubernetes objects the environment's next update applies, in apply order.
func (v *View) Objects(ctx context.Context) ([]kube.Object, error) {
	rec, err := v.Evaluate(ctx)
	if err != nil {
		return nil, err
	}
	return kube.Objects(rec)
}

// Desired is what the environment should run, of module only when it is set: what status
// holds the cluster against, and a comment lists the endpoints of.
func (v *View) Desired(ctx context.Context, module string) (*status.Desired, error) {
	cat, err := v.Catalog()
	if err != nil {
		return nil, err
	}
	if module != "" {
		// A typo is one sentence, before the program is evaluated.
		if _, err := v.Module(module); err != nil {
			return nil, err
		}
	}
	objects, err := v.Objects(ctx)
	if err != nil {
		return nil, err
	}
	desired, err := status.NewDesired(v.Env(), v.Local(), cat, objects)
	if err != nil {
		return nil, err
	}
	if module != "" {
		desired.Modules = slices.DeleteFunc(desired.Modules, func(m status.DesiredModule) bool { return m.Name != module })
		desired.Platform = nil
	}
	return desired, nil
}

// Policy is the policy pack's report on what the environment's next update creates, at the
// levels cfg sets: policy/offline's check, over the view's one evaluation.
func (v *View) Policy(ctx context.Context, cfg rules.Config) (rules.Report, error) {
	rec, err := v.Evaluate(ctx)
	if err != nil {
		return rules.Report{}, err
	}
	return rules.Evaluate(v.Env(), offline.Resources(rec), cfg), nil
}
