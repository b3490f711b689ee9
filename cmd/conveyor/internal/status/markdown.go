package status

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// WriteMarkdown writes the report as a part of a pull-request comment: the verdict, a table
// of every component, what is wrong, and what was not checked.
func WriteMarkdown(w io.Writer, r *Report) error {
	var b strings.Builder
	verdict := "healthy"
	if !r.Healthy {
		verdict = fmt.Sprintf("**degraded** (%d %s)", len(r.Problems), plural(len(r.Problems), "problem"))
	}
	fmt.Fprintf(&b, "`%s` is %s, checked %s on %s.\n\n", r.Environment, verdict, r.Checked.Format(time.RFC3339), r.Cluster)
	if r.Asleep {
		fmt.Fprintf(&b, "`%s` is asleep: its modules run no pods until `%s`.\n\n", r.Environment, r.Wake)
	}
	b.WriteString("| Module | Component | State | Pods | Restarts | Image |\n| :-- | :-- | :-- | --: | --: | :-- |\n")
	row := func(module string, c Component) {
		mark := "✅"
		if !c.Healthy {
			mark = "❌"
			if c.State == Progressing || c.State == Running {
				mark = "⏳"
			}
		}
		image := "`" + c.DesiredImage + "`"
		if c.ClusterImage != "" && c.ClusterImage != c.DesiredImage {
			image += " (cluster: `" + c.ClusterImage + "`)"
		}
		fmt.Fprintf(&b, "| %s | %s | %s %s | %d/%d | %d | %s |\n", module, c.Name, mark, c.State, c.Ready, c.Desired, c.Restarts, image)
	}
	for _, m := range r.Modules {
		for _, c := range m.Components {
			row(m.Name, c)
		}
	}
	for _, c := range r.Platform {
		row("platform", c)
	}
	if len(r.Problems) > 0 {
		b.WriteString("\n")
		for _, p := range r.Problems {
			fmt.Fprintf(&b, "- %s\n", cell(p))
		}
	}
	if len(r.Notes) > 0 {
		b.WriteString("\n<details>\n<summary>Not checked</summary>\n\n")
		for _, n := range r.Notes {
			fmt.Fprintf(&b, "- %s\n", cell(n))
		}
		b.WriteString("\n</details>\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// cell keeps a message on one line of Markdown.
func cell(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, "\n", " "), "|", `\|`) }
