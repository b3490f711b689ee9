package stackops

import (
	"context"
	"fmt"
	"strings"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/opsummary"
	"github.com/conveyor-paas/conveyor/manifest"
	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/stacks/deployed"
)

// DeployRequest asks to run a new image of one component of one module.
type DeployRequest struct {
	Env       string
	Module    string
	Component string // "api" when empty: most modules have only that
	Image     string
	// Source is the commit the image was built from, as CI knows it; completed from the
	// image's labels when Options.Labels is set (config_provenance.go).
	Source Source
}

// DefaultComponent is the component a deploy names when it names none.
const DefaultComponent = "api"

// Deploy runs an update that asks for the image (the request of package deployed: the program
// puts it over the images the stack's last checkpoint recorded, under the update's lock, and
// records the result for the next update; no file is written), targeted at the module's resources only: the Module component and everything
// under it in the state. Other modules are left exactly as they are, even if the code or the
// config changed for them since the last `up`: a service team's deploy never ships the
// platform team's pending changes.
//
// The module must already be in the state (`up` creates it); a component new to the module
// is not in the state either, so it too needs an `up` first.
func (r *Runner) Deploy(ctx context.Context, req DeployRequest, o RunOptions) (*opsummary.Summary, error) {
	if req.Component == "" {
		req.Component = DefaultComponent
	}
	if err := CheckDeploy(req); err != nil {
		return nil, err
	}
	if err := manifest.CheckImage(req.Image); err != nil {
		return nil, refused(err)
	}
	request, err := r.pin(ctx, req.Env, deployed.Images{req.Module: {req.Component: req.Image}})
	if err != nil {
		return nil, err
	}
	jobs, err := r.releaseJobs(req)
	if err != nil {
		return nil, err
	}
	for _, job := range jobs {
		// The image as pinned, once: the jobs run exactly what the component runs.
		request[req.Module][job] = request[req.Module][req.Component]
	}
	// In a split environment the module is a stack of its own (env_split.go): the deploy
	// runs on it alone, under its own lock, and is not targeted, since the stack is the
	// module. Otherwise it is an update of the environment's stack targeted at the module.
	stack := naming.ModuleStack(req.Env, req.Module)
	split, err := r.moduleStackExists(ctx, stack)
	if err != nil {
		return nil, err
	}
	if !split {
		stack = req.Env
	} else if err := r.waitForBase(ctx, req.Env, o); err != nil {
		return nil, err // an `up` of the environment holds the base: wait for it (op_lockwait.go)
	}
	st, err := r.stackFor(ctx, stack, false)
	if err != nil {
		return nil, err
	}
	state, err := st.Export(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the state of %s: %w", stack, err)
	}
	targets, err := ModuleURNs(state, req.Module)
	if err != nil {
		return nil, fmt.Errorf("environment %s: %w", req.Env, err)
	}
	if len(targets) == 0 {
		return nil, fmt.Errorf("module %s has no resources in %s yet: run `conveyor up --env %s` once to create it, then deploy", req.Module, stack, req.Env)
	}
	if !split {
		o.Targets = targets
	}
	if o.known, err = knownFrom(state); err != nil {
		return nil, fmt.Errorf("environment %s: %w", req.Env, err)
	}
	src, err := r.sourceOf(ctx, req.Image, req.Source)
	if err != nil {
		return nil, err
	}
	o.change = &Change{Operation: OperationDeploy}
	if src.Known() {
		o.change.Sources = map[string]Source{req.Image: src}
	}
	if o.Message == "" {
		o.Message = fmt.Sprintf("deploy %s/%s %s", req.Module, req.Component, request[req.Module][req.Component])
		if len(jobs) > 0 {
			o.Message += fmt.Sprintf(" (and its release's jobs: %s)", strings.Join(jobs, ", "))
		}
	}
	return r.up(ctx, &st, o, request)
}

// releaseJobs are the jobs of the module that a deploy of req's component carries to its new
// image (manifest.Module.ReleaseJobs: its migrations), by the catalog env's stack file names.
// The module's components wait for its jobs, so the migrations run, and complete, before the
// new image rolls out. Without a catalog (a stand-in program's tests) there are none.
func (r *Runner) releaseJobs(req DeployRequest) ([]string, error) {
	cat, err := r.catalog(req.Env)
	if err != nil || cat == nil {
		return nil, err
	}
	mod := cat.Module(req.Module)
	if mod == nil {
		return nil, nil // refused further on, by the state, with a better word
	}
	return mod.ReleaseJobs(req.Component), nil
}
