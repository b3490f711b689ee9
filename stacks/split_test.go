package stacks_test

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/conveyor-paas/conveyor/evaluation"
	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/stacks"
)

// splitResource is a resource as a split compares it: in its environment's terms (a module
// stack's URNs written with the environment's name), with its inputs.
type splitResource struct {
	Parent, Provider string
	Custom           bool
	Inputs           string
}

// asEnvironment writes the URNs of a resource of stack in env's terms, as `pulumi state move`
// of a module from env into stack keeps every URN but the stack's name.
func asEnvironment(rec *evaluation.Recording, stack, env string) map[string]splitResource {
	rename := func(urn string) string {
		urn = strings.Replace(urn, "urn:pulumi:"+stack+"::", "urn:pulumi:"+env+"::", 1)
		// The root stack resource is named after the stack: a moved resource whose parent
		// it was is parented to the destination's.
		return strings.Replace(urn, "pulumi:pulumi:Stack::"+naming.Project+"-"+stack, "pulumi:pulumi:Stack::"+naming.Project+"-"+env, 1)
	}
	out := map[string]splitResource{}
	for _, r := range rec.Resources {
		// A provider reference is "<URN>::<id>": the id is the simulated provider's.
		provider, _, _ := strings.Cut(r.Provider, "::simulated-id")
		out[rename(r.URN)] = splitResource{
			Parent:   rename(r.Parent),
			Provider: rename(provider),
			Custom:   r.Custom,
			Inputs:   inputsText(r.Inputs),
		}
	}
	return out
}

// TestSplitDeclaresTheSameResources: a split environment's base and module stacks together
// declare every resource the one-stack environment declares, each in exactly one of them,
// under the same URN (but the stack's name), parent, provider and inputs, so that moving a
// module's state into its stack (`conveyor env split`, `pulumi state move`) leaves the engine
// nothing to create, replace or delete. What a stack adds of its own is a provider like its
// base's and its reference to itself; the local provider a module stack declares at its root
// is the one the split moves there.
func TestSplitDeclaresTheSameResources(t *testing.T) {
	for _, env := range []string{"local-split", "pr-split"} {
		t.Run(env, func(t *testing.T) {
			one := asEnvironment(evaluate(t, env, nil), env, env)
			base := asEnvironment(evaluate(t, env, map[string]string{naming.ConfigSplit: "true"}), env, env)
			cat := catalogOf(t)
			localProvider := "urn:pulumi:" + env + "::conveyor::pulumi:providers:kubernetes::kubernetes"
			baseProvider := "urn:pulumi:" + env + "::conveyor::" + naming.TypeCluster + "$pulumi:providers:kubernetes::kubernetes"
			owner := map[string]string{}
			for urn := range base {
				owner[urn] = env
			}
			for _, m := range cat {
				stack := naming.ModuleStack(env, m)
				mod := asEnvironment(evaluate(t, stack, nil), stack, env)
				for urn, r := range mod {
					if strings.Contains(urn, "pulumi:providers:") || strings.Contains(urn, "pulumi:pulumi:StackReference") {
						continue // the stack's own providers and references
					}
					if o, ok := owner[urn]; ok {
						t.Errorf("%s is declared by %s and by %s", urn, o, stack)
						continue
					}
					owner[urn] = stack
					if strings.HasPrefix(env, naming.LocalStack) && r.Provider == localProvider {
						r.Provider = baseProvider
					}
					if diff := cmp.Diff(one[urn], r); diff != "" {
						t.Errorf("%s of %s differs from the one-stack environment's (-one +split):\n%s", urn, stack, diff)
					}
				}
			}
			for urn, r := range base {
				if diff := cmp.Diff(one[urn], r); diff != "" {
					t.Errorf("%s of the base differs from the one-stack environment's (-one +split):\n%s", urn, diff)
				}
			}
			for _, urn := range slices.Sorted(maps.Keys(one)) {
				if _, ok := owner[urn]; !ok {
					t.Errorf("%s of the one-stack environment is declared by no stack of the split one", urn)
				}
			}
			if len(cat) < 2 {
				t.Fatalf("the demo catalog has %d modules: nothing to split", len(cat))
			}
		})
	}
}

// TestModuleStackNamesItsModule: a module stack of a module the catalog lacks fails with the
// module and the catalog named, before anything is declared.
func TestModuleStackNamesItsModule(t *testing.T) {
	_, err := stacks.Evaluate(stacks.EvaluateOptions{Root: root, Stack: "pr-7.nosuch", Shipped: shipped(t)})
	if err == nil || !strings.Contains(err.Error(), `no module "nosuch"`) {
		t.Fatalf("evaluating pr-7.nosuch: %v, want an error naming the module", err)
	}
}

// catalogOf lists the demo catalog's modules.
func catalogOf(t *testing.T) []string {
	t.Helper()
	rec := evaluate(t, "pr-list", nil)
	var out []string
	for _, r := range rec.Resources {
		if r.Type == naming.TypeModule {
			out = append(out, r.Name)
		}
	}
	return out
}

// inputsText shows inputs with their secrets' values, which a split must keep too.
func inputsText(m resource.PropertyMap) string {
	return fmt.Sprint(m.MapRepl(nil, func(v resource.PropertyValue) (any, bool) {
		if v.IsSecret() {
			return "secret:" + fmt.Sprint(v.SecretValue().Element.MapRepl(nil, nil)), true
		}
		return nil, false
	}))
}
