package rules

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Summary counts a report's results by what they mean for the deployment.
type Summary struct {
	MandatoryViolations int `json:"mandatoryViolations"`
	AdvisoryViolations  int `json:"advisoryViolations"`
	Exempted            int `json:"exempted"`
	Undecided           int `json:"undecided"`
}

// Summary counts the report's results.
func (r Report) Summary() Summary {
	var s Summary
	for _, res := range r.Results {
		switch {
		case res.Kind == Violation && res.Level == Mandatory:
			s.MandatoryViolations++
		case res.Kind == Violation:
			s.AdvisoryViolations++
		case res.Kind == Exempted:
			s.Exempted++
		default:
			s.Undecided++
		}
	}
	return s
}

func (s Summary) String() string {
	return fmt.Sprintf("%s, %s, %d exempted, %d undecided",
		plural(s.MandatoryViolations, "mandatory violation"), plural(s.AdvisoryViolations, "advisory violation"),
		s.Exempted, s.Undecided)
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// WriteText writes the report for a terminal: a summary line, then one block per result.
func (r Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Conveyor policy, environment %s: %s\n", r.Environment, r.Summary())
	for _, res := range r.Results {
		fmt.Fprintf(&b, "\n%-9s %s (%s) %s\n  %s\n  %s\n",
			strings.ToUpper(string(res.Level)), res.RuleID, res.Severity, res.Kind, res.URN, res.Message)
		if res.Kind != Exempted {
			fmt.Fprintf(&b, "  fix: %s\n", res.Remediation)
		}
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("writing the text report: %w", err)
	}
	return nil
}

// WriteJSON writes the report and its summary as indented JSON, for tools.
func (r Report) WriteJSON(w io.Writer) error {
	results := r.Results
	if results == nil {
		results = []Result{}
	}
	doc := struct {
		Environment string   `json:"environment"`
		Summary     Summary  `json:"summary"`
		Results     []Result `json:"results"`
	}{r.Environment, r.Summary(), results}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("writing the JSON report: %w", err)
	}
	return nil
}

// WriteMarkdown writes the report as a pull-request comment: the summary, a table with one
// row per rule that found something, and the details, one item per result.
func (r Report) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "### Conveyor policy: `%s`\n\n", r.Environment)
	s := r.Summary()
	if len(r.Results) == 0 {
		b.WriteString("No findings: every resource follows every rule.\n")
		return writeString(w, b.String())
	}
	verdict := "Nothing blocks the deployment."
	if s.MandatoryViolations > 0 {
		verdict = "**The deployment is blocked.**"
	}
	fmt.Fprintf(&b, "%s %s.\n\n", verdict, s)
	b.WriteString("| Rule | Severity | Level | Violations | Exempted | Undecided | Rule description |\n")
	b.WriteString("| --- | --- | --- | ---: | ---: | ---: | --- |\n")
	for _, row := range r.byRule() {
		fmt.Fprintf(&b, "| %s | %s | %s | %d | %d | %d | %s |\n", row.id, row.severity, row.level,
			row.counts[Violation], row.counts[Exempted], row.counts[Undecided], cell(row.description))
	}
	b.WriteString("\n#### Details\n\n")
	for _, res := range r.Results {
		name, typ := urnParts(res.URN)
		fmt.Fprintf(&b, "- **%s** %s %s on `%s` (`%s`): %s\n", res.RuleID, res.Level, res.Kind, name, typ, res.Message)
		if res.Kind != Exempted {
			fmt.Fprintf(&b, "  - Fix: %s\n", res.Remediation)
		}
	}
	return writeString(w, b.String())
}

func writeString(w io.Writer, s string) error {
	if _, err := io.WriteString(w, s); err != nil {
		return fmt.Errorf("writing the Markdown report: %w", err)
	}
	return nil
}

// ruleRow is a rule's line in the Markdown table.
type ruleRow struct {
	id, description string
	severity        Severity
	level           Level
	counts          map[Outcome]int
}

// byRule groups the results by rule, in the order the rules first appear (the most pressing
// first). A rule's level is that of its violations, or advisory when it has none.
func (r Report) byRule() []ruleRow {
	var rows []ruleRow
	index := map[string]int{}
	for _, res := range r.Results {
		i, ok := index[res.RuleID]
		if !ok {
			i = len(rows)
			index[res.RuleID] = i
			description := ""
			if rule, found := Lookup(res.RuleID); found {
				description = rule.Description
			}
			rows = append(rows, ruleRow{id: res.RuleID, description: description, severity: res.Severity,
				level: Advisory, counts: map[Outcome]int{}})
		}
		rows[i].counts[res.Kind]++
		if res.Kind == Violation {
			rows[i].level = res.Level
		}
	}
	return rows
}

// cell escapes text for a Markdown table cell.
func cell(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "|", `\|`), "\n", " ")
}

// urnParts is a URN's resource name and type:
// urn:pulumi:<stack>::<project>::<parent types$type>::<name>.
func urnParts(urn string) (name, typ string) {
	parts := strings.Split(urn, "::")
	if len(parts) < 4 {
		return urn, ""
	}
	typ = parts[2]
	return strings.Join(parts[3:], "::"), typ[strings.LastIndex(typ, "$")+1:]
}
