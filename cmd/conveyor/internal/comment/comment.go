// Package comment composes the one pull-request comment Conveyor keeps per ad-hoc
// environment, from parts any command can supply: the environment's endpoints, the plan
// summary of a preview, the policy report (from the policy gate, or computed by policy/offline),
// the dependency graph with the modules the pull request adds or changes highlighted, and,
// once the environment is deployed, its status. The comment starts with a marker naming the
// environment, by which it is found and edited in place on every push (see Upsert).
package comment

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/graph"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/opsummary"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/status"
	"github.com/conveyor-paas/conveyor/evaluation/cost"
	"github.com/conveyor-paas/conveyor/policy/rules"
)

// MaxLength is below what GitHub accepts for a comment's body (65536 characters).
const MaxLength = 65000

// Endpoint is an api's in-cluster URL.
type Endpoint struct {
	Module    string `json:"module"`
	Component string `json:"component"`
	URL       string `json:"url"`
}

// Parts are what a comment shows; a part left empty is left out, or says why it is missing.
// Its JSON form is what `conveyor comment --json` prints.
type Parts struct {
	Environment string     `json:"environment"`
	Endpoints   []Endpoint `json:"endpoints,omitempty"`
	// Summary is the plan summary of a preview.
	Summary *opsummary.Summary `json:"summary,omitempty"`
	// Policy is the policy report; PolicyError says why there is none.
	Policy      *rules.Report `json:"policy,omitempty"`
	PolicyError string        `json:"policyError,omitempty"`
	// Graph is the dependency graph, Changes what the pull request did to the catalog.
	Graph      *graph.Graph   `json:"graph,omitempty"`
	Changes    *graph.Changes `json:"changes,omitempty"`
	GraphError string         `json:"graphError,omitempty"`
	// Status is the environment's status once deployed.
	Status *status.Report `json:"status,omitempty"`
	// Cost is the environment's monthly estimate, CostDelta its difference from the
	// environment the pull request goes to; CostError says why there is none.
	Cost      *cost.Estimate `json:"cost,omitempty"`
	CostDelta *cost.Delta    `json:"costDelta,omitempty"`
	CostError string         `json:"costError,omitempty"`
}

// Marker is the first line of the comment of an environment.
func Marker(env string) string { return opsummary.CommentMarker(env) }

// Write writes the comment: the marker, then each part under a heading of its own.
func Write(w io.Writer, p Parts) error {
	var b strings.Builder
	fmt.Fprintln(&b, Marker(p.Environment))
	fmt.Fprintf(&b, "## Conveyor: `%s`\n", p.Environment)

	if len(p.Endpoints) > 0 {
		b.WriteString("\n### Endpoints\n\n| Module | Component | In-cluster URL |\n| :-- | :-- | :-- |\n")
		for _, e := range p.Endpoints {
			fmt.Fprintf(&b, "| %s | %s | `%s` |\n", e.Module, e.Component, e.URL)
		}
	}

	if p.Summary != nil {
		b.WriteString("\n")
		if err := opsummary.WriteMarkdownBody(&b, p.Summary); err != nil {
			return err
		}
	}

	b.WriteString("\n")
	switch {
	case p.Policy != nil:
		if err := p.Policy.WriteMarkdown(&b); err != nil {
			return err
		}
	case p.PolicyError != "":
		fmt.Fprintf(&b, "### Conveyor policy: `%s`\n\nThe policy report could not be made: %s\n", p.Environment, oneLine(p.PolicyError))
	}

	switch {
	case p.Cost != nil:
		b.WriteString("\n")
		if err := cost.WriteMarkdown(&b, *p.Cost, p.CostDelta); err != nil {
			return err
		}
	case p.CostError != "":
		fmt.Fprintf(&b, "\n### Monthly cost estimate: `%s`\n\nThe estimate could not be made: %s\n", p.Environment, oneLine(p.CostError))
	}

	if p.Graph != nil || p.GraphError != "" {
		b.WriteString("\n### Modules and events\n\n")
		if p.GraphError != "" {
			fmt.Fprintf(&b, "The graph could not be drawn: %s\n", oneLine(p.GraphError))
		} else {
			writeChanges(&b, p.Changes)
			b.WriteString("```mermaid\n")
			if err := p.Graph.WriteMermaid(&b); err != nil {
				return err
			}
			fmt.Fprintf(&b, "```\n\n<sub>%s</sub>\n", graph.Legend)
		}
	}

	b.WriteString("\n### Status\n\n")
	if p.Status != nil {
		if err := status.WriteMarkdown(&b, p.Status); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(&b, "Not deployed yet: the status shows here once `%s` is.\n", p.Environment)
	}

	text := b.String()
	if len(text) > MaxLength {
		text = text[:MaxLength] + "\n\n… (cut: the comment is longer than GitHub allows; the job's log has all of it)\n"
	}
	_, err := io.WriteString(w, text)
	return err
}

// writeChanges says, above the graph, what the pull request adds, changes and removes.
func writeChanges(b *strings.Builder, c *graph.Changes) {
	if c == nil {
		return
	}
	var added, changed []string
	for _, m := range slices.Sorted(maps.Keys(c.Modules)) {
		if c.Modules[m] == graph.Added {
			added = append(added, "`"+m+"`")
		} else {
			changed = append(changed, "`"+m+"`")
		}
	}
	var parts []string
	if len(added) > 0 {
		parts = append(parts, "adds "+strings.Join(added, ", "))
	}
	if len(changed) > 0 {
		parts = append(parts, "changes "+strings.Join(changed, ", "))
	}
	if len(c.Removed) > 0 {
		parts = append(parts, "removes `"+strings.Join(c.Removed, "`, `")+"`")
	}
	if len(parts) == 0 {
		b.WriteString("This pull request changes no module.\n\n")
		return
	}
	fmt.Fprintf(b, "This pull request %s.\n\n", strings.Join(parts, "; "))
}

func oneLine(s string) string { return strings.ReplaceAll(strings.TrimSpace(s), "\n", " ") }
