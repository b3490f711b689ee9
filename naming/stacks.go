package naming

import (
	"fmt"
	"strings"
)

// StackKind is what a stack of the Conveyor project is, told by its name alone.
type StackKind string

// The kinds of stacks.
const (
	// StackCluster: "cluster-<name>" builds a Cluster.
	StackCluster StackKind = "cluster"
	// StackProduction: "prod", on cluster-prod, protected and enforced.
	StackProduction StackKind = "production"
	// StackLongLived: "dev" and "staging", which are never collected.
	StackLongLived StackKind = "long-lived"
	// StackLocal: "local" and "local-<name>", on the current kubeconfig's cluster.
	StackLocal StackKind = "local"
	// StackAdHoc: any other name ("pr-123"): cheap, needs no configuration, collectable.
	StackAdHoc StackKind = "ad-hoc"
	// StackFacts: "cluster-<name>-facts", the facts of a cluster stack published into the
	// ad-hoc tier's backend (ClusterFactsStack). It runs no program of its own.
	StackFacts StackKind = "facts"
)

// Well-known stack names.
const (
	ProductionStack    = "prod"
	ClusterStackPrefix = "cluster-"
	LocalStack         = "local"
	NonprodCluster     = "cluster-nonprod"
	ProdCluster        = "cluster-prod"
)

// ModuleStackSeparator joins an environment and one of its modules in the name of the module's
// stack: "dev.quotes". Neither an environment nor a module name has a dot, so the name is
// unambiguous, and Pulumi allows dots in stack names.
const ModuleStackSeparator = "."

// ModuleStack is the name of the stack that holds module of env once env is split
// (README, "How environments map to stacks"): "dev.quotes".
func ModuleStack(env, module string) string { return env + ModuleStackSeparator + module }

// SplitModuleStack tells a module stack's environment and module apart ("dev", "quotes" for
// "dev.quotes"); ok is false for any other name, valid or not.
func SplitModuleStack(stack string) (env, module string, ok bool) {
	env, module, ok = strings.Cut(stack, ModuleStackSeparator)
	if !ok || ValidatePart(PartModule, module) != nil {
		return "", "", false
	}
	if kind, err := ClassifyStack(env); err != nil || kind == StackCluster || kind == StackFacts {
		return "", "", false
	}
	return env, module, true
}

// EnvironmentOf is the environment a stack deploys: a module stack's environment, any other
// stack's own name.
func EnvironmentOf(stack string) string {
	if env, _, ok := SplitModuleStack(stack); ok {
		return env
	}
	return stack
}

// ClassifyStack tells what a stack is from its name, and rejects names that cannot be an
// environment (every name of an environment starts with it, so it must be a valid part). A
// module stack ("dev.quotes", ModuleStack) is of its environment's kind: it belongs to the
// environment's tier and level, its policy and its backend alike.
func ClassifyStack(stack string) (StackKind, error) {
	if env, module, ok := strings.Cut(stack, ModuleStackSeparator); ok {
		kind, err := ClassifyStack(env)
		if err != nil {
			return "", fmt.Errorf("stack %q is no module stack: %w", stack, err)
		}
		if kind == StackCluster || kind == StackFacts {
			return "", fmt.Errorf("stack %q is no module stack: %s is a %s stack, which has no modules", stack, env, kind)
		}
		if err := ValidatePart(PartModule, module); err != nil {
			return "", fmt.Errorf("stack %q is no module stack: %w", stack, err)
		}
		return kind, nil
	}
	if _, ok := ClusterOfFactsStack(stack); ok {
		return StackFacts, nil
	}
	if name, ok := strings.CutPrefix(stack, ClusterStackPrefix); ok {
		if err := ValidatePart(PartCluster, name); err != nil {
			return "", fmt.Errorf("stack %q: %w", stack, err)
		}
		return StackCluster, nil
	}
	if err := ValidatePart(PartEnvironment, stack); err != nil {
		return "", fmt.Errorf("stack %q cannot be an environment: %w", stack, err)
	}
	switch {
	case stack == ProductionStack:
		return StackProduction, nil
	case stack == "dev" || stack == "staging":
		return StackLongLived, nil
	case stack == LocalStack || strings.HasPrefix(stack, LocalStack+"-"):
		return StackLocal, nil
	}
	return StackAdHoc, nil
}

