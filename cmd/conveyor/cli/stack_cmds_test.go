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

	"github.com/google/go-cmp/cmp"
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

// in is the clone seen from a subtest, so that its failures end the subtest.
func (c *clone) in(t *testing.T) *clone {
	t.Helper()
	cc := *c
	cc.t = t
	return &cc
}

// wantSame fails t with what of got differs from want.
func wantSame(t *testing.T, what string, want, got any) {
	t.Helper()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", what, diff)
	}
}

// wantIn fails t for each of wants that text does not contain.
func wantIn(t *testing.T, what, text string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(text, want) {
			t.Errorf("%s does not say %q:\n%s", what, want, text)
		}
	}
}

// TestStackCommands drives every stack command through the real CLI on a file backend and
// checks exit codes, and that --json documents parse and carry what the text shows. The
// commands run in order, each on what the last left; each check is a subtest of its own.
func TestStackCommands(t *testing.T) {
	env := stackopstest.NewEnv(t)
	c := newClone(t, env)

	// Setup: dev with an image, an ad-hoc environment copied from it.
	c.must(ExitOK, "up", "--env", "dev")
	c.setConfig("dev", "conveyor:images.quotes.api", "quotes:1")
	c.must(ExitOK, "up", "--env", "dev", "-m", "first image")
	out := c.must(ExitOK, "env", "create", "pr-1", "--from", "dev", "--ttl", "2h")
	t.Run("env create says the cluster and expiry", func(t *testing.T) {
		wantIn(t, "env create", out, "environment pr-1 created: cluster cluster-nonprod, expires 2026-11-02T11:00:00Z")
	})
	created := decode[envCreateDocument](t, c.must(ExitOK, "env", "create", "pr-1", "--ttl", "3h", "--json"))
	t.Run("env create of an existing environment renews it", func(t *testing.T) {
		type doc struct {
			Created bool
			Expires time.Time
			From    string
		}
		wantSame(t, "env create --json", doc{false, env.Clock.Now().Add(3 * time.Hour), "dev"},
			doc{created.Created, created.Meta.Expires, created.Meta.From})
	})

	// preview: text, JSON and Markdown say the same.
	text := c.must(ExitOK, "preview", "--env", "pr-1")
	s := decode[opsummary.Summary](t, c.must(ExitOK, "preview", "--env", "pr-1", "--json"))
	t.Run("preview --json counts the program's resources", func(t *testing.T) {
		type doc struct {
			Operation          string
			DryRun             bool
			Creates, Resources int
		}
		wantSame(t, "preview --json", doc{"preview", true, 5, 5}, doc{s.Operation, s.DryRun, s.Changes["create"], len(s.Resources)})
	})
	t.Run("preview's text says what its JSON does", func(t *testing.T) {
		wants := []string{opsummary.CountsLine(&s)}
		for _, r := range s.Resources {
			wants = append(wants, r.Name)
		}
		wantIn(t, "preview", text, wants...)
	})
	md := c.must(ExitOK, "preview", "--env", "pr-1", "--markdown")
	t.Run("preview's Markdown says what its JSON does", func(t *testing.T) {
		wantIn(t, "preview --markdown", md, opsummary.CommentMarker("pr-1"), "**"+opsummary.CountsLine(&s)+"**", "| `conveyor:platform:Module` | 2 |")
	})
	up := decode[opsummary.Summary](t, c.must(ExitOK, "up", "--env", "pr-1", "--json"))
	t.Run("up --json", func(t *testing.T) {
		type doc struct {
			Result      string
			Environment any
			Creates     int
		}
		wantSame(t, "up --json", doc{"succeeded", "pr-1", 5}, doc{up.Result, up.Outputs["environment"], up.Changes["create"]})
	})

	// env list: the JSON carries each row of the table.
	list := decode[[]stackops.EnvInfo](t, c.must(ExitOK, "env", "list", "--json"))
	table := c.must(ExitOK, "env", "list")
	if len(list) != 2 {
		t.Fatalf("env list --json lists %d environments, want dev and pr-1: %+v", len(list), list)
	}
	for _, e := range list {
		t.Run("env list's table shows "+e.Name, func(t *testing.T) {
			wantIn(t, "the table", table, e.Name, e.Cluster)
		})
		t.Run("env list counts the resources of "+e.Name, func(t *testing.T) {
			// 5 of the program, and the StackReference to its own last checkpoint with the
			// provider that reads it (package deployed).
			wantSame(t, "resources", 7, e.ResourceCount)
		})
	}
	t.Run("env list's table shows expiries", func(t *testing.T) {
		wantIn(t, "the table", table, "in 3h", "never (long-lived)")
	})

	// deploy touches one module.
	dep := decode[opsummary.Summary](t, c.must(ExitOK, "deploy", "--env", "dev", "--module", "quotes", "--image", "quotes:2", "--json"))
	t.Run("deploy --json changes one module's component", func(t *testing.T) {
		var names []string
		for _, r := range dep.Resources {
			names = append(names, r.Name)
		}
		wantSame(t, "changed resources", []string{"quotes-api"}, names)
		wantSame(t, "targets", 2, len(dep.Targets))
	})

	// Production: only through a plan.
	c.must(ExitOK, "env", "create", "prod")
	t.Run("prod takes no expiry", func(t *testing.T) { c.in(t).must(ExitUsage, "env", "create", "prod", "--ttl", "1h") })
	t.Run("up of prod needs a plan", func(t *testing.T) {
		_, stderr, code := c.in(t).run("up", "--env", "prod")
		wantSame(t, "exit code", ExitUsage, code)
		wantIn(t, "stderr", stderr, "--save-plan")
	})
	t.Run("deploy of prod needs a plan", func(t *testing.T) {
		c.in(t).must(ExitUsage, "deploy", "--env", "prod", "--module", "quotes", "--image", "quotes:2")
	})
	plan := filepath.Join(t.TempDir(), "prod.plan.json")
	// Production takes what staging ran, by digest, from staging's release record.
	t.Run("prod is promoted from staging only", func(t *testing.T) {
		c.in(t).must(ExitUsage, "promote", "--from", "dev", "--to", "prod", "--save-plan", plan)
	})
	pinned := "quotes:2@sha256:" + strings.Repeat("2", 64)
	c.must(ExitOK, "env", "create", "staging")
	c.must(ExitOK, "up", "--env", "staging")
	c.must(ExitOK, "deploy", "--env", "staging", "--module", "quotes", "--image", pinned)
	promo := decode[stackops.PromoteResult](t, c.must(ExitOK, "promote", "--from", "staging", "--to", "prod", "--save-plan", plan, "--json"))
	t.Run("promote --json", func(t *testing.T) {
		if len(promo.Changes) != 1 || promo.Summary == nil {
			t.Fatalf("promote --json: %d changes and summary %v, want one change and a summary", len(promo.Changes), promo.Summary)
		}
		type doc struct {
			To    string
			RanIn bool
			Plan  string
		}
		wantSame(t, "promote --json", doc{pinned, true, plan}, doc{promo.Changes[0].To, promo.Changes[0].RanIn != nil, promo.Summary.Plan})
	})
	if _, err := os.Stat(plan); err != nil {
		t.Fatalf("no plan saved: %v", err)
	}
	applied := decode[opsummary.Summary](t, c.must(ExitOK, "up", "--env", "prod", "--plan", plan, "--json"))
	t.Run("up --plan applies the plan", func(t *testing.T) {
		type doc struct {
			Plan    string
			Creates int
		}
		wantSame(t, "up --plan --json", doc{plan, 5}, doc{applied.Plan, applied.Changes["create"]})
	})

	// drift: 0 while nothing moved, 2 once an upstream stack's output changed.
	c.must(ExitOK, "env", "create", "upstream")
	c.setConfig("upstream", "conveyor:value", "one")
	c.must(ExitOK, "up", "--env", "upstream")
	c.setConfig("dev", "conveyor:upstream", "organization/conveyor/upstream")
	c.must(ExitOK, "up", "--env", "dev")
	before := decode[driftDocument](t, c.must(ExitOK, "drift", "--env", "dev", "--json"))
	t.Run("no drift while nothing moved", func(t *testing.T) {
		type doc struct {
			Drift, Summary bool
			Operation      string
		}
		wantSame(t, "drift --json", doc{false, true, "drift"}, doc{before.Drift, before.Summary != nil, operation(before.Summary)})
	})
	c.setConfig("upstream", "conveyor:value", "two")
	c.must(ExitOK, "up", "--env", "upstream")
	after := decode[driftDocument](t, c.must(ExitDrift, "drift", "--env", "dev", "--json"))
	t.Run("drift once an upstream output changed", func(t *testing.T) {
		type doc struct {
			Drift     bool
			Resources int
		}
		got := doc{Drift: after.Drift}
		if after.Summary != nil {
			got.Resources = len(after.Resources)
		}
		wantSame(t, "drift --json", doc{true, 1}, got)
	})
	t.Run("drift's text exits as its JSON does", func(t *testing.T) { c.in(t).must(ExitDrift, "drift", "--env", "dev") })

	// gc: dry run, then for real in a fresh clone, then nothing left to do.
	env.Clock.Advance(4 * time.Hour)
	out = c.must(ExitOK, "env", "gc")
	t.Run("env gc's dry run", func(t *testing.T) {
		wantIn(t, "env gc", out, "1 of 5 environments expired (dry run", "would-collect  pr-1")
	})
	nightly := newClone(t, env)
	gc := decode[stackops.GCResult](t, nightly.must(ExitOK, "env", "gc", "--yes", "--json"))
	t.Run("env gc collects the expired environment only", func(t *testing.T) {
		want, got := map[string]string{}, map[string]string{}
		for _, e := range gc.Entries {
			want[e.Env.Name] = stackops.GCKept
			got[e.Env.Name] = e.Action
		}
		want["pr-1"] = stackops.GCCollected
		wantSame(t, "env gc --json", want, got)
	})
	t.Run("deleting a deleted environment", func(t *testing.T) {
		wantIn(t, "env delete", c.in(t).must(ExitOK, "env", "delete", "pr-1"), "nothing to delete")
	})
	t.Run("prod is not deleted", func(t *testing.T) { c.in(t).must(ExitUsage, "env", "delete", "prod") })
	t.Run("prod is not destroyed", func(t *testing.T) { c.in(t).must(ExitUsage, "destroy", "--env", "prod") })
}

// operation is a summary's operation, "" without one.
func operation(s *opsummary.Summary) string {
	if s == nil {
		return ""
	}
	return s.Operation
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
