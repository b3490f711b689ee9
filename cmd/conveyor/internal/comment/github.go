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
	// Author is the login Token posts as, whose comments alone Upsert edits: DefaultAuthor
	// when empty.
	Author string
	HTTP   *http.Client
}

// DefaultAPI is GitHub's API.
const DefaultAPI = "https://api.github.com"

// DefaultAuthor is who a workflow's GITHUB_TOKEN posts as.
const DefaultAuthor = "github-actions[bot]"

// issueComment is the part of a comment the upsert reads.
type issueComment struct {
	ID      int64  `json:"id"`
	Body    string `json:"body"`
	HTMLURL string `json:"html_url"`
	User    struct {
		Login string `json:"login"`
		Type  string `json:"type"`
	} `json:"user"`
}

// writtenBy reports whether login wrote c. Only apps' logins end in "[bot]" (a person's
// cannot hold brackets), and GitHub says which kind an author is: both must agree.
func (c issueComment) writtenBy(login string) bool {
	kind := "User"
	if strings.HasSuffix(login, "[bot]") {
		kind = "Bot"
	}
	return c.User.Login == login && c.User.Type == kind
}

// Upsert keeps one comment with marker on issue (a pull request is an issue) of repo
// ("owner/name"): the first comment of g.Author that carries the marker is edited to say
// body, and only when there is none is a comment posted. Anyone may write the marker into a
// comment of their own; such a comment is never edited, so the platform's words never land
// under someone else's name, where they could later be changed. It returns the comment's address and whether
// it was created.
func (g GitHub) Upsert(ctx context.Context, repo string, issue int, marker, body string) (string, bool, error) {
	author := g.Author
	if author == "" {
		author = DefaultAuthor
	}
	for page := 1; ; page++ {
		var comments []issueComment
		path := fmt.Sprintf("/repos/%s/issues/%d/comments?per_page=100&page=%d", repo, issue, page)
		if err := g.call(ctx, http.MethodGet, path, nil, &comments); err != nil {
			return "", false, err
		}
		for _, c := range comments {
			if c.writtenBy(author) && strings.Contains(c.Body, marker) {
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
