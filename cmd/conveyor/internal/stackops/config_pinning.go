package stackops

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/stacks/deployed"
)

// pinsImages reports whether env records images by digest: the long-lived environments and
// production, whose images are promoted onwards. An ad-hoc or local environment runs what it
// is asked, tags included: nothing is promoted from it.
func pinsImages(env string) bool {
	kind, err := naming.ClassifyStack(env)
	return err == nil && (kind == naming.StackLongLived || kind == naming.StackProduction)
}

// pin resolves every image of request that names no digest, when env pins images and the
// Runner has a Resolver: the first time an image is deployed to a long-lived environment,
// the digest its tag names at that moment is what the environment records and promotes.
func (r *Runner) pin(ctx context.Context, env string, request deployed.Images) (deployed.Images, error) {
	if r.opts.Resolver == nil || !pinsImages(env) {
		return request, nil
	}
	out := deployed.Images{}
	for _, m := range slices.Sorted(maps.Keys(request)) {
		out[m] = map[string]string{}
		for _, c := range slices.Sorted(maps.Keys(request[m])) {
			img := request[m][c]
			if img != "" {
				pinned, err := r.opts.Resolver.Resolve(ctx, img)
				if err != nil {
					return nil, fmt.Errorf("pinning %s/%s for %s: %w", m, c, env, err)
				}
				img = pinned
			}
			out[m][c] = img
		}
	}
	return out, nil
}

// pinnedForProduction refuses, for production, any image of request that is not a digest:
// production runs only what ran before by digest (CONV-IMG-001), and a rollback to an update
// that ran a tag (or to the stack file's or manifest's image, an empty request) would not.
func pinnedForProduction(env string, request deployed.Images) error {
	if env != naming.ProductionStack {
		return nil
	}
	var tags []string
	for _, m := range slices.Sorted(maps.Keys(request)) {
		for _, c := range slices.Sorted(maps.Keys(request[m])) {
			if img := request[m][c]; !naming.Pinned(img) {
				tags = append(tags, fmt.Sprintf("%s/%s %s", m, c, cmp.Or(img, "(the stack file's or manifest's image)")))
			}
		}
	}
	if len(tags) > 0 {
		return refusef("%s runs only digests, and this would run %s: roll back to a later update, or promote from staging", env, strings.Join(tags, ", "))
	}
	return nil
}
