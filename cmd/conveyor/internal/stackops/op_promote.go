package stackops

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/opsummary"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/release"
	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/stacks/deployed"
)

// PromoteRequest copies the images that run in one environment to another.
type PromoteRequest struct {
	From, To string
	// Module limits the promotion to one module; all modules when empty.
	Module string
	// Apply runs the update right away; otherwise a preview shows what the promotion
	// changes (and RunOptions.Plan saves it). Never allowed where RequiresPlan.
	Apply bool
}

// ImageChange is one component whose image a promotion changes.
type ImageChange struct {
	Module    string `json:"module"`
	Component string `json:"component"`
	From      string `json:"from,omitempty"` // empty: the component had no image yet
	To        string `json:"to"`
	// RanIn is the update that ran To before: for a promotion to production, the staging
	// update the release record names.
	RanIn *release.Ran `json:"ranIn,omitempty"`
}

// PromoteResult says what a promotion changed, and what its preview or update did.
type PromoteResult struct {
	From    string             `json:"from"`
	To      string             `json:"to"`
	Module  string             `json:"module,omitempty"`
	Changes []ImageChange      `json:"changes"`
	Summary *opsummary.Summary `json:"summary,omitempty"`
}

// Promote copies images from one environment to another: the images the source runs (by the
// rule of package deployed: what its last checkpoint recorded, else its stack file's, else
// the manifest's), for every module or for one. The changed ones are the request of a preview of the destination (saving a plan
// when o.Plan is set, the way into production) or, with Apply, of an update. No file is
// written: a saved plan carries the request to the job that applies it.
func (r *Runner) Promote(ctx context.Context, req PromoteRequest, o RunOptions) (*PromoteResult, error) {
	if err := CheckPromote(req); err != nil {
		return nil, err
	}
	have, ran, err := r.promoted(ctx, req)
	if err != nil {
		return nil, err
	}
	dst, err := r.stackFor(ctx, req.To, false)
	if err != nil {
		return nil, err
	}
	dstLayers, err := r.layers(ctx, &dst)
	if err != nil {
		return nil, err
	}
	dstCatalog, err := r.catalog(req.To)
	if err != nil {
		return nil, err
	}
	// What the destination runs, manifest images included. Outside production it is pinned as
	// the promotion pins what it proposes, so a tag it runs is compared by the digest it
	// stands for; production's images are digests already, and its promotion reads only the
	// release record, never a registry.
	current := running(dstLayers, dstCatalog)
	if req.To != naming.ProductionStack {
		if current, err = r.pin(ctx, req.To, current); err != nil {
			return nil, err
		}
	}
	request := deployed.Images{}
	res := &PromoteResult{From: req.From, To: req.To, Module: req.Module, Changes: []ImageChange{}}
	for _, m := range slices.Sorted(maps.Keys(have)) {
		for _, c := range slices.Sorted(maps.Keys(have[m])) {
			if img := have[m][c]; current[m][c] != img {
				change := ImageChange{Module: m, Component: c, From: current[m][c], To: img}
				if where, ok := ran[m][c]; ok {
					change.RanIn = &where
				}
				res.Changes = append(res.Changes, change)
				request = request.Overlay(deployed.Images{m: {c: img}})
			}
		}
	}
	if len(res.Changes) == 0 {
		return res, nil
	}
	// Where the images came from is in the source's history (the change records of its
	// deploys), which a promotion carries on for the lead time of what it ships.
	srcHistory, err := r.envUpdates(ctx, req.From)
	if err != nil {
		return nil, err
	}
	o.change = &Change{Operation: OperationPromote, From: req.From, Sources: sourcesOf(srcHistory, request)}
	if o.Message == "" {
		o.Message = fmt.Sprintf("promote %s from %s", describe(res.Changes), req.From)
	}
	mods, err := r.moduleStacks(ctx, req.To)
	if err != nil {
		return nil, err
	}
	if len(mods) > 0 {
		res.Summary, err = r.promoteSplit(ctx, req, mods, request, o)
		return res, err
	}
	if req.Apply {
		res.Summary, err = r.up(ctx, &dst, o, request)
	} else {
		res.Summary, err = r.preview(ctx, &dst, o, request)
	}
	return res, err
}

