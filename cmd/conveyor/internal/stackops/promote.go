package stackops

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/opthistory"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/opsummary"
	"github.com/conveyor-paas/conveyor/components/naming"
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
}

// PromoteResult says what a promotion changed, and what its preview or update did.
type PromoteResult struct {
	From    string             `json:"from"`
	To      string             `json:"to"`
	Module  string             `json:"module,omitempty"`
	Changes []ImageChange      `json:"changes"`
	Summary *opsummary.Summary `json:"summary,omitempty"`
}

// Promote copies images from one environment to another: the images the source runs (its
// stack file's and those its last checkpoint recorded, package deployed), for every module or
// for one. The changed ones are the request of a preview of the destination (saving a plan
// when o.Plan is set, the way into production) or, with Apply, of an update. No file is
// written: a saved plan carries the request to the job that applies it.
func (e *Runner) Promote(ctx context.Context, req PromoteRequest, o RunOptions) (*PromoteResult, error) {
	if req.From == req.To {
		return nil, refusef("promoting %s to itself changes nothing", req.From)
	}
	if req.Module != "" {
		if err := naming.ValidatePart(naming.PartModule, req.Module); err != nil {
			return nil, refused(err)
		}
	}
	if req.Apply && RequiresPlan(req.To) {
		return nil, &PlanRequiredError{Env: req.To}
	}
	src, err := e.stackFor(ctx, req.From, false)
	if err != nil {
		return nil, err
	}
	srcLayers, err := e.layers(ctx, &src, nil)
	if err != nil {
		return nil, err
	}
	have := srcLayers.Images()
	dst, err := e.stackFor(ctx, req.To, false)
	if err != nil {
		return nil, err
	}
	dstLayers, err := e.layers(ctx, &dst, nil)
	if err != nil {
		return nil, err
	}
	current := dstLayers.Images()
	if req.Module != "" {
		if _, ok := have[req.Module]; !ok {
			return nil, refusef("module %s has no image in %s", req.Module, req.From)
		}
		have = deployed.Images{req.Module: have[req.Module]}
	}
	request := deployed.Images{}
	res := &PromoteResult{From: req.From, To: req.To, Module: req.Module, Changes: []ImageChange{}}
	for _, m := range slices.Sorted(maps.Keys(have)) {
		for _, c := range slices.Sorted(maps.Keys(have[m])) {
			if img := have[m][c]; current[m][c] != img {
				res.Changes = append(res.Changes, ImageChange{Module: m, Component: c, From: current[m][c], To: img})
				request = request.Overlay(deployed.Images{m: {c: img}})
			}
		}
	}
	if len(res.Changes) == 0 {
		return res, nil
	}
	srcHistory, err := src.History(ctx, 0, 0, opthistory.ShowSecrets(false))
	if err != nil {
		return nil, fmt.Errorf("reading the history of %s: %w", req.From, err)
	}
	o.change = &Change{Operation: OperationPromote, From: req.From, Sources: sourcesOf(srcHistory, request)}
	if o.Message == "" {
		o.Message = fmt.Sprintf("promote %s from %s", describe(res.Changes), req.From)
	}
	if req.Apply {
		res.Summary, err = e.up(ctx, &dst, o, request)
	} else {
		res.Summary, err = e.preview(ctx, &dst, o, request)
	}
	return res, err
}

func describe(changes []ImageChange) string {
	var parts []string
	for _, c := range changes {
		parts = append(parts, c.Module+"/"+c.Component+" "+c.To)
	}
	return strings.Join(parts, ", ")
}
