package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/human"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/opsummary"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
)

// outputFlags are the ways a command can print its result. Progress always goes to standard
// error, so that standard output holds only the result a pipeline may capture.
type outputFlags struct {
	json     bool
	markdown bool
}

func (o *outputFlags) register(cmd *cobra.Command, markdown bool) {
	cmd.Flags().BoolVar(&o.json, "json", false, "print the result as a JSON document on standard output (progress still goes to standard error)")
	if markdown {
		cmd.Flags().BoolVar(&o.markdown, "markdown", false, "print the summary as Markdown for a pull-request comment")
		cmd.MarkFlagsMutuallyExclusive("json", "markdown")
	}
}

// runOptions wires an operation's progress and notices to the command's standard error.
func runOptions(cmd *cobra.Command, d *deps) (stackops.RunOptions, *opsummary.Printer) {
	pr := &opsummary.Printer{W: cmd.ErrOrStderr(), Terminal: d.terminal(cmd.ErrOrStderr())}
	return stackops.RunOptions{
		Progress: pr.Progress,
		Notify:   func(msg string) { pr.Printf("conveyor: %s", msg) },
	}, pr
}

// operate runs one stack operation on env, with its progress on standard error, and
// returns its summary for the command to print.
func operate(cmd *cobra.Command, d *deps, env string, op func(ctx context.Context, r *stackops.Runner, o stackops.RunOptions) (*opsummary.Summary, error)) (*opsummary.Summary, error) {
	r, err := d.runnerFor(cmd.Context(), cmd.ErrOrStderr(), env)
	if err != nil {
		return nil, err
	}
	o, pr := runOptions(cmd, d)
	s, err := op(cmd.Context(), r, o)
	pr.Done()
	return s, err
}

// printSummary prints an operation's summary as asked and turns the operation's outcome into
// the command's: a failed operation has printed why in its summary, so it ends silently with
// ExitFailed; an operation that never started ends with its error.
func printSummary(cmd *cobra.Command, out outputFlags, s *opsummary.Summary, opErr error) error {
	if refused, err := printRefusal(cmd, out, opErr); refused {
		return err
	}
	if s == nil {
		return runnerExit(opErr)
	}
	if err := writeSummary(cmd, out, s); err != nil {
		return err
	}
	if opErr != nil {
		if out.json || out.markdown {
			// The document carries the error; say it on standard error too, for the log.
			fmt.Fprintln(cmd.ErrOrStderr(), "conveyor:", s.Error)
		}
		return withCode(ExitFailed, errSilent)
	}
	return nil
}

func writeSummary(cmd *cobra.Command, out outputFlags, s *opsummary.Summary) error {
	w := cmd.OutOrStdout()
	switch {
	case out.json:
		return opsummary.WriteJSON(w, s)
	case out.markdown:
		return opsummary.WriteMarkdown(w, s)
	}
	return opsummary.WriteText(w, s)
}

// ago says how long ago t was, in the largest unit that keeps it short.
func ago(now, t time.Time) string { return human.Ago(now, t) }

// short writes a duration as 45s, 12m, 30h or 3d.
func short(d time.Duration) string { return human.Duration(d) }
