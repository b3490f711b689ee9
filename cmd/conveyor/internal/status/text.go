package status

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/human"
)

// Verdict is the report's first line: the environment, healthy or degraded, and how the
// cluster was reached.
func (r *Report) Verdict() string {
	state := "healthy"
	if !r.Healthy {
		state = fmt.Sprintf("degraded (%d %s)", len(r.Problems), plural(len(r.Problems), "problem"))
	}
	return fmt.Sprintf("%s is %s, checked %s on %s", r.Environment, state, r.Checked.Format(time.RFC3339), r.Cluster)
}

// asleepLine says that the environment sleeps and how to wake it.
func (r *Report) asleepLine() string {
	return fmt.Sprintf("%s is asleep: its modules run no pods until %s", r.Environment, r.Wake)
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// WriteJSON writes the report as the document `status --json` prints.
func WriteJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("writing the status: %w", err)
	}
	return nil
}

// row is one component's line of the table, and the lines that explain it.
type row struct {
	cells   [6]string
	details []string
}

var header = [6]string{"COMPONENT", "KIND", "STATE", "PODS", "RESTARTS", "IMAGE"}

// WriteText writes the report for a terminal: a table per module, each component's reason,
// endpoint, last run and warning events below it, then the problems.
func WriteText(w io.Writer, r *Report) error {
	var b strings.Builder
	fmt.Fprintln(&b, r.Verdict())
	if r.Asleep {
		fmt.Fprintln(&b, r.asleepLine())
	}
	type block struct {
		title string
		rows  []row
	}
	var blocks []block
	for _, m := range r.Modules {
		bl := block{title: fmt.Sprintf("%s/%s (namespace %s)", m.Space, m.Name, m.Namespace)}
		for _, c := range m.Components {
			bl.rows = append(bl.rows, componentRow(c, r.Checked))
		}
		if m.Database != nil {
			bl.rows = append(bl.rows, presenceRow("database", []Presence{*m.Database}))
		}
		if len(m.Topics) > 0 {
			bl.rows = append(bl.rows, presenceRow("topics", m.Topics))
		}
		if len(m.Subscriptions) > 0 {
			bl.rows = append(bl.rows, presenceRow("subscriptions", m.Subscriptions))
		}
		blocks = append(blocks, bl)
	}
	if len(r.Platform) > 0 {
		bl := block{title: "platform"}
		for _, c := range r.Platform {
			bl.rows = append(bl.rows, componentRow(c, r.Checked))
		}
		blocks = append(blocks, bl)
	}
	var widths [6]int
	for i, h := range header {
		widths[i] = len(h)
	}
	for _, bl := range blocks {
		for _, rw := range bl.rows {
			for i, cell := range rw.cells {
				if rw.cells[1] != "" || i == 0 {
					widths[i] = max(widths[i], len(cell))
				}
			}
		}
	}
	line := func(cells [6]string) string {
		var parts []string
		for i, cell := range cells {
			if i == len(cells)-1 {
				parts = append(parts, cell)
			} else {
				parts = append(parts, cell+strings.Repeat(" ", widths[i]-len(cell)))
			}
		}
		return strings.TrimRight("  "+strings.Join(parts, "  "), " ")
	}
	indent := strings.Repeat(" ", 2+widths[0]+2)
	for _, bl := range blocks {
		fmt.Fprintf(&b, "\n%s\n%s\n", bl.title, line(header))
		for _, rw := range bl.rows {
			if rw.cells[1] == "" {
				// A presence row: its name, then what it says, unaligned.
				fmt.Fprintf(&b, "  %s%s%s\n", rw.cells[0], strings.Repeat(" ", widths[0]-len(rw.cells[0])+2), rw.cells[5])
			} else {
				fmt.Fprintln(&b, line(rw.cells))
			}
			for _, d := range rw.details {
				fmt.Fprintf(&b, "%s%s\n", indent, d)
			}
		}
	}
	if len(r.Problems) > 0 {
		b.WriteString("\nProblems:\n")
		for _, p := range r.Problems {
			fmt.Fprintf(&b, "  %s\n", p)
		}
	}
	if len(r.Notes) > 0 {
		b.WriteString("\nNot checked:\n")
		for _, n := range r.Notes {
			fmt.Fprintf(&b, "  %s\n", n)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func componentRow(c Component, now time.Time) row {
	image := c.DesiredImage
	if running := strings.Join(c.RunningImages, ", "); running != "" && running != c.DesiredImage {
		image += " (runs " + running + ")"
	} else if c.ClusterImage != "" && c.ClusterImage != c.DesiredImage {
		image += " (cluster has " + c.ClusterImage + ")"
	}
	pods := fmt.Sprintf("%d/%d", c.Ready, c.Desired)
	if c.State == Missing {
		pods = "-"
	}
	rw := row{cells: [6]string{c.Name, c.Kind, c.State, pods, fmt.Sprint(c.Restarts), image}}
	if c.Reason != "" {
		rw.details = append(rw.details, c.Reason)
	}
	if e := c.Endpoint; e != nil {
		switch {
		case !e.Exists:
			rw.details = append(rw.details, "endpoint "+e.URL+" (no Service)")
		default:
			rw.details = append(rw.details, fmt.Sprintf("endpoint %s (%d ready)", e.URL, e.Ready))
		}
	}
	if run := c.LastRun; run != nil {
		rw.details = append(rw.details, runLine(run, now))
	}
	if c.NextRun != nil {
		rw.details = append(rw.details, "next run "+c.NextRun.Format(time.RFC3339)+" (in "+human.Duration(c.NextRun.Sub(now))+")")
	}
	for _, e := range c.Events {
		count := ""
		if e.Count > 1 {
			count = fmt.Sprintf(" (x%d)", e.Count)
		}
		rw.details = append(rw.details, fmt.Sprintf("warning %s ago, %s: %s: %s%s", human.Duration(now.Sub(e.Time)), e.Object, e.Reason, e.Message, count))
	}
	return rw
}

func runLine(run *Run, now time.Time) string {
	s := "last run"
	if run.Job != "" {
		s += " " + run.Job
	}
	s += ": " + run.Outcome
	if run.Started != nil {
		s += ", started " + human.Duration(now.Sub(*run.Started)) + " ago"
	}
	if run.Started != nil && run.Finished != nil {
		s += ", took " + human.Duration(run.Finished.Sub(*run.Started))
	}
	return s
}

func presenceRow(what string, ps []Presence) row {
	var parts []string
	for _, p := range ps {
		parts = append(parts, fmt.Sprintf("%s %s (%s)", p.Name, p.State, p.How))
	}
	rw := row{cells: [6]string{what, "", "", "", "", parts[0]}}
	rw.details = parts[1:]
	return rw
}
