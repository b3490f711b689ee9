// Package graph draws how the modules of a catalog depend on each other, from the catalog
// alone: modules grouped by space, an edge from each producer to each consumer of an event,
// the network paths that spaces' allowFrom open, cycles, topics nobody consumes and modules
// nothing reaches. It draws the graph as Mermaid (for pull-request comments and the
// README), as DOT with github.com/emicklei/dot, and as SVG or PNG with graphviz itself
// (github.com/goccy/go-graphviz, graphviz compiled to WebAssembly: no binary to install).
package graph

import (
	"slices"
	"strings"

	"github.com/conveyor-paas/conveyor/manifest"
)

// Change marks what a pull request did to a module.
type Change string

// Changes a module can have.
const (
	Added   Change = "added"
	Changed Change = "changed"
)

// Graph is the dependency graph of a catalog. Its JSON form is what `graph --json` prints.
type Graph struct {
	Title   string   `json:"title"`
	Spaces  []Space  `json:"spaces"`
	Modules []Module `json:"modules"`
	// Events run from the producer of an event to each module that consumes it.
	Events []EventEdge `json:"events"`
	// Network runs from a space to a space whose allowFrom lets its workloads in.
	Network []NetworkEdge `json:"network"`
	// Unconsumed are the events that some module publishes and none consumes.
	Unconsumed []Topic `json:"unconsumed"`
}

// Space is a group of modules.
type Space struct {
	Name    string   `json:"name"`
	Modules []string `json:"modules"`
	// Meshed is true when the space file asks for a service mesh.
	Meshed bool `json:"meshed,omitempty"`
	// Change is set when a pull request changed the space file.
	Change Change `json:"change,omitempty"`
}

// Module is a node.
type Module struct {
	Name  string `json:"name"`
	Space string `json:"space"`
	// Kinds are the kinds of its components, sorted, each once.
	Kinds    []string `json:"kinds"`
	Database bool     `json:"database,omitempty"`
	// Unreached is true when nothing reaches the module: it consumes no event, and no
	// other module can open a connection to it (it has no api, or no module shares its
	// space or lives in a space its space allows in).
	Unreached bool   `json:"unreached,omitempty"`
	Change    Change `json:"change,omitempty"`
}

// EventEdge is one consumer of one event.
type EventEdge struct {
	From  string `json:"from"`
	To    string `json:"to"`
	Event string `json:"event"`
	// Cycle is true when the edge is part of a cycle of events.
	Cycle bool `json:"cycle,omitempty"`
}

// NetworkEdge is a path that allowFrom opens: From's workloads may reach To's.
type NetworkEdge struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Topic is an event of a module.
type Topic struct {
	Module string `json:"module"`
	Event  string `json:"event"`
}

// Options are what the catalog does not say.
type Options struct {
	Title string
	// Changes are what a pull request did (see ChangesSince); nil when none is compared.
	Changes *Changes
	// Meshed says whether a space is in a service mesh; nil means none is.
	Meshed func(*manifest.Space) bool
}

// Build makes the graph of a catalog.
func Build(cat *manifest.Catalog, o Options) *Graph {
	g := &Graph{Title: o.Title}
	changes := o.Changes
	if changes == nil {
		changes = &Changes{}
	}
	for _, s := range cat.Spaces {
		sp := Space{Name: s.Name, Change: changes.Spaces[s.Name]}
		if o.Meshed != nil {
			sp.Meshed = o.Meshed(s)
		}
		for _, m := range cat.Modules {
			if m.Space == s.Name {
				sp.Modules = append(sp.Modules, m.Name)
			}
		}
		g.Spaces = append(g.Spaces, sp)
		for _, from := range s.AllowFrom {
			if from != s.Name {
				g.Network = append(g.Network, NetworkEdge{From: from, To: s.Name})
			}
		}
	}
	consumed := map[Topic]bool{}
	reached := map[string]bool{}
	for _, m := range cat.Modules {
		for _, ref := range m.ConsumedEvents() {
			g.Events = append(g.Events, EventEdge{From: ref.Module, To: m.Name, Event: ref.Event})
			consumed[Topic{ref.Module, ref.Event}] = true
			reached[m.Name] = true
		}
	}
	slices.SortFunc(g.Events, func(a, b EventEdge) int {
		return strings.Compare(a.From+"\x00"+a.To+"\x00"+a.Event, b.From+"\x00"+b.To+"\x00"+b.Event)
	})
	markCycles(g.Events)
	for _, m := range cat.Modules {
		for _, e := range m.Publishes {
			if !consumed[Topic{m.Name, e}] {
				g.Unconsumed = append(g.Unconsumed, Topic{m.Name, e})
			}
		}
	}
	perSpace := map[string]int{}
	for _, m := range cat.Modules {
		perSpace[m.Space]++
	}
	for _, m := range cat.Modules {
		node := Module{Name: m.Name, Space: m.Space, Database: m.HasDatabase(), Change: changes.Modules[m.Name]}
		for _, c := range m.Components {
			if !slices.Contains(node.Kinds, c.Kind) {
				node.Kinds = append(node.Kinds, c.Kind)
			}
		}
		slices.Sort(node.Kinds)
		node.Unreached = !reached[m.Name] && !reachable(cat, m, perSpace)
		g.Modules = append(g.Modules, node)
	}
	return g
}

// reachable says whether another module can open a connection to m: m serves (it has an
// api), and a module shares its space or lives in a space that its space allows in.
// perSpace counts the modules of each space.
func reachable(cat *manifest.Catalog, m *manifest.Module, perSpace map[string]int) bool {
	serves := false
	for _, c := range m.Components {
		serves = serves || c.Kind == manifest.KindAPI
	}
	if !serves {
		return false
	}
	if perSpace[m.Space] > 1 {
		return true
	}
	if s := cat.Space(m.Space); s != nil {
		for _, from := range s.AllowFrom {
			if perSpace[from] > 0 {
				return true
			}
		}
	}
	return false
}

// markCycles marks the edges between modules of one strongly connected component (Tarjan's
// algorithm), and a module's edge to itself: the edges that take part in a cycle.
func markCycles(edges []EventEdge) {
	next := map[string][]string{}
	var nodes []string
	known := map[string]bool{}
	for _, e := range edges {
		for _, n := range []string{e.From, e.To} {
			if !known[n] {
				known[n] = true
				nodes = append(nodes, n)
			}
		}
		next[e.From] = append(next[e.From], e.To)
	}
	index, low := map[string]int{}, map[string]int{}
	onStack := map[string]bool{}
	component := map[string]int{}
	var stack []string
	counter, components := 0, 0
	var connect func(v string)
	connect = func(v string) {
		index[v], low[v] = counter, counter
		counter++
		stack = append(stack, v)
		onStack[v] = true
		for _, w := range next[v] {
			if _, seen := index[w]; !seen {
				connect(w)
				low[v] = min(low[v], low[w])
			} else if onStack[w] {
				low[v] = min(low[v], index[w])
			}
		}
		if low[v] == index[v] {
			for {
				w := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				onStack[w] = false
				component[w] = components
				if w == v {
					break
				}
			}
			components++
		}
	}
	for _, n := range nodes {
		if _, seen := index[n]; !seen {
			connect(n)
		}
	}
	size := map[int]int{}
	for _, c := range component {
		size[c]++
	}
	for i, e := range edges {
		edges[i].Cycle = e.From == e.To || (component[e.From] == component[e.To] && size[component[e.From]] > 1)
	}
}
