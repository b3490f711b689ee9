package graph

import (
	"io"

	"github.com/emicklei/dot"
)

// fontName is the graphs' font: one every graphviz renders, and the one the PNG drawer
// embeds (see png.go).
const fontName = "Helvetica"

// DOT builds the graph in graphviz's language.
func (g *Graph) DOT() *dot.Graph {
	d := dot.NewGraph(dot.Directed)
	d.Attr("rankdir", "LR")
	// Edges between spaces end at their clusters' borders.
	d.Attr("compound", "true")
	d.Attr("fontname", fontName)
	d.Attr("bgcolor", "white")
	if g.Title != "" {
		d.Attr("label", g.Title)
		d.Attr("labelloc", "t")
	}
	nodes := map[string]dot.Node{}
	clusters := map[string]*dot.Graph{}
	for _, s := range g.Spaces {
		sub := d.Subgraph(s.Name, dot.ClusterOption{})
		sub.Attr("label", spaceLabel(s))
		sub.Attr("fontname", fontName)
		sub.Attr("style", "rounded")
		if s.Meshed {
			sub.Attr("color", colorMesh)
			sub.Attr("penwidth", "3")
		}
		if s.Change != "" {
			sub.Attr("fontcolor", changeColor(s.Change))
		}
		clusters[s.Name] = sub
		for _, name := range s.Modules {
			m := g.module(name)
			n := sub.Node(name).Label(moduleLabel(m, "\n")).Box()
			n.Attr("style", "rounded,filled")
			n.Attr("fillcolor", "white")
			n.Attr("fontname", fontName)
			switch m.Change {
			case Added:
				n.Attr("fillcolor", fillAdded).Attr("color", colorAdded).Attr("penwidth", "3")
			case Changed:
				n.Attr("fillcolor", fillChanged).Attr("color", colorChanged).Attr("penwidth", "3")
			}
			if m.Unreached {
				n.Attr("style", "rounded,filled,dashed").Attr("fontcolor", colorUnreached)
			}
			nodes[name] = n
		}
		if len(s.Modules) == 0 {
			// An empty cluster is not drawn; a point keeps the space visible.
			nodes["space "+s.Name] = sub.Node("space "+s.Name).Attr("shape", "point").Attr("style", "invis")
		}
	}
	for _, e := range g.Events {
		edge := d.Edge(nodes[e.From], nodes[e.To], e.Event).Attr("fontname", fontName)
		if e.Cycle {
			edge.Attr("color", colorCycle).Attr("fontcolor", colorCycle).Attr("penwidth", "2.5")
		}
	}
	for _, n := range g.Network {
		from, to := anyNode(g, nodes, n.From), anyNode(g, nodes, n.To)
		d.Edge(from, to, "network").Dashed().
			Attr("ltail", clusters[n.From].GetID()).Attr("lhead", clusters[n.To].GetID()).
			Attr("fontname", fontName).Attr("color", colorUnreached).Attr("fontcolor", colorUnreached)
	}
	for _, t := range g.Unconsumed {
		topic := d.Node(t.Module+"/"+t.Event).Label(t.Event+"\nno consumer").
			Attr("shape", "cds").Attr("style", "filled").Attr("fillcolor", fillUnconsumed).
			Attr("color", colorUnconsumed).Attr("fontcolor", colorUnconsumed).Attr("fontname", fontName)
		d.Edge(nodes[t.Module], topic).Attr("color", colorUnconsumed).Attr("arrowhead", "none")
	}
	return d
}

// anyNode is a node inside a space's cluster, where an edge to the cluster is anchored.
func anyNode(g *Graph, nodes map[string]dot.Node, space string) dot.Node {
	for _, s := range g.Spaces {
		if s.Name == space && len(s.Modules) > 0 {
			return nodes[s.Modules[0]]
		}
	}
	return nodes["space "+space]
}

func changeColor(c Change) string {
	if c == Added {
		return colorAdded
	}
	return colorChanged
}

// WriteDOT writes the graph in graphviz's language.
func (g *Graph) WriteDOT(w io.Writer) error {
	_, err := io.WriteString(w, g.DOT().String())
	return err
}
