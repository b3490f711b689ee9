package graph

import (
	"os"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/conveyor-paas/conveyor/components/manifest"
)

// Meshed reads a space's file for a `mesh` field: true, a mapping (unless it says
// `enabled: false`), or a word other than false, off, none or disabled. The manifest's type
// does not declare the field here; it is read from the file, so the graph shows meshed spaces
// whatever shape the field takes once the mesh lands.
func Meshed(s *manifest.Space) bool {
	data, err := os.ReadFile(s.File())
	if err != nil {
		return false
	}
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
		return false
	}
	return meshOn(field(doc.Content[0], "mesh"))
}

func field(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func meshOn(n *yaml.Node) bool {
	if n == nil {
		return false
	}
	switch n.Kind {
	case yaml.MappingNode:
		enabled := field(n, "enabled")
		return enabled == nil || meshOn(enabled)
	case yaml.ScalarNode:
		switch strings.ToLower(n.Value) {
		case "", "false", "off", "no", "none", "disabled", "null", "~":
			return false
		}
		return true
	}
	return false
}
