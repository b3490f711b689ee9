package cli

import (
	"cmp"
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/opsummary"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
)

// imageChange is what promote and rollback report: the images they change and what their
// preview or update did.
type imageChange struct {
	doc     any // the --json document
	changes []stackops.ImageChange
	summary *opsummary.Summary
	// nothing is said when no image changes; markdown writes --markdown, when offered.
	nothing  string
	markdown func(io.Writer) error
}

// runImageChange runs op, which changes images (promote, rollback), and prints what it did;
// a refusal exits 3, a failed preview or update 1.
func runImageChange(cmd *cobra.Command, d *deps, out outputFlags, savePlan, message string,
	op func(ctx context.Context, r *stackops.Runner, o stackops.RunOptions) (*imageChange, error),
) error {
	r, err := d.runner(cmd.Context(), cmd.ErrOrStderr())
	if err != nil {
		return runnerExit(err)
	}
	o, pr := runOptions(cmd, d)
	o.Plan, o.Message = savePlan, message
	res, err := op(cmd.Context(), r, o)
	pr.Done()
	if refused, rerr := printRefusal(cmd, out, err); refused {
		return rerr
	}
	if res == nil {
		return runnerExit(err)
	}
	w := cmd.OutOrStdout()
	switch {
	case out.json:
		if werr := opsummary.WriteJSON(w, res.doc); werr != nil {
			return werr
		}
	case out.markdown && res.markdown != nil:
		if werr := res.markdown(w); werr != nil {
			return werr
		}
	default:
		if len(res.changes) == 0 {
			fmt.Fprintln(w, res.nothing)
		}
		if werr := writeImageChanges(w, res.changes, res.summary); werr != nil {
			return werr
		}
	}
	if err != nil {
		if res.summary != nil {
			return withCode(ExitFailed, errSilent)
		}
		return runnerExit(err)
	}
	return nil
}

// writeImageChanges prints the components whose images an operation changes, then its
// summary: promote and rollback say it the same way.
func writeImageChanges(w io.Writer, changes []stackops.ImageChange, s *opsummary.Summary) error {
	for _, c := range changes {
		fmt.Fprintf(w, "%s/%s: %s -> %s\n", c.Module, c.Component, cmp.Or(c.From, "(none)"), c.To)
		if c.RanIn != nil {
			fmt.Fprintf(w, "  ran in %s\n", c.RanIn)
		}
	}
	if s == nil {
		return nil
	}
	fmt.Fprintln(w)
	return opsummary.WriteText(w, s)
}
