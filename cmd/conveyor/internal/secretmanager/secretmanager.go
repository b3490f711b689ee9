// Package secretmanager is the command's client of Google Secret Manager's REST API (v1):
// the three calls `conveyor secret` makes (list versions, add a version creating the secret
// if need be, destroy versions). It implements stackops.SecretManager; tests play the API
// with an HTTP double, since no GCP runs here.
package secretmanager

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
)

// URL is Secret Manager's API.
const URL = "https://secretmanager.googleapis.com"

// Client calls the API at URL through HTTP, which carries the credentials (an
// oauth2/google client with application default credentials). When HTTP is nil, Connect
// makes it on the first call: finding credentials may probe the metadata server, which only
// a command that reaches Secret Manager should wait for.
type Client struct {
	URL     string
	HTTP    *http.Client
	Connect func(context.Context) *http.Client

	once sync.Once
}

func (c *Client) client(ctx context.Context) *http.Client {
	c.once.Do(func() {
		if c.HTTP == nil && c.Connect != nil {
			c.HTTP = c.Connect(ctx)
		}
	})
	return c.HTTP
}

var _ stackops.SecretManager = (*Client)(nil)

type version struct {
	Name       string    `json:"name"`
	State      string    `json:"state"`
	CreateTime time.Time `json:"createTime"`
}

func (v version) toVersion() stackops.SecretVersion {
	return stackops.SecretVersion{ID: path.Base(v.Name), Enabled: v.State == "ENABLED", Created: v.CreateTime}
}

func secretPath(project, id string) string {
	return "/v1/projects/" + url.PathEscape(project) + "/secrets/" + url.PathEscape(id)
}

// Versions lists a secret's versions, newest first (the API lists them so); a secret that
// does not exist has none.
func (c *Client) Versions(ctx context.Context, project, id string) ([]stackops.SecretVersion, error) {
	var out []stackops.SecretVersion
	token := ""
	for {
		q := url.Values{"pageSize": {"100"}}
		if token != "" {
			q.Set("pageToken", token)
		}
		var page struct {
			Versions      []version `json:"versions"`
			NextPageToken string    `json:"nextPageToken"`
		}
		status, err := c.call(ctx, http.MethodGet, secretPath(project, id)+"/versions?"+q.Encode(), nil, &page)
		if status == http.StatusNotFound {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		for _, v := range page.Versions {
			out = append(out, v.toVersion())
		}
		if token = page.NextPageToken; token == "" {
			return out, nil
		}
	}
}

// AddVersion adds value as the secret's newest version, creating the secret first (with
// labels and automatic replication) when it does not exist.
func (c *Client) AddVersion(ctx context.Context, project, id string, labels map[string]string, value []byte) (stackops.SecretVersion, error) {
	create := map[string]any{"labels": labels, "replication": map[string]any{"automatic": map[string]any{}}}
	status, err := c.call(ctx, http.MethodPost, "/v1/projects/"+url.PathEscape(project)+"/secrets?secretId="+url.QueryEscape(id), create, nil)
	if err != nil && status != http.StatusConflict {
		return stackops.SecretVersion{}, fmt.Errorf("creating secret %s: %w", id, err)
	}
	body := map[string]any{"payload": map[string]string{"data": base64.StdEncoding.EncodeToString(value)}}
	var v version
	if _, err := c.call(ctx, http.MethodPost, secretPath(project, id)+":addVersion", body, &v); err != nil {
		return stackops.SecretVersion{}, err
	}
	return v.toVersion(), nil
}

// DestroyVersions destroys every version not destroyed yet.
func (c *Client) DestroyVersions(ctx context.Context, project, id string) error {
	versions, err := c.Versions(ctx, project, id)
	if err != nil {
		return err
	}
	for _, v := range versions {
		status, err := c.call(ctx, http.MethodPost, secretPath(project, id)+"/versions/"+url.PathEscape(v.ID)+":destroy", map[string]any{}, nil)
		// A version destroyed already answers FAILED_PRECONDITION.
		if err != nil && status != http.StatusBadRequest {
			return err
		}
	}
	return nil
}

// call sends one request and decodes the answer into out; it returns the HTTP status, and an
// error for any status but 2xx that names the call and Google's message, never the body it
// sent (which may hold a value).
func (c *Client) call(ctx context.Context, method, pathAndQuery string, in, out any) (int, error) {
	var body io.Reader
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			return 0, fmt.Errorf("encoding a Secret Manager request: %w", err)
		}
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(c.URL, "/")+pathAndQuery, body)
	if err != nil {
		return 0, fmt.Errorf("a Secret Manager request: %w", err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.client(ctx).Do(req)
	if err != nil {
		return 0, fmt.Errorf("secret manager %s %s: %w", method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return resp.StatusCode, fmt.Errorf("secret manager %s %s: %w", method, req.URL.Path, err)
	}
	if resp.StatusCode/100 != 2 {
		var e struct {
			Error struct {
				Message string `json:"message"`
			} `json:"error"`
		}
		_ = json.Unmarshal(data, &e)
		return resp.StatusCode, fmt.Errorf("secret manager %s %s: HTTP %d: %s", method, req.URL.Path, resp.StatusCode, e.Error.Message)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return resp.StatusCode, fmt.Errorf("secret manager %s %s: %w", method, req.URL.Path, err)
		}
	}
	return resp.StatusCode, nil
}
