package cli

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/dora"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/opsummary"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
)

// doraDocument is what `dora --json` prints.
type doraDocument struct {
	Env string `json:"env"`
	dora.Report
}

func newDora(d *deps) *cobra.Command {
	var env, since, fixWindow, module string
	var out outputFlags
	cmd := &cobra.Command{
		Use:   "dora --env <env>",
		Short: "DORA's delivery figures of an environment, from its own history",
		Long: `Dora computes the DORA software delivery figures of an environment, in total and per
module, from the platform's own records only: the updates 'conveyor history' lists, and the
source commit each deploy and promotion recorded. No exporter, no other system.

  deployment frequency   deployments (deploys and promotions of a module) a day
  lead time for changes  median time from an image's commit to its deployment
  change failure rate    share of deployments followed by a rollback of the module, or by
                         another deploy of it within --fix-window (a fix)
  time to restore        median time from a failed deployment to the module's next healthy
                         change (a rollback, or a deploy that did not fail)
  deployment rework rate share of deployments and rollbacks that were rollbacks or fixes

Each figure comes with its DORA performance band (elite, high, medium, low), or says plainly
why it has no value: lead time needs the source commit's time, which 'conveyor deploy
--source-time' (or the image's org.opencontainers.image.created label) records.

The bands: elite, a deployment a day or more, lead time under a day, at most 5 % failed,
restored within an hour; high, weekly, under a week, 10 %, a day; medium, monthly, under a
month, 15 %, a week; low beyond. Sources: DORA's "software delivery metrics: the four keys"
(dora.dev), the Accelerate State of DevOps reports 2024 (throughput and recovery bands,
rework rate) and 2023 (failure rate bands). Definitions in full: docs/dora.md.

Exits 0 on success, 3 for a bad flag, 4 when the backend, the passphrase or the environment
is missing.`,
		Example: `  conveyor dora --env prod
  conveyor dora --env prod --since 30d --module quotes
  conveyor dora --env prod --markdown >> "$GITHUB_STEP_SUMMARY"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			period, err := parseSpan(since)
			if err != nil || period == 0 {
				return withCode(ExitUsage, fmt.Errorf("--since %s: a period such as 90d or 720h", since))
			}
			window, err := parseSpan(fixWindow)
			if err != nil {
				return withCode(ExitUsage, fmt.Errorf("--fix-window: %w", err))
			}
			r, err := d.runner(cmd.Context(), cmd.ErrOrStderr())
			if err != nil {
				return runnerExit(err)
			}
			h, err := r.History(cmd.Context(), env)
			if err != nil {
				return runnerExit(err)
			}
			now := d.now()
			doc := doraDocument{Env: env, Report: dora.Compute(doraChanges(h), dora.Options{
				Since: now.Add(-period), Until: now, FixWindow: window, Module: module,
			})}
			w := cmd.OutOrStdout()
			switch {
			case out.json:
				return opsummary.WriteJSON(w, doc)
			case out.markdown:
				return writeDoraMarkdown(w, doc)
			}
			return writeDoraText(w, doc)
		},
	}
	requireEnv(cmd, &env)
	cmd.Flags().StringVar(&since, "since", "90d", "the period the figures cover, back from now: 90d, 720h")
	cmd.Flags().StringVar(&fixWindow, "fix-window", "1h", "a deploy of a module this soon after its previous deploy is a fix, and that one failed")
	cmd.Flags().StringVar(&module, "module", "", "the figures of this module only")
	out.register(cmd, true)
	return cmd
}

// doraChanges turns an environment's history into the module changes the figures count:
// every successful update that changed images, once per module. An update that recorded no
// change record (made before Conveyor recorded them) counts as a deploy without a source.
func doraChanges(h []stackops.HistoryEntry) []dora.Change {
	var out []dora.Change
	for _, u := range h {
		if u.Kind != "update" || u.Result != "succeeded" || len(u.Images) == 0 {
			continue
		}
		kind := dora.Deploy
		if u.Change != nil && u.Change.Operation == stackops.OperationRollback {
			kind = dora.Rollback
		}
		when := u.End
		if when.IsZero() {
			when = u.Start
		}
		for _, m := range u.Images.Modules() {
			c := dora.Change{Update: u.Version, Time: when, Module: m, Kind: kind}
			// A module whose components run images of different commits: its lead time is
			// that of its oldest commit.
			for _, img := range u.Images[m] {
				if src, ok := u.Change.SourceOf(img); ok && !src.Time.IsZero() && (c.SourceTime.IsZero() || src.Time.Before(c.SourceTime)) {
					c.SourceTime = src.Time
				}
			}
			out = append(out, c)
		}
	}
	return out
}

type doraRow struct {
	name string
	f    dora.Figure
}

func doraRows(f dora.Figures) []doraRow {
	return []doraRow{
		{"deployment frequency", f.DeploymentFrequency},
		{"lead time for changes", f.LeadTime},
		{"change failure rate", f.ChangeFailureRate},
		{"time to restore", f.TimeToRestore},
		{"deployment rework rate", f.ReworkRate},
	}
}

// showFigure writes a figure's value with its unit, or that it has none.
func showFigure(f dora.Figure) string {
	if f.Value == nil {
		return "no data"
	}
	v := *f.Value
	switch f.Unit {
	case dora.PerDay:
		if v < 1 {
			return fmt.Sprintf("%.2f a day (one every %s)", v, short(time.Duration(float64(24*time.Hour)/v)))
		}
		return fmt.Sprintf("%.1f a day", v)
	case dora.Hours:
		return short(time.Duration(v * float64(time.Hour)))
	}
	return fmt.Sprintf("%.1f %%", v)
}

func writeDoraText(out io.Writer, doc doraDocument) error {
	fmt.Fprintf(out, "DORA figures of %s, %s to %s (fix window %s)\n", doc.Env, doc.Since.UTC().Format(time.DateOnly), doc.Until.UTC().Format(time.DateOnly), doc.FixWindow)
	scopes := append([]dora.Module{{Name: "all modules", Figures: doc.Total}}, doc.Modules...)
	if len(doc.Modules) == 1 {
		scopes = doc.Modules
	}
	for _, s := range scopes {
		fmt.Fprintf(out, "\n%s: %d deployed, %d rolled back, %d failed\n", s.Name, s.Deployments, s.Rollbacks, s.Failures)
		w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		for _, r := range doraRows(s.Figures) {
			fmt.Fprintf(w, "  %s\t%s\t%s\t%s\n", r.name, showFigure(r.f), bandOf(r.f), strings.TrimSpace(r.f.Basis+r.f.NoData))
		}
		if err := w.Flush(); err != nil {
			return err
		}
	}
	return nil
}

func bandOf(f dora.Figure) string {
	if f.Band == "" {
		return "-"
	}
	return string(f.Band)
}

func writeDoraMarkdown(w io.Writer, doc doraDocument) error {
	fmt.Fprintf(w, "### DORA figures of `%s`, %s to %s\n\n", doc.Env, doc.Since.UTC().Format(time.DateOnly), doc.Until.UTC().Format(time.DateOnly))
	fmt.Fprintln(w, "| Scope | Figure | Value | Band | Basis |\n| :-- | :-- | --: | :-- | :-- |")
	scopes := append([]dora.Module{{Name: "all modules", Figures: doc.Total}}, doc.Modules...)
	for _, s := range scopes {
		for _, r := range doraRows(s.Figures) {
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", s.Name, r.name, showFigure(r.f), bandOf(r.f), r.f.Basis+r.f.NoData)
		}
	}
	_, err := fmt.Fprintln(w, "\nDefinitions and bands: docs/dora.md.")
	return err
}
