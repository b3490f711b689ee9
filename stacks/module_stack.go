package stacks

import (
	"fmt"

	"github.com/conveyor-paas/conveyor/components"
	"github.com/conveyor-paas/conveyor/manifest"
	"github.com/conveyor-paas/conveyor/naming"
)

// An environment is one stack until `conveyor env split` splits it (README, "How environments
// map to stacks"): then its base E declares what the modules share (the spaces, the platform
// namespace, the providers) and no module, and each module M is a stack of its own, E.M
// (naming.ModuleStack), which declares that module only. The module stack declares the same
// resources under the same names, parents and providers as the one-stack environment did,
// so their URNs differ by the stack's name alone and `pulumi state move` moves a module's
// resources from E into E.M without anything live changing. What a module needs of the base
// it derives by name (its space's namespace, the platform namespace, the admin's Secret, the
// stand-ins' addresses) or reads where the base reads it (the cluster stack's outputs).

// modulesOf are the modules the stack declares: every module of the catalog in a one-stack
// environment, none in a split environment's base, its own in a module stack, whose events
// registry then answers for the other modules' topics by their names.
func modulesOf(cfg *Config, cat *manifest.Catalog, events *components.Events) ([]*manifest.Module, error) {
	switch {
	case cfg.Module != "":
		own := cat.Module(cfg.Module)
		if own == nil {
			return nil, fmt.Errorf("stack %s: the catalog at %s has no module %q (it has %v)",
				naming.ModuleStack(cfg.Stack, cfg.Module), cfg.Catalog, cfg.Module, moduleNames(cat))
		}
		for _, m := range cat.Modules {
			if m.Name == own.Name {
				continue
			}
			for _, event := range m.Publishes {
				events.PublishedElsewhere(manifest.EventRef{Module: m.Name, Event: event}, naming.Topic(cfg.Stack, m.Space, m.Name, event))
			}
		}
		return []*manifest.Module{own}, nil
	case cfg.Split:
		return nil, nil
	}
	return cat.Modules, nil
}

// moduleStacks are the module stacks of env's split environment, one per module of cat.
func moduleStacks(env string, cat *manifest.Catalog) []string {
	out := make([]string, 0, len(cat.Modules))
	for _, m := range cat.Modules {
		out = append(out, naming.ModuleStack(env, m.Name))
	}
	return out
}

func moduleNames(cat *manifest.Catalog) []string {
	out := make([]string, 0, len(cat.Modules))
	for _, m := range cat.Modules {
		out = append(out, m.Name)
	}
	return out
}
