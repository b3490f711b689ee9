package graph

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// Styles shared by the drawings, so that a change reads the same in a comment and an image.
const (
	colorAdded      = "#1a7f37"
	fillAdded       = "#dafbe1"
	colorChanged    = "#9a6700"
	fillChanged     = "#fff8c5"
	colorCycle      = "#cf222e"
	colorUnconsumed = "#bc4c00"
	fillUnconsumed  = "#fff1e5"
	colorMesh       = "#0969da"
	colorUnreached  = "#57606a"
)

// Legend says what the marks mean, for a comment or a page that shows the graph.
const Legend = "Arrows run from the module that publishes an event to each module that consumes it; " +
	"dotted arrows between spaces are the network paths their `allowFrom` opens; " +
	"red arrows form a cycle of events; an orange flag is a topic nobody consumes; " +
	"a dashed module is one nothing reaches; green modules are added and yellow ones changed " +
	"by the pull request; a blue space is in the service mesh."

func moduleID(name string) string { return "m_" + name }
func spaceID(name string) string  { return "s_" + name }
func topicID(t Topic) string      { return "t_" + t.Module + "_" + strings.ReplaceAll(t.Event, "-", "_") }

// moduleLabel is a module's name and what it runs.
func moduleLabel(m Module, newline string) string {
	what := append([]string(nil), m.Kinds...)
	if m.Database {
		what = append(what, "database")
	}
	return m.Name + newline + strings.Join(what, " · ")
}

func spaceLabel(s Space) string {
	label := s.Name
	if s.Meshed {
		label += " · mesh"
	}
	if s.Change != "" {
		label += " (" + string(s.Change) + ")"
	}
	return label
}

// WriteMermaid writes the graph as a Mermaid flowchart, which GitHub renders in Markdown.
func (g *Graph) WriteMermaid(w io.Writer) error {
	var b strings.Builder
	b.WriteString("flowchart LR\n")
	if g.Title != "" {
		fmt.Fprintf(&b, "  %%%% %s\n", g.Title)
	}
	for _, s := range g.Spaces {
		fmt.Fprintf(&b, "  subgraph %s[\"%s\"]\n", spaceID(s.Name), spaceLabel(s))
		for _, name := range s.Modules {
			m := g.module(name)
			fmt.Fprintf(&b, "    %s[\"%s\"]\n", moduleID(name), moduleLabel(m, "<br/>"))
		}
		b.WriteString("  end\n")
	}
	for _, t := range g.Unconsumed {
		fmt.Fprintf(&b, "  %s>\"%s: no consumer\"]\n", topicID(t), t.Event)
	}
	link := 0
	var cycles []int
	for _, e := range g.Events {
		arrow := "-->"
		if e.Cycle {
			arrow = "==>"
			cycles = append(cycles, link)
		}
		fmt.Fprintf(&b, "  %s %s|%s| %s\n", moduleID(e.From), arrow, e.Event, moduleID(e.To))
		link++
	}
	for _, n := range g.Network {
		fmt.Fprintf(&b, "  %s -.->|network| %s\n", spaceID(n.From), spaceID(n.To))
		link++
	}
	for _, t := range g.Unconsumed {
		fmt.Fprintf(&b, "  %s --- %s\n", moduleID(t.Module), topicID(t))
		link++
	}
	fmt.Fprintf(&b, "  classDef added fill:%s,stroke:%s,stroke-width:3px\n", fillAdded, colorAdded)
	fmt.Fprintf(&b, "  classDef changed fill:%s,stroke:%s,stroke-width:3px\n", fillChanged, colorChanged)
	fmt.Fprintf(&b, "  classDef unreached stroke-dasharray:5 5,color:%s\n", colorUnreached)
	fmt.Fprintf(&b, "  classDef unconsumed fill:%s,stroke:%s,color:%s\n", fillUnconsumed, colorUnconsumed, colorUnconsumed)
	for _, m := range g.Modules {
		if m.Change != "" {
			fmt.Fprintf(&b, "  class %s %s\n", moduleID(m.Name), m.Change)
		}
		if m.Unreached {
			fmt.Fprintf(&b, "  class %s unreached\n", moduleID(m.Name))
		}
	}
	for _, t := range g.Unconsumed {
		fmt.Fprintf(&b, "  class %s unconsumed\n", topicID(t))
	}
	for _, s := range g.Spaces {
		if s.Meshed {
			fmt.Fprintf(&b, "  style %s stroke:%s,stroke-width:3px\n", spaceID(s.Name), colorMesh)
		}
	}
	for _, i := range cycles {
		fmt.Fprintf(&b, "  linkStyle %d stroke:%s,stroke-width:3px\n", i, colorCycle)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// module finds a node by name; Modules are sorted by name, as the catalog sorts them.
func (g *Graph) module(name string) Module {
	i, found := slices.BinarySearchFunc(g.Modules, name, func(m Module, name string) int { return strings.Compare(m.Name, name) })
	if !found {
		return Module{Name: name}
	}
	return g.Modules[i]
}
