// Package release keeps the release record: for each component, the pinned image that staging
// ran, and the staging update that ran it first. Production is promoted from this record, not
// from staging's state: the record lives where only main's pipeline (the long-lived tier's
// identity) may write, and the ad-hoc tier, which shares nothing with it, cannot forge what
// production will run.
package release

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Source is the environment whose updates write the record, and the only one production is
// promoted from: it ran what production is about to run.
const Source = "staging"

// Entry is one component's image in the record.
type Entry struct {
	// Image is what ran: pinned to a digest (repo:tag@sha256:…), or a tag, which production
	// refuses since it says nothing about the bytes that ran.
	Image string `json:"image"`
	// Ran is the update that first ran the image.
	Ran Ran `json:"ran"`
}

// Ran names an update of an environment: its version in `conveyor history`, and when it
// started.
type Ran struct {
	Env    string    `json:"env"`
	Update int       `json:"update"`
	Time   time.Time `json:"time"`
}

// Record is what an environment ran at its last update, by module and component.
type Record struct {
	Env string `json:"env"`
	// Update is the update that wrote the record.
	Update int                         `json:"update"`
	Images map[string]map[string]Entry `json:"images"`
}

// String says where and when, for a plan's reader.
func (r Ran) String() string {
	return fmt.Sprintf("%s update %d (%s)", r.Env, r.Update, r.Time.UTC().Format(time.RFC3339))
}

// Next is the record after the update u ran images in r's environment: an image that ran
// before keeps the update that first ran it; a new one is entered with u.
func (r Record) Next(u Ran, images map[string]map[string]string) Record {
	next := Record{Env: u.Env, Update: u.Update, Images: map[string]map[string]Entry{}}
	for m, comps := range images {
		for c, img := range comps {
			e, ok := r.Images[m][c]
			if !ok || e.Image != img {
				e = Entry{Image: img, Ran: u}
			}
			if next.Images[m] == nil {
				next.Images[m] = map[string]Entry{}
			}
			next.Images[m][c] = e
		}
	}
	return next
}

// Store reads and writes the records of environments.
type Store interface {
	// Read returns env's record; ErrNoRecord when none was written.
	Read(ctx context.Context, env string) (Record, error)
	Write(ctx context.Context, rec Record) error
	// Location says where the records are, for messages.
	Location() string
}

// ErrNoRecord says that no update of the environment wrote a record yet.
var ErrNoRecord = errors.New("no release record")

// Open opens the store at location: gs://<bucket>[/<prefix>] (Bucket), a file:// URL or a
// directory (Dir).
func Open(ctx context.Context, location string) (Store, error) {
	switch {
	case strings.HasPrefix(location, "gs://"):
		return OpenBucket(ctx, location)
	case strings.HasPrefix(location, "file://"):
		return Dir(strings.TrimPrefix(location, "file://")), nil
	case strings.Contains(location, "://"):
		return nil, fmt.Errorf("release record %s: not a gs:// or file:// location, nor a directory", location)
	case location == "":
		return nil, errors.New("no release record location")
	}
	return Dir(location), nil
}

// Dir keeps each environment's record as <env>.json in a directory.
type Dir string

func (d Dir) file(env string) string { return filepath.Join(string(d), env+".json") }

// Location is the directory.
func (d Dir) Location() string { return string(d) }

// Read reads env's record.
func (d Dir) Read(_ context.Context, env string) (Record, error) {
	data, err := os.ReadFile(d.file(env))
	if errors.Is(err, os.ErrNotExist) {
		return Record{}, fmt.Errorf("%s in %s: %w", env, d, ErrNoRecord)
	}
	if err != nil {
		return Record{}, fmt.Errorf("reading the release record of %s: %w", env, err)
	}
	return decode(data, d.file(env))
}

// Write replaces env's record whole: a reader sees the old record or the new one, never half.
func (d Dir) Write(_ context.Context, rec Record) error {
	data, err := encode(rec)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(string(d), 0o700); err != nil {
		return fmt.Errorf("the release record's directory: %w", err)
	}
	tmp, err := os.CreateTemp(string(d), rec.Env+".*.tmp")
	if err != nil {
		return fmt.Errorf("writing the release record of %s: %w", rec.Env, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("writing the release record of %s: %w", rec.Env, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing the release record of %s: %w", rec.Env, err)
	}
	if err := os.Rename(tmp.Name(), d.file(rec.Env)); err != nil {
		return fmt.Errorf("writing the release record of %s: %w", rec.Env, err)
	}
	return nil
}
