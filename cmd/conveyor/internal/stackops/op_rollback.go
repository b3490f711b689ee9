package stackops

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/opsummary"
	"github.com/conveyor-paas/conveyor/stacks/deployed"
)

// RollbackRequest puts back the images of an earlier update.
type RollbackRequest struct {
	Env string
	// Module limits the rollback to one module; every module when empty.
	Module string
	// To is the update (its version in `conveyor history`) whose images to put back; when 0,
	// the last successful update before the newest one that changed images (of Module).
	To int
}

// RollbackResult says what a rollback changed, and what its update or preview did.
type RollbackResult struct {
	Env     string             `json:"env"`
	Module  string             `json:"module,omitempty"`
	To      int                `json:"to"`
	Changes []ImageChange      `json:"changes"`
	Summary *opsummary.Summary `json:"summary,omitempty"`
}

// Rollback puts back, in one update targeted at the modules it changes, the images that ran
// at an earlier update: for the whole environment or for one module. It is a request like a
// deploy's (package deployed), so a rollback is itself an update in the history that can be
// rolled back. A production environment (RequiresPlan) is only previewed, saving the plan
// to o.Plan for a person to approve, like promote. Config is not rolled back: it is the
// committed stack file's, and reverting its commit puts it back.
func (r *Runner) Rollback(ctx context.Context, req RollbackRequest, o RunOptions) (*RollbackResult, error) {
	if err := CheckRollback(req, o.Plan); err != nil {
		return nil, err
	}
	// A split environment's module is a stack of its own (env_split.go), with its own
	// history, which continues the environment's from before the split: the rollback is an
	// update of that stack alone, not targeted, since the stack is the module.
	stack, updates, err := r.rollbackHistory(ctx, req)
	if err != nil {
		return nil, err
	}
	st, err := r.stackFor(ctx, stack, false)
	if err != nil {
		return nil, err
	}
	at, err := rollbackTarget(updates, req)
	if err != nil {
		return nil, err
	}
	then, err := imagesAt(stack, updates, at)
	if err != nil {
		return nil, err
	}
	// The state is read once: the images it records now, the progress estimate, the gate's
	// deployed images and the modules' resources all come from this read (op_known.go).
	state, err := st.Export(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the state of %s: %w", stack, err)
	}
	if o.known, err = knownFrom(state); err != nil {
		return nil, fmt.Errorf("environment %s: %w", req.Env, err)
	}
	now, err := r.layersOver(&st, o.known.record)
	if err != nil {
		return nil, err
	}
	res := &RollbackResult{Env: req.Env, Module: req.Module, To: number(updates, at), Changes: []ImageChange{}}
	request := deployed.Images{}
	wanted, running := then.Images(), now.Images()
	for _, m := range slices.Sorted(maps.Keys(union(wanted, running, now.Deployed))) {
		if req.Module != "" && m != req.Module {
			continue
		}
		for _, c := range slices.Sorted(maps.Keys(union(wanted[m], running[m], now.Deployed[m]))) {
			want, have := wanted[m][c], running[m][c]
			if want == have {
				continue
			}
			// An empty image takes the component out of the deployed images: it ran its
			// stack file's or manifest's image then, and runs it again.
			if request[m] == nil {
				request[m] = map[string]string{}
			}
			request[m][c] = want
			res.Changes = append(res.Changes, ImageChange{Module: m, Component: c, From: have, To: cmp.Or(want, "(the manifest's image)")})
		}
	}
	if len(res.Changes) == 0 {
		return res, nil
	}
	if err := pinnedForProduction(req.Env, request); err != nil {
		return nil, err
	}
	for _, m := range slices.Sorted(maps.Keys(request)) {
		urns, err := ModuleURNs(state, m)
		if err != nil {
			return nil, fmt.Errorf("environment %s: %w", req.Env, err)
		}
		if stack == req.Env {
			o.Targets = append(o.Targets, urns...)
		}
	}
	o.change = &Change{Operation: OperationRollback, Sources: sourcesOf(updates, request)}
	if o.Message == "" {
		o.Message = fmt.Sprintf("rollback %s to update %d: %s", cmp.Or(req.Module, "every module"), number(updates, at), describe(res.Changes))
	}
	if RequiresPlan(req.Env) {
		res.Summary, err = r.preview(ctx, &st, o, request)
	} else {
		res.Summary, err = r.up(ctx, &st, o, request)
	}
	return res, err
}

// rollbackHistory is the stack a rollback updates and its history, newest first: env's own,
// or in a split environment the module's stack's, continued from the base's before the
// split (moduleHistory). A split environment's rollback names its module: its modules'
// histories are apart, and an update of the base would roll nothing back.
func (r *Runner) rollbackHistory(ctx context.Context, req RollbackRequest) (string, []auto.UpdateSummary, error) {
	mods, err := r.moduleStacks(ctx, req.Env)
	if err != nil {
		return "", nil, err
	}
	if len(mods) == 0 {
		updates, err := r.updates(ctx, req.Env)
		return req.Env, updates, err
	}
	if req.Module == "" {
		return "", nil, refusef("%s is split into a stack per module (%s): roll back one module at a time, `conveyor rollback --env %s --module <module> [--to <update>]`, the update's number from `conveyor history --env %s`",
			req.Env, strings.Join(sortedStacks(mods), ", "), req.Env, req.Env)
	}
	stack, ok := mods[req.Module]
	if !ok {
		return "", nil, refusef("%s is split, and module %s has no stack of its own there (its modules: %s)", req.Env, req.Module, strings.Join(slices.Sorted(maps.Keys(mods)), ", "))
	}
	updates, err := r.moduleHistory(ctx, req.Env, stack)
	return stack, updates, err
}

// rollbackTarget picks the update (its index in updates, newest first) whose images a
// rollback puts back.
func rollbackTarget(updates []auto.UpdateSummary, req RollbackRequest) (int, error) {
	if req.To > 0 {
		for i, u := range updates {
			if number(updates, i) == req.To {
				if u.Kind != "update" || u.Result != "succeeded" {
					return 0, refusef("update %d of %s is a %s that %s: only a successful update's images can be put back", req.To, req.Env, u.Kind, u.Result)
				}
				return i, nil
			}
		}
		return 0, refusef("%s has no update %d: see `conveyor history --env %s`", req.Env, req.To, req.Env)
	}
	// Newest first: find the newest update that asked for images (of the module), then the
	// successful update before it. A failed update counts as the change: a deploy of an image
	// that crashes fails, yet its Deployment rolled to that image, which is what a rollback
	// is asked to undo.
	found := false
	for i, u := range updates {
		if u.Kind != "update" || (u.Result != "succeeded" && u.Result != "failed") {
			continue
		}
		if found {
			if u.Result == "succeeded" {
				return i, nil
			}
			continue
		}
		if im, err := decodeRequest(u); err == nil && touches(im, req.Module) {
			found = true
		}
	}
	return 0, refusef("%s has no earlier update to roll %s back to: see `conveyor history --env %s`", req.Env, cmp.Or(req.Module, "every module"), req.Env)
}

func union[V any](maps ...map[string]V) map[string]bool {
	out := map[string]bool{}
	for _, m := range maps {
		for k := range m {
			out[k] = true
		}
	}
	return out
}