// envUpdates are env's updates, newest first: of a split environment, every one of its stacks'.
func (r *Runner) envUpdates(ctx context.Context, env string) ([]auto.UpdateSummary, error) {
	mods, err := r.moduleStacks(ctx, env)
	if err != nil {
		return nil, err
	}
	if len(mods) > 0 {
		return r.splitUpdates(ctx, env, mods)
	}
	return r.updates(ctx, env)
}

// promoteSplit runs a promotion into a split environment (env_split.go): each module it
// changes is an update (or preview) of that module's stack alone, with the module's part of
// request, one stack after the other; their summaries add up to one. A plan is one stack's,
// so none is saved here.
func (r *Runner) promoteSplit(ctx context.Context, req PromoteRequest, mods map[string]string, request deployed.Images, o RunOptions) (*opsummary.Summary, error) {
	if o.Plan != "" {
		return nil, refusef("%s is split into a stack per module: saving a plan of its promotion is not built (a plan is one stack's); promote with --apply, or one module at a time", req.To)
	}
	var missing []string
	for _, m := range request.Modules() {
		if _, ok := mods[m]; !ok {
			missing = append(missing, m)
		}
	}
	if len(missing) > 0 {
		return nil, refusef("%s is split, and %s has no stack of its own there yet: run `conveyor up --env %s` first", req.To, strings.Join(missing, ", "), req.To)
	}
	var total *opsummary.Summary
	for _, m := range request.Modules() {
		st, err := r.stackFor(ctx, mods[m], false)
		if err != nil {
			return total, err
		}
		var s *opsummary.Summary
		if req.Apply {
			s, err = r.up(ctx, &st, o, deployed.Images{m: request[m]})
		} else {
			s, err = r.preview(ctx, &st, o, deployed.Images{m: request[m]})
		}
		if total == nil {
			total = s
		} else {
			mergeSummary(total, s)
		}
		if err != nil {
			if total != nil {
				total.Result = opsummary.Failed
			}
			return total, fmt.Errorf("%s: %w", mods[m], err)
		}
	}
	if total != nil {
		total.Environment = req.To
	}
	return total, nil
}

// promoted are the images a promotion proposes, for every module or req.Module, and where
// each ran when that is on record. Production takes the release record's (released); another
// environment takes what the source runs, pinned to digests if it pins images.
func (r *Runner) promoted(ctx context.Context, req PromoteRequest) (deployed.Images, map[string]map[string]release.Ran, error) {
	if req.To == naming.ProductionStack {
		return r.released(ctx, req.From, req.Module)
	}
	src, err := r.stackFor(ctx, req.From, false)
	if err != nil {
		return nil, nil, err
	}
	srcLayers, err := r.layers(ctx, &src)
	if err != nil {
		return nil, nil, err
	}
	srcCatalog, err := r.catalog(req.From)
	if err != nil {
		return nil, nil, err
	}
	// Every component's image, those that run their manifest's included: the destination
	// must run them too, whatever a deploy set there before.
	have := running(srcLayers, srcCatalog)
	if req.Module != "" {
		if _, ok := have[req.Module]; !ok {
			return nil, nil, refusef("module %s runs no image in %s: it is not in the catalog there", req.Module, req.From)
		}
		have = deployed.Images{req.Module: have[req.Module]}
	}
	have, err = r.pin(ctx, req.To, have)
	return have, nil, err
}

func describe(changes []ImageChange) string {
	var parts []string
	for _, c := range changes {
		part := c.Module + "/" + c.Component + " " + c.To
		if c.RanIn != nil {
			part += ", which ran in " + c.RanIn.String()
		}
		parts = append(parts, part)
	}
	return strings.Join(parts, ", ")
}
