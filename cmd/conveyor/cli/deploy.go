package cli

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/opsummary"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
)

// deployOptions are what `conveyor deploy` parsed from its command line, checked.
type deployOptions struct {
	Request stackops.DeployRequest
	Message string
	Output  outputFlags
}

// newDeploy makes `conveyor deploy`. runF, when set, receives the parsed and checked options
// instead of the deploy running: the seam a test checks the flags through without a backend
// or a Pulumi CLI (cli/cli's pattern); the command passes nil.
func newDeploy(d *deps, runF func(*deployOptions) error) *cobra.Command {
	var req stackops.DeployRequest
	var message, sourceTime string
	var out outputFlags
	cmd := &cobra.Command{
		Use:   "deploy --env <env> --module <module> --image <ref>",
		Short: "Run a new image of one module's component, touching nothing else",
		Long: `Deploy runs an update that asks for the image and is targeted at that module only: its conveyor:platform:Module component and every resource under
it. Other modules stay exactly as they are, even if the code changed for them: a service
team's deploy never ships anyone else's pending change.

The module's jobs whose manifest image is of the deployed component's repository (its
migrations: the same image with another argument, such as args: [migrate]) get the new image
too, and run again, complete, before the component's new pods start. A job of another image
keeps its own: deploy it with --component.

No file is written. The update itself, once it holds the environment's lock, reads the images
the environment runs from its last checkpoint, puts this one over them and records the result
(the stack output deployedImages): two deploys of different modules at once keep each other's
image, and a pipeline's fresh clone never rolls a deploy back. 'conveyor history' lists them,
'conveyor rollback' puts earlier ones back.

Each deploy records where its image came from: --source-commit (default $GITHUB_SHA) and
--source-time, the commit's time, which 'conveyor dora' measures lead time from; a promotion
carries them along. Where CI passes neither, they stay unknown and 'conveyor dora' says so.

The module must exist in the environment already ('conveyor up' creates it). prod is refused:
it takes images through 'conveyor promote --save-plan' and a reviewed plan.

Exits 0 on success, 1 when the update failed, 3 for a bad name or prod, 4 when a backend,
passphrase or the environment is missing.`,
		Example: `  # what the merge pipeline runs after building quotes
  conveyor deploy --env dev --module quotes --image europe-docker.pkg.dev/acme/quotes/api:3f9c2e1 \
    --source-time "$(git show -s --format=%cI HEAD)"

  # a component other than api
  conveyor deploy --env dev --module policies --component renewals --image .../renewals:1.4.0`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := stackops.CheckDeploy(req); err != nil {
				return runnerExit(err)
			}
			if req.Source.Commit == "" {
				req.Source.Commit = os.Getenv("GITHUB_SHA")
			}
			if sourceTime != "" {
				t, err := time.Parse(time.RFC3339, sourceTime)
				if err != nil {
					return withCode(ExitUsage, fmt.Errorf("--source-time %q: want the commit's time in RFC 3339, as `git show -s --format=%%cI` writes it", sourceTime))
				}
				req.Source.Time = t
			}
			opts := &deployOptions{Request: req, Message: message, Output: out}
			if runF != nil {
				return runF(opts)
			}
			return runDeploy(cmd, d, opts)
		},
	}
	requireEnv(cmd, &req.Env)
	cmd.Flags().StringVar(&req.Module, "module", "", "the module to deploy")
	cmd.Flags().StringVar(&req.Component, "component", stackops.DefaultComponent, "the module's component that runs the image")
	cmd.Flags().StringVar(&req.Image, "image", "", "the image reference, ideally by digest or an immutable tag")
	cmd.Flags().StringVar(&req.Source.Commit, "source-commit", "", "the commit the image was built from (default $GITHUB_SHA)")
	cmd.Flags().StringVar(&sourceTime, "source-time", "", "when that commit was made, RFC 3339 (git show -s --format=%cI)")
	cmd.Flags().StringVarP(&message, "message", "m", "", "a message recorded with the update")
	_ = cmd.MarkFlagRequired("module")
	_ = cmd.MarkFlagRequired("image")
	out.register(cmd, false)
	return cmd
}

// runDeploy runs the deploy opts asks for and prints its summary.
func runDeploy(cmd *cobra.Command, d *deps, opts *deployOptions) error {
	s, err := operate(cmd, d, opts.Request.Env, func(ctx context.Context, r *stackops.Runner, o stackops.RunOptions) (*opsummary.Summary, error) {
		o.Message = opts.Message
		return r.Deploy(ctx, opts.Request, o)
	})
	noteAsleep(cmd, d, opts.Request.Env)
	return printSummary(cmd, opts.Output, s, err)
}
