package comment

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// GitHub posts comments through GitHub's REST API.
type GitHub struct {
	// API is the API's base URL: $GITHUB_API_URL in Actions, https://api.github.com otherwise.
	API string
	// Token authorizes the calls: the workflow's GITHUB_TOKEN, with pull-requests: write.
	Token string
	HTTP  *http.Client
}

// DefaultAPI is GitHub's API.
const DefaultAPI = "https://api.github.com"

// issueComment is the part of a comment the upsert reads.
type issueComment struct {
	ID      int64  `json:"id"`
	Body    string `json:"body"`
	HTMLURL string `json:"html_url"`
}

// Upsert keeps one comment with marker on issue (a pull request is an issue) of repo
// ("owner/name"): the first comment that carries the marker is edited to say body, and
// only when there is none is a comment posted. It returns the comment's address and whether
// it was created.
func (g GitHub) Upsert(ctx context.Context, repo string, issue int, marker, body string) (string, bool, error) {
	for page := 1; ; page++ {
		var comments []issueComment
		path := fmt.Sprintf("/repos/%s/issues/%d/comments?per_page=100&page=%d", repo, issue, page)
		if err := g.call(ctx, http.MethodGet, path, nil, &comments); err != nil {
			return "", false, err
		}
		for _, c := range comments {
			if strings.Contains(c.Body, marker) {
				var edited issueComment
				err := g.call(ctx, http.MethodPatch, fmt.Sprintf("/repos/%s/issues/comments/%d", repo, c.ID), map[string]string{"body": body}, &edited)
				return edited.HTMLURL, false, err
			}
		}
		if len(comments) < 100 {
			break
		}
	}
	var created issueComment
	err := g.call(ctx, http.MethodPost, fmt.Sprintf("/repos/%s/issues/%d/comments", repo, issue), map[string]string{"body": body}, &created)
	return created.HTMLURL, true, err
}

func (g GitHub) call(ctx context.Context, method, path string, in, out any) error {
	var payload io.Reader
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			return err
		}
		payload = bytes.NewReader(data)
	}
	api := g.API
	if api == "" {
		api = DefaultAPI
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(api, "/")+path, payload)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("X-GitHub-Api-Version", "2022-11-28")
	req.Header.Set("Authorization", "Bearer "+g.Token)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	client := g.HTTP
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("GitHub: %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return fmt.Errorf("GitHub: %s %s: %w", method, path, err)
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("GitHub: %s %s: %s: %s", method, path, resp.Status, strings.TrimSpace(string(data)))
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("GitHub: %s %s: %w", method, path, err)
	}
	return nil
}
