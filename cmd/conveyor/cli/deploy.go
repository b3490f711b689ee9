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

func newDeploy(d *deps) *cobra.Command {
	var req stackops.DeployRequest
	var message, sourceTime string
	var out outputFlags
	cmd := &cobra.Command{
		Use:   "deploy --env <env> --module <module> --image <ref>",
		Short: "Run a new image of one module's component, touching nothing else",
		Long: `Deploy runs an update that asks for the image and is targeted at that module only: its conveyor:platform:Module component and every resource under
it. Other modules stay exactly as they are, even if the code changed for them: a service
team's deploy never ships anyone else's pending change.

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
			s, err := operate(cmd, d, req.Env, func(ctx context.Context, r *stackops.Runner, o stackops.RunOptions) (*opsummary.Summary, error) {
				o.Message = message
				return r.Deploy(ctx, req, o)
			})
			return printSummary(cmd, out, s, err)
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
