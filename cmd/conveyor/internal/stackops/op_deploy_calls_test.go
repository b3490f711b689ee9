package stackops_test

import (
	"context"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/blang/semver"
	"github.com/google/go-cmp/cmp"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/opsummary"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackopstest"
	"github.com/conveyor-paas/conveyor/stacks/deployed"
)

// recordingCLI is the pinned Pulumi CLI with a record of the commands it was asked to run.
type recordingCLI struct {
	auto.PulumiCommand
	mu    sync.Mutex
	calls []string
}

func (c *recordingCLI) Run(ctx context.Context, workdir string, stdin io.Reader, out, errOut []io.Writer, env []string, args ...string) (string, string, int, error) {
	c.mu.Lock()
	c.calls = append(c.calls, strings.Join(commandWords(args), " "))
	c.mu.Unlock()
	return c.PulumiCommand.Run(ctx, workdir, stdin, out, errOut, env, args...)
}

func (c *recordingCLI) Version() semver.Version { return c.PulumiCommand.Version() }

// take returns the commands run since the last take.
func (c *recordingCLI) take() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	calls := c.calls
	c.calls = nil
	return calls
}

// commandWords are a CLI call's subcommand, without its flags: "stack export".
func commandWords(args []string) []string {
	var words []string
	for _, a := range args {
		if strings.HasPrefix(a, "-") {
			break
		}
		words = append(words, a)
	}
	return words
}

// TestDeployReadsTheStateOnce counts the Pulumi CLI calls of a gated deploy. Each costs the
// CLI's start and a read of the whole state (half a second to seconds: tests/bench/README.md);
// a deploy reads the state once, to find the module's resources, and takes from that read what
// the progress estimate and the policy gate need, instead of asking the CLI for the stack list
// and the outputs again (it made 14 calls, now 10). The calls the Automation API makes after
// `up` are its own.
func TestDeployReadsTheStateOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := stackopstest.NewEnv(t)
	opts := env.Options(t, stackopstest.Program)
	cli := &recordingCLI{PulumiCommand: opts.Pulumi}
	opts.Pulumi = cli
	var gated deployed.Images
	opts.Gate = func(_ context.Context, _ string, in stackops.GateInput) (stackops.GateResult, error) {
		gated = in.Deployed
		return stackops.GateResult{}, nil
	}
	e, err := stackops.New(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.CreateEnv(ctx, "dev", stackops.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	setConfig(t, e, "dev", "conveyor:images.quotes.api", "quotes:1", false)
	mustUp(t, e, "dev")
	if _, err := e.Deploy(ctx, stackops.DeployRequest{Env: "dev", Module: "quotes", Image: "quotes:2"}, stackops.RunOptions{}); err != nil {
		t.Fatal(err)
	}

	cli.take()
	var progress int
	o := stackops.RunOptions{Progress: func(p opsummary.Progress) { progress = max(progress, p.Total) }}
	if _, err := e.Deploy(ctx, stackops.DeployRequest{Env: "dev", Module: "quotes", Image: "quotes:3"}, o); err != nil {
		t.Fatal(err)
	}
	calls := cli.take()
	var before []string
	for _, c := range calls {
		if c == "up" {
			break
		}
		before = append(before, c)
	}
	// The stack, its state; the gate's decrypted config (the tags hold its secrets key); the
	// update's composed config (its tags again).
	want := []string{"stack select", "stack export", "stack tag ls", "config", "stack tag ls"}
	if diff := cmp.Diff(want, before); diff != "" {
		t.Errorf("the CLI calls of a deploy before its up (-want +got):\n%s\nall calls: %q", diff, calls)
	}
	if diff := cmp.Diff(deployed.Images{"quotes": {"api": "quotes:2"}}, gated); diff != "" {
		t.Errorf("the gate was handed the deployed images (-want +got):\n%s", diff)
	}
	if progress == 0 {
		t.Errorf("the deploy's progress never had a total: the estimate from its read of the state is lost")
	}
}
