package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// brokenCatalog copies the demo catalog and breaks one policies manifest in two ways.
func brokenCatalog(t *testing.T) string {
	t.Helper()
	return brokenCatalogWith(t, func(rel string, data []byte) []byte {
		if rel == filepath.Join("sales", "policies.conveyor.yaml") {
			data = bytes.Replace(data, []byte(`schedule: "0 3 * * *"`), []byte(`schedule: "0 25 * * *"`), 1)
			data = bytes.Replace(data, []byte("consumes: [quotes.quote-accepted]"), []byte("consumes: [quotes.quote-rejected]"), 1)
		}
		return data
	})
}

// brokenCatalogWith copies the demo catalog, passing each file through change.
func brokenCatalogWith(t *testing.T, change func(rel string, data []byte) []byte) string {
	t.Helper()
	dir := t.TempDir()
	demo := filepath.Join("..", "..", "..", "stacks", "catalog")
	err := filepath.WalkDir(demo, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(demo, path)
		target := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		return os.WriteFile(target, change(rel, data), 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestValidate(t *testing.T) {
	demo := filepath.Join("..", "..", "..", "stacks", "catalog")
	broken := brokenCatalog(t)
	policies := filepath.Join(broken, "sales", "policies.conveyor.yaml")
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  []string
	}{
		{"demo catalog", []string{"validate", demo}, ExitOK, []string{"catalog is valid: 2 spaces, 4 modules"}},
		{"broken copy", []string{"validate", broken}, ExitFailed, []string{
			policies + `:6:12: consumes[0]: consumes quotes.quote-rejected, but module quotes does not publish "quote-rejected"`,
			policies + ":18:15: components.issuer.handles[0]: handles \"quotes.quote-accepted\", which module policies does not consume",
			policies + `:24:15: components.renewals.schedule: "0 25 * * *" is not a valid cron schedule`,
		}},
		{"unknown flag", []string{"validate", "--yaml"}, ExitUsage, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := Execute(context.Background(), tt.args, &stdout, &stderr)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, &stdout, &stderr)
			}
			lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
			if tt.wantOut != nil && len(lines) != len(tt.wantOut) {
				t.Fatalf("got %d lines, want %d:\n%s", len(lines), len(tt.wantOut), &stdout)
			}
			for i, w := range tt.wantOut {
				if !strings.HasPrefix(lines[i], w) {
					t.Errorf("line %d:\n got %s\nwant %s...", i, lines[i], w)
				}
			}
		})
	}
}

// A path that does not exist is a mistake on the command line (exit 3), said in the words of
// what was asked for, not a bare stat error.
func TestValidateMissingPath(t *testing.T) {
	nowhere := filepath.Join(t.TempDir(), "nosuchdir")
	var stdout, stderr bytes.Buffer
	code := Execute(context.Background(), []string{"validate", filepath.Join("..", "..", "..", "stacks", "catalog"), nowhere}, &stdout, &stderr)
	if want := "conveyor: no catalog at " + nowhere + "\n"; code != ExitUsage || stderr.String() != want || stdout.Len() != 0 {
		t.Errorf("exit %d, want %d with %q\nstdout: %s\nstderr: %s", code, ExitUsage, want, &stdout, &stderr)
	}
}

// A manifest cannot set a variable the platform injects; validate names the file, the line
// and the key (issue 12, "Platform variables").
func TestValidateRefusesPlatformVariables(t *testing.T) {
	broken := brokenCatalogWith(t, func(rel string, data []byte) []byte {
		if rel == filepath.Join("sales", "quotes.conveyor.yaml") {
			data = bytes.Replace(data, []byte("  QUOTE_VALIDITY_DAYS: \"30\"\n"), []byte("  QUOTE_VALIDITY_DAYS: \"30\"\n  DATABASE_URL: postgres://elsewhere/quotes\n"), 1)
		}
		return data
	})
	var stdout, stderr bytes.Buffer
	code := Execute(context.Background(), []string{"validate", broken}, &stdout, &stderr)
	if code != ExitFailed {
		t.Fatalf("exit %d, want %d\n%s%s", code, ExitFailed, &stdout, &stderr)
	}
	want := filepath.Join(broken, "sales", "quotes.conveyor.yaml") + `:8:3: config.DATABASE_URL: "DATABASE_URL" is set by Conveyor itself`
	if got := strings.TrimSpace(stdout.String()); !strings.HasPrefix(got, want) || strings.Contains(got, "\n") {
		t.Errorf("validate printed:\n%s\nwant one line starting %s", got, want)
	}
}

func TestValidateJSON(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := Execute(context.Background(), []string{"validate", "--json", brokenCatalog(t)}, &stdout, &stderr)
	if code != ExitFailed {
		t.Fatalf("exit %d, want %d", code, ExitFailed)
	}
	var report validateReport
	if err := json.Unmarshal(stdout.Bytes(), &report); err != nil {
		t.Fatalf("--json output does not parse: %v\n%s", err, &stdout)
	}
	if report.Valid || len(report.Errors) != 3 {
		t.Fatalf("report = %+v, want invalid with 3 errors", report)
	}
	// The counts are what the catalog declares, valid or not, so a machine can tell an empty
	// catalog from a broken one.
	if report.Spaces != 2 || report.Modules != 4 {
		t.Errorf("report counts %d spaces and %d modules, want the 2 and 4 the files declare", report.Spaces, report.Modules)
	}
	if e := report.Errors[2]; e.Line != 24 || e.Column != 15 || e.Field != "components.renewals.schedule" {
		t.Errorf("third error = %+v", e)
	}
}
