package components

import (
	"fmt"
	"slices"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/manifest"
)

// Events connects the modules of an environment through their topics. A consumer asks for a
// producer's topic before the producer may have been built (modules can consume each other's
// events, so no construction order works for every catalog); the answer is an output that
// resolves, with the producer's topic as a dependency, once the producer publishes it. The
// engine therefore creates every topic before the subscriptions that read it.
type Events struct {
	ctx *pulumi.Context

	mu        sync.Mutex
	topics    map[manifest.EventRef]pulumi.StringOutput
	resolvers map[manifest.EventRef]func(pulumi.Output)
	published map[manifest.EventRef]bool
}

// NewEvents starts an empty registry for one environment.
func NewEvents(ctx *pulumi.Context) *Events {
	return &Events{
		ctx:       ctx,
		topics:    map[manifest.EventRef]pulumi.StringOutput{},
		resolvers: map[manifest.EventRef]func(pulumi.Output){},
		published: map[manifest.EventRef]bool{},
	}
}

// Topic is the name of the topic carrying ref, as an output that depends on the resource
// that creates the topic.
func (e *Events) Topic(ref manifest.EventRef) pulumi.StringOutput {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.entry(ref)
}

func (e *Events) entry(ref manifest.EventRef) pulumi.StringOutput {
	if out, ok := e.topics[ref]; ok {
		return out
	}
	deferred, resolve := pulumi.DeferredOutput[string](e.ctx.Context())
	out := pulumi.StringOutput{OutputState: deferred.OutputState}
	e.topics[ref] = out
	e.resolvers[ref] = resolve
	return out
}

// publish records the topic of ref; name must carry the creating resource as a dependency.
func (e *Events) publish(ref manifest.EventRef, name pulumi.StringOutput) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.entry(ref)
	e.published[ref] = true
	e.resolvers[ref](name)
}

// Close fails every topic that was asked for but never published, so that a consumer of a
// missing producer fails the update with a message instead of waiting forever. A loaded
// catalog cannot cause this; a program that builds modules by hand can.
func (e *Events) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	var missing []string
	for ref, resolve := range e.resolvers {
		if e.published[ref] {
			continue
		}
		missing = append(missing, ref.String())
		failed, _, reject := e.ctx.NewOutput()
		reject(fmt.Errorf("no module publishes %s", ref))
		resolve(failed)
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return fmt.Errorf("events consumed but never published: %v", missing)
	}
	return nil
}

// PublishedElsewhere records the topic of ref as one another stack creates: in a module's own
// stack (naming.ModuleStack), every other module's topics are made by that module's stack, so
// a consumer here reads the topic's name, which is derived from the names alone, with no
// dependency on a resource of this stack. The order between the stacks is the base's, then
// any: a subscription's creation needs its topic (see the README's "How environments map to
// stacks").
func (e *Events) PublishedElsewhere(ref manifest.EventRef, name string) {
	e.publish(ref, pulumi.String(name).ToStringOutput())
}
