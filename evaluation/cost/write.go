package cost

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// Money writes an amount in the estimate's currency, whole units.
func (e Estimate) Money(v float64) string { return money(v, e.Prices.Currency) }

func money(v float64, currency string) string { return fmt.Sprintf("%.0f %s", v, currency) }

// show writes a range of money: one amount when both ends agree.
func show(r Range, currency string) string {
	if fmt.Sprintf("%.0f", r.Min) == fmt.Sprintf("%.0f", r.Max) {
		return money(r.Min, currency)
	}
	return fmt.Sprintf("%.0f to %s", r.Min, money(r.Max, currency))
}

// signed writes a change of money with its sign.
func signed(r Range, currency string) string {
	s := func(v float64) string { return fmt.Sprintf("%+.0f", v) }
	if s(r.Min) == s(r.Max) {
		return s(r.Min) + " " + currency
	}
	return fmt.Sprintf("%s to %s %s", s(r.Min), s(r.Max), currency)
}

func plainRange(r Range, format string) string {
	a, b := fmt.Sprintf(format, r.Min), fmt.Sprintf(format, r.Max)
	if a == b {
		return a
	}
	return a + "-" + b
}

// WriteText writes an estimate, and the delta when there is one, for a terminal.
func WriteText(out io.Writer, e Estimate, d *Delta) error {
	fmt.Fprintf(out, "Monthly estimate of %s: %s\n", e.Environment, show(e.Monthly, e.Prices.Currency))
	fmt.Fprintf(out, "prices: %s, %s, %s\n\n", e.Prices.Region, e.Prices.Date, e.Prices.Source)
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	if e.Cluster != nil {
		fmt.Fprintf(w, "ITEM\tWHAT\tMONTHLY\n")
		fmt.Fprintf(w, "management\tGKE cluster fee\t%s\n", money(e.Cluster.Management, e.Prices.Currency))
		for _, l := range append(e.Cluster.NodePools, sqlLines(e.Cluster)...) {
			fmt.Fprintf(w, "%s\t%s\t%s\n", l.Name, l.What, show(l.Monthly, e.Prices.Currency))
		}
	} else {
		fmt.Fprintf(w, "SPACE\tMODULE\tPODS\tCPU\tMEMORY GiB\tTOPICS\tMONTHLY\n")
		for _, s := range e.Spaces {
			for _, m := range s.Modules {
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%d\t%s\n", s.Name, m.Name, plainRange(m.Pods, "%.0f"), plainRange(m.CPU, "%.2f"), plainRange(m.Memory, "%.2f"), m.Topics, show(m.Monthly, e.Prices.Currency))
			}
			fmt.Fprintf(w, "%s\t(space)\t\t\t\t\t%s\n", s.Name, show(s.Monthly, e.Prices.Currency))
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if d != nil {
		fmt.Fprintf(out, "\nAgainst %s: %s a month\n", d.Against, signed(d.Monthly, d.Currency))
		for _, m := range d.Modules {
			fmt.Fprintf(out, "  %s/%s: %s\n", m.Space, m.Module, signed(m.Change, d.Currency))
		}
	}
	fmt.Fprintf(out, "\nassumes: %s\n", strings.Join(e.Assumptions, "; "))
	return nil
}

func sqlLines(c *Cluster) []Line {
	if c.SQL == nil {
		return nil
	}
	return []Line{*c.SQL}
}

// WriteMarkdown writes an estimate, and the delta when there is one, for a pull-request
// comment or a job summary.
func WriteMarkdown(w io.Writer, e Estimate, d *Delta) error {
	fmt.Fprintf(w, "### Monthly cost estimate: `%s`\n\n", e.Environment)
	if d != nil {
		fmt.Fprintf(w, "**%s a month against `%s`** (%s in all)\n\n", signed(d.Monthly, d.Currency), d.Against, show(e.Monthly, e.Prices.Currency))
		if len(d.Modules) > 0 {
			fmt.Fprintln(w, "| Space | Module | Against | Now | Change |\n| :-- | :-- | --: | --: | --: |")
			for _, m := range d.Modules {
				fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", m.Space, m.Module, orNone(m.From, d.Currency), orNone(m.To, d.Currency), signed(m.Change, d.Currency))
			}
			fmt.Fprintln(w)
		}
	} else {
		fmt.Fprintf(w, "**%s a month**\n\n", show(e.Monthly, e.Prices.Currency))
	}
	if e.Cluster == nil {
		fmt.Fprintln(w, "<details><summary>Per space and module</summary>\n\n| Space | Module | Pods | CPU | Memory GiB | Monthly |\n| :-- | :-- | --: | --: | --: | --: |")
		for _, s := range e.Spaces {
			for _, m := range s.Modules {
				fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s |\n", s.Name, m.Name, plainRange(m.Pods, "%.0f"), plainRange(m.CPU, "%.2f"), plainRange(m.Memory, "%.2f"), show(m.Monthly, e.Prices.Currency))
			}
		}
		fmt.Fprintln(w, "\n</details>")
	} else {
		fmt.Fprintf(w, "| Item | What | Monthly |\n| :-- | :-- | --: |\n| management | GKE cluster fee | %s |\n", money(e.Cluster.Management, e.Prices.Currency))
		for _, l := range append(e.Cluster.NodePools, sqlLines(e.Cluster)...) {
			fmt.Fprintf(w, "| %s | %s | %s |\n", l.Name, l.What, show(l.Monthly, e.Prices.Currency))
		}
	}
	_, err := fmt.Fprintf(w, "\nPrices: %s, %s (%s). Assumes: %s.\n", e.Prices.Region, e.Prices.Date, e.Prices.Source, strings.Join(e.Assumptions, "; "))
	return err
}

func orNone(r *Range, currency string) string {
	if r == nil {
		return "-"
	}
	return show(*r, currency)
}
