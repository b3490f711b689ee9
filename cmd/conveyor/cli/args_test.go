package cli

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
)

// TestArgumentErrorsComeBeforeTheBackend: a command line the rules refuse whatever the backend
// holds (a bad name, a long-lived environment, prod without a plan, a promotion to itself)
// exits 3 with the reason before any backend is set up: no passphrase is asked for and no
// Pulumi CLI is located. The deps' backend is a test double that fails the test when set up.
func TestArgumentErrorsComeBeforeTheBackend(t *testing.T) {
	tests := []struct {
		name string
		args []string
		says string
	}{
		{"env create: a bad name", []string{"env", "create", "PR_1"}, "PR_1"},
		{"env create: a TTL for a long-lived environment", []string{"env", "create", "dev", "--ttl", "1h"}, "long-lived"},
		{"env delete: a long-lived environment", []string{"env", "delete", "staging"}, "long-lived"},
		{"env delete: a bad name", []string{"env", "delete", "PR_1"}, "PR_1"},
		{"destroy: a long-lived environment, unconfirmed", []string{"destroy", "--env", "dev"}, "confirmed with its name"},
		{"destroy: a bad name", []string{"destroy", "--env", "PR_1"}, "PR_1"},
		{"deploy: prod", []string{"deploy", "--env", "prod", "--module", "quotes", "--image", "quotes:1"}, "reviewed plan"},
		{"deploy: a bad module", []string{"deploy", "--env", "dev", "--module", "Quotes", "--image", "quotes:1"}, "Quotes"},
		{"deploy: a bad name", []string{"deploy", "--env", "PR_1", "--module", "quotes", "--image", "quotes:1"}, "PR_1"},
		{"rollback: prod without a plan", []string{"rollback", "--env", "prod"}, "reviewed plan"},
		{"rollback: a bad module", []string{"rollback", "--env", "dev", "--module", "Quotes"}, "Quotes"},
		{"promote: to itself", []string{"promote", "--from", "dev", "--to", "dev"}, "to itself"},
		{"promote: at once to prod", []string{"promote", "--from", "staging", "--to", "prod", "--yes"}, "plan"},
		{"promote: a bad name", []string{"promote", "--from", "dev", "--to", "PR_1"}, "PR_1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := &deps{
				options: func() (stackops.Options, error) {
					t.Errorf("conveyor %s set up the backend before refusing its arguments", strings.Join(tt.args, " "))
					return stackops.Options{}, errors.New("test double: no backend here")
				},
				now:      time.Now,
				terminal: func(io.Writer) bool { return false },
			}
			var stdout, stderr bytes.Buffer
			code := execute(context.Background(), tt.args, &stdout, &stderr, d)
			if code != ExitUsage || !strings.Contains(stderr.String(), tt.says) {
				t.Errorf("exit %d, want %d with %q\nstdout: %s\nstderr: %s", code, ExitUsage, tt.says, &stdout, &stderr)
			}
		})
	}
}
