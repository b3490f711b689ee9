package opsummary

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
)

// titles name each operation at the head of its summary.
var titles = map[string]string{
	"preview": "Preview",
	"update":  "Update",
	"destroy": "Destroy",
	"refresh": "Refresh",
	"drift":   "Drift check",
}

func title(op string) string {
	if t, ok := titles[op]; ok {
		return t
	}
	return op
}

// Headline is the one-line summary: what ran, where, how it ended, and the counts.
func Headline(s *Summary) string {
	if s.Result == Failed && len(s.Changes) == 0 {
		// It failed before the engine counted anything: there is nothing to count.
		return fmt.Sprintf("%s of %s %s.", title(s.Operation), s.Environment, s.Result)
	}
	return fmt.Sprintf("%s of %s %s in %ds: %s.", title(s.Operation), s.Environment, s.Result, s.DurationSeconds, CountsLine(s))
}

// CountsLine says the changes in words: "2 to create, 1 to update, 4 unchanged".
func CountsLine(s *Summary) string {
	var parts []string
	for _, op := range changeOps(s.Changes) {
		parts = append(parts, fmt.Sprintf("%d %s", s.Changes[op], verb(op, s.DryRun)))
	}
	if n := s.Changes[OpSame]; n > 0 || len(parts) == 0 {
		parts = append(parts, fmt.Sprintf("%d %s", n, verb(OpSame, s.DryRun)))
	}
	return strings.Join(parts, ", ")
}

// changeOps lists the ops other than same that have a count, in display order, then any op
// the engine reported that Conveyor does not know, sorted.
func changeOps(changes map[string]int) []string {
	var ops []string
	for _, op := range opOrder {
		if changes[op] > 0 {
			ops = append(ops, op)
		}
	}
	var unknown []string
	for op, n := range changes {
		if _, known := rank[op]; !known && n > 0 {
			unknown = append(unknown, op)
		}
	}
	slices.Sort(unknown)
	return append(ops, unknown...)
}

// typeOps lists the ops that appear in the by-type table, in display order.
func typeOps(s *Summary) []string {
	all := map[string]int{}
	for _, t := range s.ByType {
		for op, n := range t.Changes {
			all[op] += n
		}
	}
	return changeOps(all)
}

// WriteText writes the summary for a person reading a terminal or a CI log.
func WriteText(w io.Writer, s *Summary) error {
	var b strings.Builder
	fmt.Fprintln(&b, Headline(s))
	if s.Plan != "" {
		if s.DryRun {
			fmt.Fprintf(&b, "Plan saved to %s: apply exactly these changes with --plan.\n", s.Plan)
		} else {
			fmt.Fprintf(&b, "Applied the plan %s.\n", s.Plan)
		}
	}
	if len(s.Targets) > 0 {
		fmt.Fprintf(&b, "Limited to %d targeted resources.\n", len(s.Targets))
	}
	if s.LockRetries > 0 {
		fmt.Fprintf(&b, "Waited %d time(s) for another operation's stack lock.\n", s.LockRetries)
	}
	if s.Recovered {
		fmt.Fprintln(&b, "Removed the lock of a killed operation first.")
	}
	if len(s.Swept) > 0 {
		fmt.Fprintf(&b, "Deleted %d object(s) a killed operation left and no state held: %s.\n", len(s.Swept), strings.Join(s.Swept, ", "))
	}
	if s.Skipped != "" {
		fmt.Fprintf(&b, "Nothing to do: %s.\n", s.Skipped)
	}
	if ops := typeOps(s); len(ops) > 0 {
		fmt.Fprintln(&b)
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		header := []string{"TYPE"}
		for _, op := range ops {
			header = append(header, strings.ToUpper(op))
		}
		fmt.Fprintln(tw, strings.Join(header, "\t"))
		for _, t := range s.ByType {
			row := []string{t.Type}
			for _, op := range ops {
				row = append(row, countCell(t.Changes[op], "-"))
			}
			fmt.Fprintln(tw, strings.Join(row, "\t"))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintln(&b)
		tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		for _, r := range s.Resources {
			line := fmt.Sprintf("  %s\t%s\t%s", symbol(r.Op), r.Type, r.Name)
			if len(r.Diffs) > 0 {
				line += "\t[" + strings.Join(r.Diffs, ", ") + "]"
			}
			if r.Failed {
				line += "\tFAILED"
			}
			fmt.Fprintln(tw, line)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if len(s.Diagnostics) > 0 {
		fmt.Fprintln(&b)
		for _, d := range s.Diagnostics {
			where := ""
			if d.URN != "" {
				where = " (" + urnName(d.URN) + ")"
			}
			fmt.Fprintf(&b, "%s%s: %s\n", d.Severity, where, indentRest(d.Message, "    "))
		}
	}
	if len(s.Outputs) > 0 {
		fmt.Fprintln(&b, "\nOutputs:")
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		for _, k := range slices.Sorted(maps.Keys(s.Outputs)) {
			v, err := json.Marshal(s.Outputs[k])
			if err != nil {
				return fmt.Errorf("formatting output %s: %w", k, err)
			}
			fmt.Fprintf(tw, "  %s\t%s\n", k, v)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if s.Error != "" {
		fmt.Fprintf(&b, "\nerror: %s\n", indentRest(s.Error, "    "))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteJSON writes the summary document that --json promises.
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func countCell(n int, zero string) string {
	if n == 0 {
		return zero
	}
	return fmt.Sprint(n)
}

func indentRest(s, indent string) string {
	return strings.ReplaceAll(strings.TrimSpace(s), "\n", "\n"+indent)
}
