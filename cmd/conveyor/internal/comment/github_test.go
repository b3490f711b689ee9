package comment

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/comment/githubtest"
)

// TestUpsertEditsTheOneComment: the first push posts the comment, every later push edits it
// in place, found by its marker among more than a page of other people's comments.
func TestUpsertEditsTheOneComment(t *testing.T) {
	fake := githubtest.New("acme/platform", 7, "secret-token")
	for i := 0; i < 120; i++ {
		fake.Add(fmt.Sprintf("a reviewer's comment %d", i))
	}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	gh := GitHub{API: srv.URL, Token: "secret-token"}
	marker := Marker("pr-7")

	url, created, err := gh.Upsert(t.Context(), "acme/platform", 7, marker, marker+"\nfirst push")
	if err != nil || !created || !strings.HasSuffix(url, "#issuecomment-121") {
		t.Fatalf("first push: %q, created %v, %v", url, created, err)
	}
	url, created, err = gh.Upsert(t.Context(), "acme/platform", 7, marker, marker+"\nsecond push")
	if err != nil || created || !strings.HasSuffix(url, "#issuecomment-121") {
		t.Fatalf("second push: %q, created %v, %v", url, created, err)
	}
	bodies := fake.Bodies()
	var ours []string
	for _, b := range bodies {
		if strings.Contains(b, marker) {
			ours = append(ours, b)
		}
	}
	if len(bodies) != 121 || len(ours) != 1 || ours[0] != marker+"\nsecond push" {
		t.Errorf("%d comments, ours %q; want one, edited", len(bodies), ours)
	}
	// Another environment's comment is another comment.
	if _, created, err := gh.Upsert(t.Context(), "acme/platform", 7, Marker("pr-8"), Marker("pr-8")); err != nil || !created {
		t.Errorf("another environment: created %v, %v", created, err)
	}

	bad := GitHub{API: srv.URL, Token: "wrong"}
	if _, _, err := bad.Upsert(t.Context(), "acme/platform", 7, marker, "x"); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("bad credentials: %v", err)
	}
}

// TestUpsertEditsOnlyItsOwnComment: anyone can write the marker into a comment of their own,
// and a comment the bot edits reads as the platform's word. Upsert edits only a comment its
// own identity (the workflow's github-actions[bot]) wrote: a person's or another app's
// comment that carries the marker, posted before the bot's, is left as it is.
func TestUpsertEditsOnlyItsOwnComment(t *testing.T) {
	marker := Marker("pr-7")
	planted := []struct {
		name string
		user githubtest.User
	}{
		{"a person", githubtest.User{Login: "mallory", Type: "User"}},
		{"another app", githubtest.User{Login: "other-app[bot]", Type: "Bot"}},
		{"the bot's login as a user", githubtest.User{Login: githubtest.Bot.Login, Type: "User"}},
	}
	for _, tt := range planted {
		t.Run(tt.name, func(t *testing.T) {
			fake := githubtest.New("acme/platform", 7, "secret-token")
			fake.AddBy(tt.user, marker+"\nplan: no changes, all clear")
			srv := httptest.NewServer(fake)
			defer srv.Close()
			gh := GitHub{API: srv.URL, Token: "secret-token"}
			for _, push := range []string{"first push", "second push"} {
				if _, _, err := gh.Upsert(t.Context(), "acme/platform", 7, marker, marker+"\n"+push); err != nil {
					t.Fatalf("%s: %v", push, err)
				}
			}
			want := []string{marker + "\nplan: no changes, all clear", marker + "\nsecond push"}
			if diff := cmp.Diff(want, fake.Bodies()); diff != "" {
				t.Errorf("comments (-want +got):\n%s", diff)
			}
		})
	}
}
