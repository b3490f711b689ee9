package cli

import (
	"errors"
	"io"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
)

// TestDeployFlags: what `conveyor deploy` parses from its command line, checked through its
// runF seam, so that no backend or Pulumi CLI is needed: the defaults (component api, the
// commit from $GITHUB_SHA), every flag, and a command line it refuses with the usage code.
func TestDeployFlags(t *testing.T) {
	when := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name     string
		args     []string
		want     *deployOptions
		wantCode int // the exit code of a refused command line; 0 when it parses
	}{
		{
			name: "defaults",
			args: []string{"--env", "dev", "--module", "quotes", "--image", "quotes:1"},
			want: &deployOptions{Request: stackops.DeployRequest{Env: "dev", Module: "quotes", Component: "api", Image: "quotes:1", Source: stackops.Source{Commit: "sha-from-ci"}}},
		},
		{
			name: "every flag",
			args: []string{"-e", "pr-7", "--module", "policies", "--component", "renewals", "--image", "renewals:2",
				"--source-commit", "c0ffee", "--source-time", "2026-01-02T03:04:05Z", "-m", "hotfix", "--json"},
			want: &deployOptions{
				Request: stackops.DeployRequest{Env: "pr-7", Module: "policies", Component: "renewals", Image: "renewals:2", Source: stackops.Source{Commit: "c0ffee", Time: when}},
				Message: "hotfix",
				Output:  outputFlags{json: true},
			},
		},
		{
			name:     "a source time that is not RFC 3339",
			args:     []string{"--env", "dev", "--module", "quotes", "--image", "quotes:1", "--source-time", "yesterday"},
			wantCode: ExitUsage,
		},
		{
			name:     "prod",
			args:     []string{"--env", "prod", "--module", "quotes", "--image", "quotes:1"},
			wantCode: ExitUsage,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("GITHUB_SHA", "sha-from-ci")
			var got *deployOptions
			cmd := newDeploy(&deps{}, func(o *deployOptions) error {
				got = o
				return nil
			})
			cmd.SetArgs(tt.args)
			cmd.SetOut(io.Discard)
			cmd.SetErr(io.Discard)
			err := cmd.Execute()
			if tt.wantCode != 0 {
				var coded *exitError
				if !errors.As(err, &coded) || coded.code != tt.wantCode {
					t.Fatalf("error %v, want one with exit code %d", err, tt.wantCode)
				}
				if got != nil {
					t.Errorf("the refused command line reached the deploy: %+v", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(outputFlags{})); diff != "" {
				t.Errorf("parsed options (-want +got):\n%s", diff)
			}
		})
	}
}
