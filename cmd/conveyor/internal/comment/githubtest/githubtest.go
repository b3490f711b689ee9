// Package githubtest is a test double of GitHub's issue comments API (list with pages,
// create, edit) for one pull request, held in memory: GitHub cannot be reached from tests.
// Like GitHub, it says who wrote each comment: the caller with the token is the workflow's
// bot (Bot), everyone else is whoever Add or AddBy names.
package githubtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

type issueComment struct {
	ID      int64  `json:"id"`
	Body    string `json:"body"`
	HTMLURL string `json:"html_url"`
	User    User   `json:"user"`
}

// User is a comment's author as GitHub's API describes it.
type User struct {
	Login string `json:"login"`
	// Type is "User" for a person, "Bot" for an app such as github-actions.
	Type string `json:"type"`
}

// Bot is the identity of the token's caller: the workflow's GITHUB_TOKEN posts as
// github-actions[bot].
var Bot = User{Login: "github-actions[bot]", Type: "Bot"}

// reviewer is who Add posts as.
var reviewer = User{Login: "a-reviewer", Type: "User"}

// GitHub serves the comments of one pull request to callers with one token.
type GitHub struct {
	repo  string
	issue int
	token string

	mu       sync.Mutex
	comments []issueComment
}

// New makes the double of repo's pull request issue, which accepts token.
func New(repo string, issue int, token string) *GitHub {
	return &GitHub{repo: repo, issue: issue, token: token}
}

// Add posts a comment as a reviewer would.
func (g *GitHub) Add(body string) { g.AddBy(reviewer, body) }

// AddBy posts a comment as user.
func (g *GitHub) AddBy(user User, body string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.add(user, body)
}

func (g *GitHub) add(user User, body string) issueComment {
	id := int64(len(g.comments) + 1)
	c := issueComment{ID: id, Body: body, User: user, HTMLURL: fmt.Sprintf("https://github.example/%s/pull/%d#issuecomment-%d", g.repo, g.issue, id)}
	g.comments = append(g.comments, c)
	return c
}

// Bodies are the comments' bodies, oldest first.
func (g *GitHub) Bodies() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []string
	for _, c := range g.comments {
		out = append(out, c.Body)
	}
	return out
}

func (g *GitHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if r.Header.Get("Authorization") != "Bearer "+g.token {
		http.Error(w, `{"message": "Bad credentials"}`, http.StatusUnauthorized)
		return
	}
	var in struct{ Body string }
	if r.Body != nil {
		_ = json.NewDecoder(r.Body).Decode(&in)
	}
	reply := func(v any) { _ = json.NewEncoder(w).Encode(v) }
	list := fmt.Sprintf("/repos/%s/issues/%d/comments", g.repo, g.issue)
	edit := fmt.Sprintf("/repos/%s/issues/comments/", g.repo)
	switch {
	case r.Method == http.MethodGet && r.URL.Path == list:
		per, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		from, to := min((page-1)*per, len(g.comments)), min(page*per, len(g.comments))
		reply(g.comments[from:to])
	case r.Method == http.MethodPost && r.URL.Path == list:
		w.WriteHeader(http.StatusCreated)
		reply(g.add(Bot, in.Body))
	case r.Method == http.MethodPatch && strings.HasPrefix(r.URL.Path, edit):
		id, _ := strconv.ParseInt(strings.TrimPrefix(r.URL.Path, edit), 10, 64)
		for i := range g.comments {
			if g.comments[i].ID == id {
				g.comments[i].Body = in.Body
				reply(g.comments[i])
				return
			}
		}
		http.NotFound(w, r)
	default:
		http.NotFound(w, r)
	}
}
