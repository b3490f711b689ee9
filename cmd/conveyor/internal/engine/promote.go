package engine

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/report"
	"github.com/conveyor-paas/conveyor/components/naming"
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
	From    string          `json:"from"`
	To      string          `json:"to"`
	Module  string          `json:"module,omitempty"`
	Changes []ImageChange   `json:"changes"`
	Summary *report.Summary `json:"summary,omitempty"`
}

// Promote copies conveyor:images from one environment to another: the images of the source
// as its last deployment recorded them (what runs there, not what a clone's file says), for
// every module or for one. The images are written to the destination's config, then the
// promotion is previewed (saving a plan when o.Plan is set, the way into production) or,
// with Apply, applied.
//
// Images travel with the operation that uses them, because the destination's config file is
// synchronized with its backend before every operation (see syncImages); a saved plan
// carries them to the job that applies it.
func (e *Engine) Promote(ctx context.Context, req PromoteRequest, o RunOptions) (*PromoteResult, error) {
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
	have, err := e.images(ctx, &src)
	if err != nil {
		return nil, err
	}
	dst, err := e.stackFor(ctx, req.To, false)
	if err != nil {
		return nil, err
	}
	current, err := e.images(ctx, &dst)
	if err != nil {
		return nil, err
	}
	if req.Module != "" {
		if _, ok := have[req.Module]; !ok {
			return nil, refusef("module %s has no image in %s", req.Module, req.From)
		}
		have = Images{req.Module: have[req.Module]}
	}
	next := current.Clone()
	res := &PromoteResult{From: req.From, To: req.To, Module: req.Module, Changes: []ImageChange{}}
	for _, m := range slices.Sorted(maps.Keys(have)) {
		if next[m] == nil {
			next[m] = map[string]string{}
		}
		for _, c := range slices.Sorted(maps.Keys(have[m])) {
			if img := have[m][c]; current[m][c] != img {
				res.Changes = append(res.Changes, ImageChange{Module: m, Component: c, From: current[m][c], To: img})
				next[m][c] = img
			}
		}
	}
	if len(res.Changes) == 0 {
		return res, nil
	}
	if err := e.setImages(ctx, &dst, next); err != nil {
		return nil, err
	}
	if o.Message == "" {
		o.Message = fmt.Sprintf("promote %s from %s", describe(res.Changes), req.From)
	}
	if req.Apply {
		res.Summary, err = e.up(ctx, &dst, o)
	} else {
		res.Summary, err = e.preview(ctx, &dst, o)
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
