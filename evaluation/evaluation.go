// Package evaluation evaluates a Pulumi program without an engine, a cloud or a provider:
// under Pulumi's mocks, every resource the program registers is recorded with its inputs,
// parent, provider and dependencies. It is the middle of the offline pipeline:
//
//	program (stacks) -> evaluation (this package) -> Recording -> Kubernetes objects
//	                                                             (evaluation/kube: conveyor render, the API-server tier)
//	                                                          -> policy report (policy/offline)
//
// The whole-stack tests and the benchmarks look at the Recording too.
package evaluation

import (
	"cmp"
	"fmt"
	"runtime"
	"slices"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Resource is one registered resource, as the engine would have received it.
type Resource struct {
	URN string
	// ID is the id the simulated provider gave the resource: never its logical name.
	ID       string
	Type     string
	Name     string
	Custom   bool
	Parent   string
	Provider string
	Protect  bool
	// Dependencies are the URNs the resource depends on (explicit and through its inputs).
	Dependencies []string
	// Inputs keep secrets as secrets (resource.Secret values).
	Inputs resource.PropertyMap
	// order is the registration order.
	order int
}

// Recording is every resource a program registered.
type Recording struct {
	// Resources in registration order.
	Resources []Resource
}

// Options say which stack the program believes it runs as.
type Options struct {
	Project string
	Stack   string
	// Config holds the stack's configuration with full keys ("conveyor:catalog").
	Config map[string]string
	// SecretKeys are the Config keys that are secrets.
	SecretKeys []string
	// RootDirectory is the project's folder (where Pulumi.yaml is), for relative paths.
	RootDirectory string
	// StackOutputs answers a StackReference: the outputs of the named stack.
	StackOutputs func(stack string) resource.PropertyMap
	// Read answers a read of an existing resource (a Get function: corev1.GetSecret) with its
	// state, as the provider would find it. A read is not recorded: the program does not
	// manage what it reads. Without Read, a read fails the evaluation.
	Read func(typ, id string) (resource.PropertyMap, error)
}

// Run evaluates program under mocks and returns what it registered.
func Run(program pulumi.RunFunc, opts Options) (*Recording, error) {
	m := &monitor{stack: opts.Stack, project: opts.Project, stackOutputs: opts.StackOutputs, read: opts.Read}
	body := func(ctx *pulumi.Context) error { return onOwnStack(program, ctx) }
	err := pulumi.RunErr(body, pulumi.WithMocks(opts.Project, opts.Stack, m), func(info *pulumi.RunInfo) {
		info.Config = opts.Config
		info.ConfigSecretKeys = opts.SecretKeys
		info.RootDirectory = opts.RootDirectory
	})
	if err != nil {
		return nil, fmt.Errorf("evaluating the program for stack %s: %w", opts.Stack, programError(err))
	}
	rec := &Recording{Resources: m.resources}
	slices.SortStableFunc(rec.Resources, func(a, b Resource) int { return cmp.Compare(a.order, b.order) })
	return rec, nil
}

// onOwnStack runs program on a goroutine of its own and returns its result; a panic in the
// program is raised again in the caller. Pulumi walks the whole stack of the goroutine that
// registers a resource, frame by frame, to record where it was created: on a fresh goroutine
// that is the program's own frames only, not those of Pulumi's runner and of whatever called
// Run (a test, a command), and for thousands of resources those frames cost a good part of
// an evaluation.
func onOwnStack(program pulumi.RunFunc, ctx *pulumi.Context) error {
	type result struct {
		err      error
		panicked bool
		value    any
	}
	done := make(chan result, 1)
	go func() {
		r := result{panicked: true}
		defer func() {
			if r.panicked {
				r.value = recover()
			}
			done <- r
		}()
		r.err = program(ctx)
		r.panicked = false
	}()
	r := <-done
	switch {
	case r.panicked && r.value == nil:
		// Nothing to recover: the program called runtime.Goexit, which ends the caller too.
		runtime.Goexit()
	case r.panicked:
		panic(r.value)
	}
	return r.err
}

// Custom returns the custom resources (what providers would create), without the component
// resources and providers.
func (r *Recording) Custom() []Resource {
	var out []Resource
	for _, res := range r.Resources {
		if res.Custom && !IsProvider(res.Type) {
			out = append(out, res)
		}
	}
	return out
}

// IsProvider says whether a type token is a provider's ("pulumi:providers:kubernetes").
func IsProvider(typ string) bool {
	return len(typ) > len("pulumi:providers:") && typ[:len("pulumi:providers:")] == "pulumi:providers:"
}

// monitor records registrations and answers as a provider would.
type monitor struct {
	stack, project string
	stackOutputs   func(string) resource.PropertyMap
	read           func(typ, id string) (resource.PropertyMap, error)

	mu        sync.Mutex
	resources []Resource
}

func (m *monitor) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	// A StackReference reaches the mocks as a read too; it is answered below, from stackOutputs.
	if args.ReadRPC != nil && args.TypeToken != stackReferenceType {
		if m.read == nil {
			return "", nil, fmt.Errorf("the program reads %s %s, and nothing answers reads in this evaluation", args.TypeToken, args.ID)
		}
		state, err := m.read(args.TypeToken, args.ID)
		if err != nil {
			return "", nil, fmt.Errorf("reading %s %s: %w", args.TypeToken, args.ID, err)
		}
		return args.ID, state, nil
	}
	rpc := args.RegisterRPC
	res := Resource{
		Type:     args.TypeToken,
		Name:     args.Name,
		Custom:   args.Custom,
		Provider: args.Provider,
		Inputs:   args.Inputs,
	}
	if rpc != nil {
		res.Parent = rpc.GetParent()
		res.Protect = rpc.GetProtect()
		res.Dependencies = rpc.GetDependencies()
	}
	id, outputs := simulate(args.TypeToken, args.Name, args.Inputs)
	if args.TypeToken == stackReferenceType {
		outputs = m.stackReference(args.Inputs)
	}
	res.ID = id
	m.mu.Lock()
	res.order = len(m.resources)
	res.URN = urn(m.stack, m.project, res.Parent, args.TypeToken, args.Name)
	m.resources = append(m.resources, res)
	m.mu.Unlock()
	return id, outputs, nil
}

func (m *monitor) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	return simulateCall(args.Token, args.Args)
}

const stackReferenceType = "pulumi:pulumi:StackReference"

// stackReference answers a StackReference with the outputs the options give for its stack;
// outputs that are secrets are listed as such, as the engine does.
func (m *monitor) stackReference(inputs resource.PropertyMap) resource.PropertyMap {
	name := ""
	if v, ok := inputs["name"]; ok && v.IsString() {
		name = v.StringValue()
	}
	outputs := resource.PropertyMap{}
	if m.stackOutputs != nil {
		outputs = m.stackOutputs(name)
	}
	var secrets []resource.PropertyValue
	for k, v := range outputs {
		if v.IsSecret() {
			secrets = append(secrets, resource.NewProperty(string(k)))
		}
	}
	return resource.PropertyMap{
		"name":              resource.NewProperty(name),
		"outputs":           resource.NewObjectProperty(outputs),
		"secretOutputNames": resource.NewArrayProperty(secrets),
	}
}

// programError is the program's own error: Pulumi wraps what a program returns in a list of
// errors ("1 error occurred:\n\t* ..."), which says nothing more when it holds one.
func programError(err error) error {
	if list, ok := err.(interface{ WrappedErrors() []error }); ok && len(list.WrappedErrors()) == 1 {
		return list.WrappedErrors()[0]
	}
	return err
}
