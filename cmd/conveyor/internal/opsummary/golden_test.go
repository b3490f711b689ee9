package opsummary

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/ with what the code renders now")

// loadEvents reads a recorded event stream: one apitype.EngineEvent per line, as the engine
// writes its event log.
func loadEvents(t *testing.T, name string) []apitype.EngineEvent {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var events []apitype.EngineEvent
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var e apitype.EngineEvent
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		events = append(events, e)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return events
}

func summarize(t *testing.T, events string, op, env string, dryRun bool) Summary {
	t.Helper()
	c := NewCollector(op, env, dryRun)
	for _, e := range loadEvents(t, events) {
		c.Add(e)
	}
	return c.Summary()
}

func TestGolden(t *testing.T) {
	renderers := []struct {
		ext    string
		render func(*bytes.Buffer, *Summary) error
	}{
		{"txt", func(b *bytes.Buffer, s *Summary) error { return WriteText(b, s) }},
		{"json", func(b *bytes.Buffer, s *Summary) error { return WriteJSON(b, s) }},
		{"md", func(b *bytes.Buffer, s *Summary) error { return WriteMarkdown(b, s) }},
	}
	cases := []struct {
		name   string
		events string
		mutate func(*Summary)
	}{
		{name: "preview", events: "preview-events.jsonl"},
		{name: "preview-plan", events: "preview-events.jsonl", mutate: func(s *Summary) { s.Plan = "prod.plan.json" }},
		{name: "nochange", events: "nochange-events.jsonl"},
		{name: "recovered", events: "nochange-events.jsonl", mutate: func(s *Summary) {
			s.Recovered = true
			s.Swept = []string{"Deployment local-alice-sales/old-api", "Service local-alice-sales/old-api"}
		}},
	}
	for _, tc := range cases {
		s := summarize(t, tc.events, "preview", "pr-123", true)
		if tc.mutate != nil {
			tc.mutate(&s)
		}
		for _, r := range renderers {
			t.Run(tc.name+"."+r.ext, func(t *testing.T) {
				var got bytes.Buffer
				if err := r.render(&got, &s); err != nil {
					t.Fatal(err)
				}
				golden := filepath.Join("testdata", tc.name+"."+r.ext+".golden")
				if *update {
					if err := os.WriteFile(golden, got.Bytes(), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run with -update to create it)", err)
				}
				if !bytes.Equal(got.Bytes(), want) {
					t.Errorf("%s differs from the rendering (run with -update to accept it):\n--- got\n%s\n--- want\n%s", golden, &got, want)
				}
			})
		}
	}
}

// TestJSONCarriesTheText checks that the JSON document carries every fact the text shows, so
// a machine never needs to parse the text.
func TestJSONCarriesTheText(t *testing.T) {
	s := summarize(t, "preview-events.jsonl", "preview", "pr-123", true)
	var buf bytes.Buffer
	if err := WriteJSON(&buf, &s); err != nil {
		t.Fatal(err)
	}
	var back Summary
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if Headline(&back) != Headline(&s) {
		t.Errorf("headline from JSON %q, from events %q", Headline(&back), Headline(&s))
	}
	var fromJSON, fromEvents bytes.Buffer
	if err := WriteText(&fromJSON, &back); err != nil {
		t.Fatal(err)
	}
	if err := WriteText(&fromEvents, &s); err != nil {
		t.Fatal(err)
	}
	if fromJSON.String() != fromEvents.String() {
		t.Errorf("text rendered from the JSON document differs:\n%s\nvs\n%s", &fromJSON, &fromEvents)
	}
}
