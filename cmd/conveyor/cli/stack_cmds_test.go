package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/opsummary"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackopstest"
)

// clone is one checkout of the repository driving a test backend: every command run through
// it shares its work directory, as commands run in one pipeline job do.
type clone struct {
	t    *testing.T
	env  *stackopstest.Env
	opts stackops.Options
	deps *deps
}

func newClone(t *testing.T, env *stackopstest.Env) *clone {
	t.Helper()
	opts := env.Options(t, stackopstest.Program)
	c := &clone{t: t, env: env, opts: opts}
	c.deps = &deps{
		options:  func() (stackops.Options, error) { return c.opts, nil },
		now:      env.Clock.Now,
		terminal: func(io.Writer) bool { return false },
	}
	return c
}

// run executes a command line and returns its output and exit code.
func (c *clone) run(args ...string) (stdout, stderr string, code int) {
	c.t.Helper()
	var out, errOut bytes.Buffer
	code = execute(context.Background(), args, &out, &errOut, c.deps)
	c.t.Logf("conveyor %s: exit %d\n%s%s", strings.Join(args, " "), code, &errOut, &out)
	return out.String(), errOut.String(), code
}

// must runs a command line that must end with code.
func (c *clone) must(code int, args ...string) string {
	c.t.Helper()
	out, _, got := c.run(args...)
	if got != code {
		c.t.Fatalf("conveyor %s: exit %d, want %d", strings.Join(args, " "), got, code)
	}
	return out
}

// setConfig sets a config value of a stack in this clone, as a person editing its file would.
func (c *clone) setConfig(env, key, value string) {
	c.t.Helper()
	e, err := stackops.New(context.Background(), c.opts)
	if err != nil {
		c.t.Fatal(err)
	}
	if err := e.Workspace().SetConfigWithOptions(context.Background(), env, key, auto.ConfigValue{Value: value}, &auto.ConfigOptions{Path: true}); err != nil {
		c.t.Fatal(err)
	}
}

func decode[T any](t *testing.T, out string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("--json output does not parse: %v\n%s", err, out)
	}
	return v
}

