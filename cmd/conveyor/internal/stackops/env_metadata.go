package stackops

import (
	"context"
	"fmt"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
)

// An environment's metadata is kept in stack tags, in the backend beside its state, because
// it must outlive any clone of the repository: `env gc` runs nightly in a fresh clone and must
// still know when each environment expires. The Pulumi CLI v3.274.1 supports stack tags on the
// DIY (file://, gs://, s3://) backend as it does on Pulumi Cloud: `pulumi stack tag set`
// writes them to <backend>/.pulumi/stacks/<project>/<stack>.pulumi-tags, and an update keeps
// them. A tag is written without running the engine and without taking the stack lock, so
// creating an environment costs no deployment. Values are short strings (Pulumi Cloud caps
// them at 256 characters), which is all the metadata needs.
const (
	TagCreated   = "conveyor:created"    // RFC 3339, UTC
	TagExpires   = "conveyor:expires"    // RFC 3339, UTC; absent: never expires
	TagFrom      = "conveyor:from"       // the environment whose config it started from
	TagCreatedBy = "conveyor:created-by" // $USER, or the CI actor
	TagCluster   = "conveyor:cluster"    // the cluster stack it deploys onto
)

// Meta is what Conveyor records about an environment.
type Meta struct {
	Created   time.Time `json:"created,omitzero"`
	Expires   time.Time `json:"expires,omitzero"`
	From      string    `json:"from,omitempty"`
	CreatedBy string    `json:"createdBy,omitempty"`
	Cluster   string    `json:"cluster,omitempty"`
}

// Expired reports whether the environment has a TTL that passed at now.
func (m Meta) Expired(now time.Time) bool {
	return !m.Expires.IsZero() && !now.Before(m.Expires)
}

func parseMeta(tags map[string]string) (Meta, error) {
	m := Meta{From: tags[TagFrom], CreatedBy: tags[TagCreatedBy], Cluster: tags[TagCluster]}
	for tag, dst := range map[string]*time.Time{TagCreated: &m.Created, TagExpires: &m.Expires} {
		if v := tags[tag]; v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return Meta{}, fmt.Errorf("tag %s=%q is not an RFC 3339 time: %w", tag, v, err)
			}
			*dst = t
		}
	}
	return m, nil
}

func (m Meta) tags() map[string]string {
	tags := map[string]string{}
	set := func(k, v string) {
		if v != "" {
			tags[k] = v
		}
	}
	if !m.Created.IsZero() {
		set(TagCreated, m.Created.UTC().Format(time.RFC3339))
	}
	if !m.Expires.IsZero() {
		set(TagExpires, m.Expires.UTC().Format(time.RFC3339))
	}
	set(TagFrom, m.From)
	set(TagCreatedBy, m.CreatedBy)
	set(TagCluster, m.Cluster)
	return tags
}

// meta reads a stack's metadata from its tags.
func (r *Runner) meta(ctx context.Context, st *auto.Stack) (Meta, error) {
	tags, err := st.ListTags(ctx)
	if err != nil {
		return Meta{}, fmt.Errorf("reading the tags of %s: %w", st.Name(), err)
	}
	m, err := parseMeta(tags)
	if err != nil {
		return Meta{}, fmt.Errorf("environment %s: %w", st.Name(), err)
	}
	return m, nil
}

// setMeta makes the Conveyor tags of a stack say exactly m: changed tags are written, tags of
// empty fields removed, others left alone (each is one CLI invocation).
func (r *Runner) setMeta(ctx context.Context, st *auto.Stack, m Meta) error {
	have, err := st.ListTags(ctx)
	if err != nil {
		return fmt.Errorf("reading the tags of %s: %w", st.Name(), err)
	}
	want := m.tags()
	for _, k := range []string{TagCreated, TagExpires, TagFrom, TagCreatedBy, TagCluster} {
		v, ok := want[k]
		old, had := have[k]
		switch {
		case ok && (!had || old != v):
			err = st.SetTag(ctx, k, v)
		case !ok && had:
			err = st.RemoveTag(ctx, k)
		}
		if err != nil {
			return fmt.Errorf("recording %s of %s: %w", k, st.Name(), err)
		}
	}
	return nil
}
