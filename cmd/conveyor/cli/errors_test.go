package cli

import (
	"errors"
	"fmt"
	"testing"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/envview"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
)

// TestViewExit: each kind of an environment view's error ends the command with its exit code,
// wrapped or not, and the backend's errors keep the Runner's codes.
func TestViewExit(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"a module the catalog lacks", &envview.NoModuleError{Env: "dev", Module: "nosuch"}, ExitUsage},
		{"a component the module lacks", fmt.Errorf("logs: %w", &envview.NoComponentError{Module: "quotes", Component: "nosuch"}), ExitUsage},
		{"a cluster stack where an environment is wanted", &envview.UsageError{Err: errors.New("cluster-nonprod is a cluster stack")}, ExitUsage},
		{"an unreadable catalog", &envview.SetupError{Err: errors.New("no catalog")}, ExitSetup},
		{"a module without pods", &envview.NoPodsError{What: "quotes", Namespace: "dev-shop"}, ExitFailed},
		{"the backend's missing environment", &stackops.NotFoundError{Env: "dev"}, ExitSetup},
		{"the backend's refusal", &stackops.RefusedError{Err: errors.New("no")}, ExitUsage},
		{"anything else", errors.New("objects of a recording"), ExitFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var coded *exitError
			if !errors.As(viewExit(tt.err), &coded) {
				t.Fatalf("viewExit(%v) carries no exit code", tt.err)
			}
			if coded.code != tt.want {
				t.Errorf("exit %d, want %d", coded.code, tt.want)
			}
		})
	}
	if err := viewExit(nil); err != nil {
		t.Errorf("viewExit(nil) = %v", err)
	}
}
