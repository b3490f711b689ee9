package manifest

import (
	"maps"
	"slices"
)

// Level is where a configuration value was set.
type Level string

// The levels of configuration, from the highest (widest) to the lowest.
const (
	LevelSpace     Level = "space"
	LevelModule    Level = "module"
	LevelComponent Level = "component"
)

// Setting is the resolved value of one configuration key and where it came from.
type Setting struct {
	Key    string `json:"key"`
	Value  string `json:"value"`
	Level  Level  `json:"level"`
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
	// Overrides are the values of higher levels this one replaced, widest first.
	Overrides []Setting `json:"overrides,omitempty"`
}

// ResolveConfig merges the configuration of a component: the space's, then the module's,
// then the component's, a lower level overriding a higher one. Settings come sorted by key.
func (c *Catalog) ResolveConfig(m *Module, component string) []Setting {
	resolved := map[string]*Setting{}
	add := func(level Level, src *file, prefix string, config map[string]string) {
		for _, key := range slices.Sorted(maps.Keys(config)) {
			at := src.pos.at(prefix + key)
			s := Setting{Key: key, Value: config[key], Level: level, File: src.name, Line: at.line, Column: at.col}
			if prev, ok := resolved[key]; ok {
				s.Overrides = append(prev.Overrides, Setting{Key: key, Value: prev.Value, Level: prev.Level, File: prev.File, Line: prev.Line, Column: prev.Column})
			}
			resolved[key] = &s
		}
	}
	if space := c.Space(m.Space); space != nil {
		add(LevelSpace, space.source, "config.", space.Config)
	}
	add(LevelModule, m.source, "config.", m.Config)
	if comp := m.Components[component]; comp != nil {
		add(LevelComponent, m.source, "components."+component+".config.", comp.Config)
	}
	out := make([]Setting, 0, len(resolved))
	for _, key := range slices.Sorted(maps.Keys(resolved)) {
		out = append(out, *resolved[key])
	}
	return out
}
