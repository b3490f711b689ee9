package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/opsummary"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
)

func newPromote(d *deps) *cobra.Command {
	var req stackops.PromoteRequest
	var savePlan, message string
	var out outputFlags
	cmd := &cobra.Command{
		Use:   "promote --from <env> --to <env>",
		Short: "Copy the images that run in one environment to another",
		Long: `Promote copies the images that run in one environment to another: its stack file's
and those its deploys set, as its last update recorded them, that is what really runs there.
--module limits it to one module. Into dev, staging and prod images are pinned to the digest
their registry serves (repo:tag@sha256:...), so a moved tag never changes what is promoted.

Production is promoted only from staging, and only from staging's release record (written by
each update of staging, at $CONVEYOR_RELEASE_RECORD): every image a digest, each shown with the
staging update that ran it. A tag in staging is refused.

The changed images are the request of a preview of the destination; no file is written. To
production this is the first half of a change: --save-plan writes the plan, a person reviews
it, and 'conveyor up --env prod --plan <file>' applies exactly that (the plan carries the
images to the job that applies it). Elsewhere --yes applies the promotion at once.
--markdown prints the image changes and the preview for a pipeline's job summary.

Of a split environment ('conveyor env split') the images that run are its module stacks'
(E.<module>), and a promotion into one updates, or previews, each changed module's stack
alone, one after the other; saving a plan of it is refused (a plan is one stack's).

Exits 0 on success (also when there is nothing to promote), 1 when the preview or update
failed, 3 for --yes to prod, 4 when a backend, passphrase or an environment is missing.`,
		Example: `  # everything staging runs, to prod, through a reviewed plan
  conveyor promote --from staging --to prod --save-plan prod.plan.json
  conveyor up --env prod --plan prod.plan.json

  # one module from dev to staging, right away
  conveyor promote --from dev --to staging --module quotes --yes`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := stackops.CheckPromote(req); err != nil {
				return runnerExit(err)
			}
			return runImageChange(cmd, d, out, savePlan, message, func(ctx context.Context, r *stackops.Runner, o stackops.RunOptions) (*imageChange, error) {
				res, err := r.Promote(ctx, req, o)
				if res == nil {
					return nil, err
				}
				return &imageChange{
					doc: res, changes: res.Changes, summary: res.Summary,
					nothing:  fmt.Sprintf("%s already runs the images of %s: nothing to promote", req.To, req.From),
					markdown: func(w io.Writer) error { return writePromotionMarkdown(w, res) },
				}, err
			})
		},
	}
	cmd.Flags().StringVar(&req.From, "from", "", "the environment whose images to copy")
	cmd.Flags().StringVar(&req.To, "to", "", "the environment to copy them to")
	cmd.Flags().StringVar(&req.Module, "module", "", "promote only this module")
	cmd.Flags().BoolVar(&req.Apply, "yes", false, "apply the promotion at once instead of previewing it (never to prod)")
	cmd.Flags().StringVar(&savePlan, "save-plan", "", "save the preview's update plan to this file, for 'conveyor up --plan'")
	cmd.Flags().StringVarP(&message, "message", "m", "", "a message recorded with the operation")
	_ = cmd.MarkFlagRequired("from")
	_ = cmd.MarkFlagRequired("to")
	cmd.MarkFlagsMutuallyExclusive("yes", "save-plan")
	out.register(cmd, true)
	return cmd
}

// writePromotionMarkdown writes the image changes and the summary of their preview, for a
// pipeline's job summary where the reviewer of a production plan reads it.
func writePromotionMarkdown(w io.Writer, res *stackops.PromoteResult) error {
	fmt.Fprintf(w, "### Promotion from `%s` to `%s`\n\n", res.From, res.To)
	if len(res.Changes) == 0 {
		_, err := fmt.Fprintf(w, "%s already runs the images of %s: nothing to promote.\n", res.To, res.From)
		return err
	}
	fmt.Fprintln(w, "| Module | Component | From | To | Ran in |\n| :-- | :-- | :-- | :-- | :-- |")
	for _, c := range res.Changes {
		ran := ""
		if c.RanIn != nil {
			ran = c.RanIn.String()
		}
		fmt.Fprintf(w, "| `%s` | `%s` | `%s` | `%s` | %s |\n", c.Module, c.Component, c.From, c.To, ran)
	}
	if res.Summary == nil {
		return nil
	}
	fmt.Fprintln(w)
	return opsummary.WriteMarkdown(w, res.Summary)
}
