package release

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"
	storage "google.golang.org/api/storage/v1"
)

// Bucket keeps each environment's record as <prefix><env>.json in a Cloud Storage bucket,
// with the caller's application default credentials: main's pipeline writes, production's
// identity reads, and the bucket's IAM grants nothing else (see the README).
type Bucket struct {
	svc            *storage.Service
	bucket, prefix string
}

// OpenBucket opens gs://<bucket>/<prefix>; opts reach another endpoint in tests.
func OpenBucket(ctx context.Context, location string, opts ...option.ClientOption) (*Bucket, error) {
	rest, ok := strings.CutPrefix(location, "gs://")
	bucket, prefix, _ := strings.Cut(rest, "/")
	if !ok || bucket == "" {
		return nil, fmt.Errorf("release record %s: not gs://<bucket>[/<prefix>]", location)
	}
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	svc, err := storage.NewService(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("release record %s: %w", location, err)
	}
	return &Bucket{svc: svc, bucket: bucket, prefix: prefix}, nil
}

func (b *Bucket) object(env string) string { return b.prefix + env + ".json" }

// Location is the bucket's URL.
func (b *Bucket) Location() string { return "gs://" + b.bucket + "/" + b.prefix }

// Read reads env's record.
func (b *Bucket) Read(ctx context.Context, env string) (Record, error) {
	resp, err := b.svc.Objects.Get(b.bucket, b.object(env)).Context(ctx).Download()
	var gerr *googleapi.Error
	if errors.As(err, &gerr) && gerr.Code == http.StatusNotFound {
		return Record{}, fmt.Errorf("%s in %s: %w", env, b.Location(), ErrNoRecord)
	}
	if err != nil {
		return Record{}, fmt.Errorf("reading the release record of %s from %s: %w", env, b.Location(), err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return Record{}, fmt.Errorf("reading the release record of %s from %s: %w", env, b.Location(), err)
	}
	return decode(data, b.Location()+env+".json")
}

// Write replaces env's record; Cloud Storage replaces an object whole.
func (b *Bucket) Write(ctx context.Context, rec Record) error {
	data, err := encode(rec)
	if err != nil {
		return err
	}
	obj := &storage.Object{Name: b.object(rec.Env), ContentType: "application/json"}
	if _, err := b.svc.Objects.Insert(b.bucket, obj).Media(bytes.NewReader(data)).Context(ctx).Do(); err != nil {
		return fmt.Errorf("writing the release record of %s to %s: %w", rec.Env, b.Location(), err)
	}
	return nil
}

func encode(rec Record) ([]byte, error) {
	data, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encoding the release record of %s: %w", rec.Env, err)
	}
	return append(data, '\n'), nil
}

func decode(data []byte, where string) (Record, error) {
	var rec Record
	if err := json.Unmarshal(data, &rec); err != nil {
		return Record{}, fmt.Errorf("the release record %s: %w", where, err)
	}
	return rec, nil
}