// TestStackCommands drives every stack command through the real CLI on a file backend and
// checks exit codes, and that --json documents parse and carry what the text shows.
func TestStackCommands(t *testing.T) {
	env := stackopstest.NewEnv(t)
	c := newClone(t, env)

	// Setup: dev with an image, an ad-hoc environment copied from it.
	c.must(ExitOK, "up", "--env", "dev")
	c.setConfig("dev", "conveyor:images.quotes.api", "quotes:1")
	c.must(ExitOK, "up", "--env", "dev", "-m", "first image")
	out := c.must(ExitOK, "env", "create", "pr-1", "--from", "dev", "--ttl", "2h")
	if !strings.Contains(out, "environment pr-1 created: cluster cluster-nonprod, expires 2026-11-02T11:00:00Z") {
		t.Errorf("env create said %q", out)
	}
	created := decode[envCreateDocument](t, c.must(ExitOK, "env", "create", "pr-1", "--ttl", "3h", "--json"))
	if created.Created || !created.Meta.Expires.Equal(env.Clock.Now().Add(3*time.Hour)) || created.Meta.From != "dev" {
		t.Errorf("env create of an existing environment: %+v", created)
	}

	// preview: text, JSON and Markdown say the same.
	text := c.must(ExitOK, "preview", "--env", "pr-1")
	s := decode[opsummary.Summary](t, c.must(ExitOK, "preview", "--env", "pr-1", "--json"))
	if s.Operation != "preview" || !s.DryRun || s.Changes["create"] != 5 || len(s.Resources) != 5 {
		t.Errorf("preview --json: %+v", s)
	}
	if !strings.Contains(text, opsummary.CountsLine(&s)) {
		t.Errorf("the text does not say %q:\n%s", opsummary.CountsLine(&s), text)
	}
	for _, r := range s.Resources {
		if !strings.Contains(text, r.Name) {
			t.Errorf("the text does not list %s", r.Name)
		}
	}
	md := c.must(ExitOK, "preview", "--env", "pr-1", "--markdown")
	for _, want := range []string{opsummary.CommentMarker("pr-1"), "**" + opsummary.CountsLine(&s) + "**", "| `conveyor:platform:Module` | 2 |"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	up := decode[opsummary.Summary](t, c.must(ExitOK, "up", "--env", "pr-1", "--json"))
	if up.Result != "succeeded" || up.Outputs["environment"] != "pr-1" || up.Changes["create"] != 5 {
		t.Errorf("up --json: %+v", up)
	}

	// env list: the JSON carries each row of the table.
	list := decode[[]stackops.EnvInfo](t, c.must(ExitOK, "env", "list", "--json"))
	table := c.must(ExitOK, "env", "list")
	if len(list) != 2 {
		t.Fatalf("env list --json: %+v", list)
	}
	for _, e := range list {
		if !strings.Contains(table, e.Name) || !strings.Contains(table, e.Cluster) {
			t.Errorf("the table lacks %s on %s:\n%s", e.Name, e.Cluster, table)
		}
		// 5 of the program, and the StackReference to its own last checkpoint with the
		// provider that reads it (package deployed).
		if e.ResourceCount != 7 {
			t.Errorf("%s has %d resources, want 7", e.Name, e.ResourceCount)
		}
	}
	if !strings.Contains(table, "in 3h") || !strings.Contains(table, "never (long-lived)") {
		t.Errorf("the table does not show expiries:\n%s", table)
	}

	// deploy touches one module.
	dep := decode[opsummary.Summary](t, c.must(ExitOK, "deploy", "--env", "dev", "--module", "quotes", "--image", "quotes:2", "--json"))
	if len(dep.Resources) != 1 || dep.Resources[0].Name != "quotes-api" || len(dep.Targets) != 2 {
		t.Errorf("deploy --json: %+v", dep)
	}

	// Production: only through a plan.
	c.must(ExitOK, "env", "create", "prod")
	c.must(ExitUsage, "env", "create", "prod", "--ttl", "1h")
	if _, stderr, code := c.run("up", "--env", "prod"); code != ExitUsage || !strings.Contains(stderr, "--save-plan") {
		t.Errorf("up prod without a plan: exit %d, %s", code, stderr)
	}
	c.must(ExitUsage, "deploy", "--env", "prod", "--module", "quotes", "--image", "quotes:2")
	plan := filepath.Join(t.TempDir(), "prod.plan.json")
	// Production takes what staging ran, by digest, from staging's release record.
	c.must(ExitUsage, "promote", "--from", "dev", "--to", "prod", "--save-plan", plan)
	pinned := "quotes:2@sha256:" + strings.Repeat("2", 64)
	c.must(ExitOK, "env", "create", "staging")
	c.must(ExitOK, "up", "--env", "staging")
	c.must(ExitOK, "deploy", "--env", "staging", "--module", "quotes", "--image", pinned)
	promo := decode[stackops.PromoteResult](t, c.must(ExitOK, "promote", "--from", "staging", "--to", "prod", "--save-plan", plan, "--json"))
	if len(promo.Changes) != 1 || promo.Changes[0].To != pinned || promo.Changes[0].RanIn == nil || promo.Summary == nil || promo.Summary.Plan != plan {
		t.Errorf("promote --json: %+v", promo)
	}
	if _, err := os.Stat(plan); err != nil {
		t.Fatalf("no plan saved: %v", err)
	}
	applied := decode[opsummary.Summary](t, c.must(ExitOK, "up", "--env", "prod", "--plan", plan, "--json"))
	if applied.Plan != plan || applied.Changes["create"] != 5 {
		t.Errorf("up --plan: %+v", applied)
	}

	// drift: 0 while nothing moved, 2 once an upstream stack's output changed.
	c.must(ExitOK, "env", "create", "upstream")
	c.setConfig("upstream", "conveyor:value", "one")
	c.must(ExitOK, "up", "--env", "upstream")
	c.setConfig("dev", "conveyor:upstream", "organization/conveyor/upstream")
	c.must(ExitOK, "up", "--env", "dev")
	doc := decode[driftDocument](t, c.must(ExitOK, "drift", "--env", "dev", "--json"))
	if doc.Drift || doc.Summary == nil || doc.Operation != "drift" {
		t.Errorf("drift --json before: %+v", doc)
	}
	c.setConfig("upstream", "conveyor:value", "two")
	c.must(ExitOK, "up", "--env", "upstream")
	doc = decode[driftDocument](t, c.must(ExitDrift, "drift", "--env", "dev", "--json"))
	if !doc.Drift || len(doc.Resources) != 1 {
		t.Errorf("drift --json after: %+v", doc)
	}
	c.must(ExitDrift, "drift", "--env", "dev")

	// gc: dry run, then for real in a fresh clone, then nothing left to do.
	env.Clock.Advance(4 * time.Hour)
	out = c.must(ExitOK, "env", "gc")
	if !strings.Contains(out, "1 of 5 environments expired (dry run") || !strings.Contains(out, "would-collect  pr-1") {
		t.Errorf("env gc dry run:\n%s", out)
	}
	nightly := newClone(t, env)
	gc := decode[stackops.GCResult](t, nightly.must(ExitOK, "env", "gc", "--yes", "--json"))
	for _, e := range gc.Entries {
		want := stackops.GCKept
		if e.Env.Name == "pr-1" {
			want = stackops.GCCollected
		}
		if e.Action != want {
			t.Errorf("gc: %s %s, want %s", e.Env.Name, e.Action, want)
		}
	}
	if out := c.must(ExitOK, "env", "delete", "pr-1"); !strings.Contains(out, "nothing to delete") {
		t.Errorf("deleting a deleted environment: %s", out)
	}
	c.must(ExitUsage, "env", "delete", "prod")
	c.must(ExitUsage, "destroy", "--env", "prod")
}

func TestStackCommandsSetup(t *testing.T) {
	env := stackopstest.NewEnv(t)
	c := newClone(t, env)
	c.opts.Settings = stackops.Settings{}
	c.opts.Getenv = func(string) string { return "" }
	_, stderr, code := c.run("env", "list")
	if code != ExitSetup || !strings.Contains(stderr, "set PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE)") {
		t.Errorf("without a passphrase: exit %d, %s", code, stderr)
	}
	c = newClone(t, env)
	if _, stderr, code := c.run("preview", "--env", "pr-404"); code != ExitSetup || !strings.Contains(stderr, "conveyor env create pr-404") {
		t.Errorf("a missing environment: exit %d, %s", code, stderr)
	}
	c.must(ExitUsage, "env", "create", "Not_A_Name")
	c.must(ExitUsage, "env", "create", "pr-2", "--ttl", "soon")
}

func TestParseTTL(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"72h", 72 * time.Hour, true},
		{"90m", 90 * time.Minute, true},
		{"3d", 72 * time.Hour, true},
		{"0", 0, true},
		{"-1h", 0, false},
		{"soon", 0, false},
		{"xd", 0, false},
	}
	for _, tt := range tests {
		got, err := parseTTL(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseTTL(%q) = %s, %v", tt.in, got, err)
		}
	}
}
