// Package cli implements the conveyor command's subcommands.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

// Execute runs the command line args and returns the process exit code.
func Execute(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return execute(ctx, args, stdout, stderr, defaultDeps())
}

func execute(ctx context.Context, args []string, stdout, stderr io.Writer, d *deps) int {
	root := newRoot(stdout, stderr, d)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	var coded *exitError
	if errors.As(err, &coded) {
		if coded.err != errSilent {
			fmt.Fprintln(stderr, "conveyor:", coded.err)
		}
		return coded.code
	}
	// Anything cobra itself rejects (unknown flag or command, wrong arguments) is a usage error.
	fmt.Fprintln(stderr, "conveyor:", err)
	fmt.Fprintln(stderr, "Run 'conveyor --help' for usage.")
	return ExitUsage
}

// errSilent ends a command with a code when the command has already said why.
var errSilent = errors.New("silent")

func newRoot(stdout, stderr io.Writer, d *deps) *cobra.Command {
	root := &cobra.Command{
		Use:   "conveyor",
		Short: "Conveyor: the platform's one command for developers and CI",
		Long: `Conveyor turns a catalog of module manifests into environments: namespaces,
workloads, databases and event topics, all named by convention and checked by policy.

The same program runs under 'pulumi up -s <stack>' and under this command.

The stack commands (preview, up, destroy, refresh, drift, env, deploy, promote) need:
  PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE  encrypts the stacks' secrets
  PULUMI_BACKEND_URL  where state lives (default file://$HOME/.conveyor/state: no account)
  PULUMI_CLI          a Pulumi CLI to use; without it, a pulumi on PATH of the version
                      pinned in tools/pulumi or newer, else that release downloaded once
                      into ~/.cache/conveyor, else (get.pulumi.com unreachable) built there
                      once from tools/pulumi, which takes minutes

Exit codes:
  0  success
  1  what was checked is wrong (invalid catalog, policy violation) or the operation failed
  2  drift: live state differs from the code (conveyor drift)
  3  usage: the command line is wrong
  4  setup: something the command needs is missing; the message says what to set`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(newValidate())
	root.AddCommand(newPreview(d), newUp(d), newDestroy(d), newRefresh(d), newDrift(d))
	root.AddCommand(newEnv(d), newDeploy(d, nil), newPromote(d), newHistory(d), newRollback(d))
	root.AddCommand(newPolicy(), newRender(), newExplain(d))
	root.AddCommand(newStatus(d), newLogs(d), newGraph(), newComment(d))
	root.AddCommand(newSecret(d), newDora(d), newCost(), newClusterFacts(d))
	root.AddCommand(newSleep(d), newWake(d))
	return root
}
