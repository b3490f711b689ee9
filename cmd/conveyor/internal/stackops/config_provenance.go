package stackops

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"

	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/stacks/deployed"
)

// ChangeKey is the config key of an update's change record: which operation asked for its
// images, and where each image came from. Like ByKey it is written only into the config file
// the Runner composes (config_file.go), so the backend keeps it in the update's own record, and
// `conveyor history` and `conveyor dora` read it back from there: the platform's own records,
// no exporter.
const ChangeKey = naming.ConfigChange

// Operations that change images, as a change record names them.
const (
	OperationDeploy   = "deploy"
	OperationPromote  = "promote"
	OperationRollback = "rollback"
)

// Source is the commit an image was built from, and when that commit was made: what lead
// time for changes is measured from.
type Source struct {
	Commit string    `json:"commit,omitempty"`
	Time   time.Time `json:"time,omitzero"`
}

// Known reports whether the source says anything.
func (s Source) Known() bool { return s.Commit != "" || !s.Time.IsZero() }

// Change is an update's change record.
type Change struct {
	Operation string `json:"operation"`
	// From is the environment a promotion copied from.
	From string `json:"from,omitempty"`
	// Sources are the known sources of the images the update asked for, by image reference.
	Sources map[string]Source `json:"sources,omitempty"`
}

// decodeChange reads a change record from its config text; empty text is none.
func decodeChange(text string) (*Change, error) {
	if text == "" {
		return nil, nil
	}
	var c Change
	if err := json.Unmarshal([]byte(text), &c); err != nil {
		return nil, fmt.Errorf("not a change record: %w", err)
	}
	return &c, nil
}

// LabelReader reads the labels of an image's config (org.opencontainers.image.revision and
// .created): the seam where a registry client plugs in. Conveyor has none of its own; a nil
// reader leaves the source to what CI passes.
type LabelReader interface {
	Labels(ctx context.Context, image string) (map[string]string, error)
}

// The OCI annotation keys (image-spec annotations.md) a build records its source with.
const (
	LabelRevision = "org.opencontainers.image.revision"
	LabelCreated  = "org.opencontainers.image.created"
)

// sourceOf is image's source: what the request says (CI's flags), completed from the image's
// labels where a reader is set. The labels' created time is the image's build time, a later
// bound of the commit's: used only when CI passed no time.
func (r *Runner) sourceOf(ctx context.Context, image string, given Source) (Source, error) {
	if r.opts.Labels == nil || (given.Commit != "" && !given.Time.IsZero()) {
		return given, nil
	}
	labels, err := r.opts.Labels.Labels(ctx, image)
	if err != nil {
		return Source{}, fmt.Errorf("reading the labels of %s: %w", image, err)
	}
	if given.Commit == "" {
		given.Commit = labels[LabelRevision]
	}
	if given.Time.IsZero() {
		if t, err := time.Parse(time.RFC3339, labels[LabelCreated]); err == nil {
			given.Time = t
		}
	}
	return given, nil
}

// sourcesOf finds, in an environment's updates (newest first), the recorded source of each
// image that images names: a promotion carries its images' sources from the environment
// they come from, and a rollback those of the images it puts back. An image whose source was
// never recorded has none; a record that does not decode is skipped (history reports it).
func sourcesOf(updates []auto.UpdateSummary, images deployed.Images) map[string]Source {
	wanted := map[string]bool{}
	for _, comps := range images {
		for _, img := range comps {
			if img != "" {
				wanted[img] = true
			}
		}
	}
	out := map[string]Source{}
	for _, u := range updates {
		c, err := decodeChange(u.Config[ChangeKey].Value)
		if err != nil || c == nil {
			continue
		}
		for img, src := range c.Sources {
			if _, seen := out[img]; wanted[img] && !seen {
				out[img] = src
			}
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// SourceOf is the recorded source of image, if c recorded one; a nil record has none.
func (c *Change) SourceOf(image string) (Source, bool) {
	if c == nil {
		return Source{}, false
	}
	s, ok := c.Sources[image]
	return s, ok
}
