package envview

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/logs"
	"github.com/conveyor-paas/conveyor/naming"
)

// LogsRequest asks for the logs of a module's pods.
type LogsRequest struct {
	Env    naming.Stack
	Module string
	// Component, when set, is the only component whose pods are read.
	Component string
	// Since, when not zero, drops the lines older than it.
	Since time.Duration
	// Follow keeps reading, and picks up the pods of a rollout as they start, until ctx ends.
	Follow bool
}

// Logs hands sink the lines of the module's pods, merged in time order. A local
// environment's cluster needs no backend; any other's kubeconfig is in it. A module or
// component the catalog lacks is said before the cluster is reached; a module without pods
// is a NoPodsError; an interrupted follow ends without one.
func (r *Reader) Logs(ctx context.Context, req LogsRequest, sink func(logs.Line)) error {
	src := Source{Root: r.opts.Root, Stack: req.Env}
	if req.Env.Kind() != naming.StackLocal {
		b, err := r.backend(ctx, r.opts.Log)
		if err != nil {
			return err
		}
		src.Backend = b
	}
	v, err := Open(ctx, src)
	if err != nil {
		return err
	}
	m, err := v.Module(req.Module)
	if err != nil {
		return err
	}
	selector := map[string]string{naming.LabelModule: req.Module}
	what := req.Module
	if req.Component != "" {
		if m.Components[req.Component] == nil {
			return &NoComponentError{Module: req.Module, Component: req.Component, Components: m.ComponentNames()}
		}
		selector = naming.SelectorLabels(req.Module, req.Component)
		what += "/" + req.Component
	}
	cl, err := v.Reach(ctx)
	if err != nil {
		return err
	}
	// Following lasts as long as it is asked to: no request timeout.
	cl.Config.Timeout = 0
	client, err := cl.Client()
	if err != nil {
		return err
	}
	namespace := naming.Namespace(req.Env.Name(), m.Space)
	err = logs.Read(ctx, client, logs.Options{
		Namespace: namespace, Selector: selector, Since: req.Since, Follow: req.Follow,
		Notice: func(msg string) { fmt.Fprintln(r.opts.Log, "conveyor:", msg) },
	}, sink)
	switch {
	case errors.Is(err, logs.ErrNoPods):
		return &NoPodsError{What: what, Namespace: namespace, Cluster: cl.Describe}
	case err != nil && !errors.Is(err, context.Canceled):
		return setup(err)
	}
	return nil
}
