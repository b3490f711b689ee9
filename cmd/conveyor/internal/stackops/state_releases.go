package stackops

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/release"
	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/stacks/deployed"
)

// ReleaseRecordVar names the location of the release record: a directory or file:// URL
// that only the long-lived tier's identity (main's pipeline) may write and production's may
// read.
const ReleaseRecordVar = "CONVEYOR_RELEASE_RECORD"

// releaseDirName is where the record lives, by default, beside a file backend's state: a
// laptop then needs no setting to promote to its own prod.
const releaseDirName = "conveyor-releases"

// releasesFromEnv opens the release record named by ReleaseRecordVar, or the default one
// beside a file backend; nil when neither is there (a cloud backend without the setting:
// promotions to production then say what to set).
func releasesFromEnv(ctx context.Context, getenv func(string) string, s Settings) (release.Store, error) {
	if loc := strings.TrimSpace(getenv(ReleaseRecordVar)); loc != "" {
		store, err := release.Open(ctx, loc)
		if err != nil {
			return nil, setupErrorf("%s: %v", ReleaseRecordVar, err)
		}
		return store, nil
	}
	if dir, ok := strings.CutPrefix(s.BackendURL, "file://"); ok {
		return release.Dir(filepath.Join(filepath.FromSlash(dir), releaseDirName)), nil
	}
	return nil, nil
}

// recordRelease writes the release record after a successful update of the release source
// (staging): what it runs now, each image with the update that first ran it. Of a split
// source, an update of one of its module stacks writes it too, with the environment's images
// (withModuleRecords) and that stack's update; the updates of one `up` write it one at a time.
func (r *Runner) recordRelease(ctx context.Context, st *auto.Stack) error {
	env := naming.EnvironmentOf(st.Name())
	if env != release.Source {
		return nil
	}
	if r.opts.Releases == nil {
		r.logf("%s ran no release record: set %s to where production is promoted from", st.Name(), ReleaseRecordVar)
		return nil
	}
	r.releaseMu.Lock()
	defer r.releaseMu.Unlock()
	base := *st
	if env != st.Name() {
		var err error
		if base, err = r.selectStack(ctx, env); err != nil {
			return err
		}
	}
	layers, err := r.layers(ctx, &base)
	if err != nil {
		return err
	}
	history, err := r.History(ctx, env)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(history, func(h HistoryEntry) bool { return h.Stack == st.Name() })
	if i < 0 {
		return fmt.Errorf("the release record of %s: no update of %s in its history", env, st.Name())
	}
	last, err := r.opts.Releases.Read(ctx, env)
	if err != nil && !errors.Is(err, release.ErrNoRecord) {
		return err
	}
	ran := release.Ran{Env: st.Name(), Update: history[i].Version, Time: history[i].Start}
	next := last.Next(ran, layers.Images())
	next.Env = env // the record's, whichever of its stacks ran
	if err := r.opts.Releases.Write(ctx, next); err != nil {
		return fmt.Errorf("%s was updated, but its release record was not written (update %s again): %w", st.Name(), st.Name(), err)
	}
	return nil
}

// released are the images production may be promoted to: those of the release record, each
// pinned, for module or every module; and where each ran.
func (r *Runner) released(ctx context.Context, from, module string) (deployed.Images, map[string]map[string]release.Ran, error) {
	if from != release.Source {
		return nil, nil, refusef("%s is promoted only from %s, which ran what it will run; not from %s", naming.ProductionStack, release.Source, from)
	}
	if r.opts.Releases == nil {
		return nil, nil, setupErrorf("no release record to promote %s from: set %s (see the README's promotion section)", naming.ProductionStack, ReleaseRecordVar)
	}
	rec, err := r.opts.Releases.Read(ctx, from)
	if errors.Is(err, release.ErrNoRecord) {
		return nil, nil, refusef("%s: %s's next update writes it", err, from)
	}
	if err != nil {
		return nil, nil, err
	}
	images, ran := deployed.Images{}, map[string]map[string]release.Ran{}
	var tags []string
	for _, m := range slices.Sorted(maps.Keys(rec.Images)) {
		if module != "" && m != module {
			continue
		}
		images[m], ran[m] = map[string]string{}, map[string]release.Ran{}
		for _, c := range slices.Sorted(maps.Keys(rec.Images[m])) {
			entry := rec.Images[m][c]
			if !naming.Pinned(entry.Image) {
				tags = append(tags, fmt.Sprintf("%s is a tag (%s/%s)", entry.Image, m, c))
			}
			images[m][c], ran[m][c] = entry.Image, entry.Ran
		}
	}
	if len(tags) > 0 {
		return nil, nil, refusef("%s runs only digests %s ran; in the release record of %s, %s: deploy it to %s again with `conveyor deploy`, which pins it to its digest",
			naming.ProductionStack, from, from, strings.Join(tags, "; "), from)
	}
	if module != "" && len(images[module]) == 0 {
		return nil, nil, refusef("module %s has no image in the release record of %s (%s)", module, from, r.opts.Releases.Location())
	}
	return images, ran, nil
}
