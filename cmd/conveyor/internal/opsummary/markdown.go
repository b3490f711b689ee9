package opsummary

import (
	"fmt"
	"io"
	"strings"
)

// CommentMarker starts every Markdown summary, so that a pipeline can find the comment it
// posted on a pull request before and edit it instead of adding another.
func CommentMarker(env string) string { return "<!-- conveyor-preview:" + env + " -->" }

// maxListed bounds the resources listed in a comment: GitHub refuses comments over 65536
// characters, and a reviewer reads the counts, not hundreds of rows.
const maxListed = 200

// WriteMarkdown writes the summary as a pull-request comment: the counts in words, the
// changes by resource type, and the changing resources folded away below.
func WriteMarkdown(w io.Writer, s *Summary) error {
	if _, err := fmt.Fprintln(w, CommentMarker(s.Environment)); err != nil {
		return err
	}
	return WriteMarkdownBody(w, s)
}

// WriteMarkdownBody writes the summary as WriteMarkdown does, without the comment's marker:
// the part of a comment composed of several.
func WriteMarkdownBody(w io.Writer, s *Summary) error {
	var b strings.Builder
	fmt.Fprintf(&b, "### Conveyor %s of `%s`: %s\n\n", strings.ToLower(title(s.Operation)), s.Environment, s.Result)
	if s.HasChanges() {
		fmt.Fprintf(&b, "**%s** (%ds)\n", CountsLine(s), s.DurationSeconds)
	} else {
		fmt.Fprintf(&b, "**No changes:** %d resources %s. (%ds)\n", s.Changes[OpSame], verb(OpSame, s.DryRun), s.DurationSeconds)
	}

	if ops := typeOps(s); len(ops) > 0 {
		b.WriteString("\n| Resource type |")
		for _, op := range ops {
			fmt.Fprintf(&b, " %s |", capitalize(op))
		}
		b.WriteString("\n| :-- |")
		b.WriteString(strings.Repeat(" --: |", len(ops)))
		b.WriteString("\n")
		for _, t := range s.ByType {
			fmt.Fprintf(&b, "| `%s` |", t.Type)
			for _, op := range ops {
				fmt.Fprintf(&b, " %s |", countCell(t.Changes[op], ""))
			}
			b.WriteString("\n")
		}

		fmt.Fprintf(&b, "\n<details>\n<summary>%d resources change</summary>\n\n", len(s.Resources))
		b.WriteString("| Change | Type | Name | Properties |\n| :-- | :-- | :-- | :-- |\n")
		for i, r := range s.Resources {
			if i == maxListed {
				fmt.Fprintf(&b, "| … | %d more | | |\n", len(s.Resources)-maxListed)
				break
			}
			change := r.Op
			if r.Failed {
				change += " (failed)"
			}
			fmt.Fprintf(&b, "| %s | `%s` | `%s` | %s |\n", change, r.Type, r.Name, mdCode(r.Diffs))
		}
		b.WriteString("\n</details>\n")
	}

	if len(s.Diagnostics) > 0 {
		b.WriteString("\n")
		for _, d := range s.Diagnostics {
			fmt.Fprintf(&b, "> **%s**", d.Severity)
			if d.URN != "" {
				fmt.Fprintf(&b, " `%s`", urnName(d.URN))
			}
			fmt.Fprintf(&b, ": %s\n", strings.ReplaceAll(strings.TrimSpace(d.Message), "\n", "\n> "))
		}
	}
	if s.Plan != "" && s.DryRun {
		fmt.Fprintf(&b, "\nThe plan was saved; `conveyor up --env %s --plan <file>` applies exactly these changes.\n", s.Environment)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func mdCode(items []string) string {
	if len(items) == 0 {
		return ""
	}
	return "`" + strings.Join(items, "`, `") + "`"
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