// IsClusterStack reports whether stack is a valid cluster stack name ("cluster-<name>").
func IsClusterStack(stack string) bool {
	_, ok := ClusterOfStack(stack)
	return ok
}

// ClusterOfStack is the cluster a cluster stack builds ("nonprod" for "cluster-nonprod"), and
// false for any stack that is not a valid cluster stack.
func ClusterOfStack(stack string) (string, bool) {
	kind, err := ClassifyStack(stack)
	if err != nil || kind != StackCluster {
		return "", false
	}
	return strings.TrimPrefix(stack, ClusterStackPrefix), true
}

// Enforced says whether the policy pack's rules block a stack of this kind by default: in
// the cluster stacks, prod and the long-lived environments. Ad-hoc and local environments
// are advisory, so a developer can try things without being blocked and still sees every
// finding.
func (k StackKind) Enforced() bool {
	return k == StackCluster || k == StackProduction || k == StackLongLived
}

// Collectable says whether a stack of this kind may be destroyed by garbage collection:
// only ad-hoc environments are; production and the long-lived ones never.
func (k StackKind) Collectable() bool { return k == StackAdHoc }

// LocalCluster is the cluster of every local stack: the kubeconfig's context. The program,
// the stack config and `env list` all call it so.
const LocalCluster = "local"

// Project is Conveyor's one Pulumi project (Pulumi.yaml's name), and the namespace of its
// config keys ("conveyor:catalog").
const Project = "conveyor"

// DefaultCluster is the cluster stack of stack's tier: cluster-prod for prod, cluster-nonprod
// for every other name. Where an environment runs unless configured is Stack.Cluster, which
// adds the local and cluster stacks' rule to this one.
func DefaultCluster(stack string) string {
	if EnvironmentOf(stack) == ProductionStack {
		return ProdCluster
	}
	return NonprodCluster
}

// OutputCluster is the stack output that names the cluster an environment's last update ran
// on: the program exports it, and `env list` reads it back.
const OutputCluster = "cluster"

// Stack is a stack name told apart once: ParseStack classifies it at the edge (a command's
// flag, the program's stack), and what is asked of it later (its kind, its cluster) is asked
// of the value rather than of the name again.
type Stack struct {
	name string
	kind StackKind
	// env and module are a module stack's parts; env is the name itself for any other.
	env, module string
}

// ParseStack classifies name (ClassifyStack), keeping the kind with the name.
func ParseStack(name string) (Stack, error) {
	kind, err := ClassifyStack(name)
	if err != nil {
		return Stack{}, err
	}
	s := Stack{name: name, kind: kind, env: name}
	if env, module, ok := SplitModuleStack(name); ok {
		s.env, s.module = env, module
	}
	return s, nil
}

// Environment is the environment the stack deploys (part of): a module stack's environment,
// any other stack's own name.
func (s Stack) Environment() string { return s.env }

// Module is the module a module stack holds, "" for any other stack.
func (s Stack) Module() string { return s.module }

// Name is the stack's name, as given.
func (s Stack) Name() string { return s.name }

// String is the stack's name.
func (s Stack) String() string { return s.name }

// Kind is what the stack is.
func (s Stack) Kind() StackKind { return s.kind }

// Cluster is the cluster an environment deploys onto unless its config says otherwise
// (conveyor:cluster): a local stack's is the kubeconfig's (LocalCluster), any other
// environment's the cluster stack of its tier (DefaultCluster); a cluster stack is a
// cluster and runs on none (""), as does the zero Stack.
func (s Stack) Cluster() string {
	switch s.kind {
	case "", StackCluster:
		return ""
	case StackLocal:
		return LocalCluster
	}
	return DefaultCluster(s.name)
}
