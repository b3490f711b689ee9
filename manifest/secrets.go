package manifest

import (
	"cmp"
	"fmt"
	"slices"
)

// A secret is named in a manifest and valued per environment, never in a file: the manifest
// says which secrets a module (or one of its components) reads, and `conveyor secret set`
// gives each a value in each environment. A name is read the way a config key is (the
// envvar shape, with the platform's reserved prefixes), and a name is either config or a
// secret: a component would otherwise get both a plain value and a secret one for it, and the
// plain one would be read where the secret was meant.

// SecretRequest is one secret a component reads and the level that asked for it.
type SecretRequest struct {
	Name   string `json:"name"`
	Level  Level  `json:"level"`
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
}

// ResolveSecrets lists the secrets of a component: the module's, then its own, sorted by
// name. Loading rejects a name at both levels, so each name comes once.
func (m *Module) ResolveSecrets(component string) []SecretRequest {
	var out []SecretRequest
	add := func(level Level, prefix string, names []string) {
		for i, name := range names {
			req := SecretRequest{Name: name, Level: level}
			if m.source != nil {
				at := m.source.pos.at(fmt.Sprintf("%s[%d]", prefix, i))
				req.File, req.Line, req.Column = m.source.name, at.line, at.col
			}
			out = append(out, req)
		}
	}
	add(LevelModule, "secrets", m.Secrets)
	if c := m.Components[component]; c != nil {
		add(LevelComponent, "components."+component+".secrets", c.Secrets)
	}
	slices.SortFunc(out, func(a, b SecretRequest) int { return cmp.Compare(a.Name, b.Name) })
	return out
}

// SecretNames lists every secret the module's components read, each once, sorted: the
// names a module must have a value of in each environment.
func (m *Module) SecretNames() []string {
	names := slices.Clone(m.Secrets)
	for _, c := range m.Components {
		if c != nil {
			names = append(names, c.Secrets...)
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// checkSecrets reports a secret named twice for one component (at the module and at the
// component) and a name that is also a config key of the module or of a component that reads
// it. Space config is checked when the catalog is linked (checkSpaceSecrets).
func checkSecrets(m *Module, r reporter) {
	for i, name := range m.Secrets {
		field := fmt.Sprintf("secrets[%d]", i)
		if !r.usable(field) {
			continue
		}
		if _, ok := m.Config[name]; ok {
			r.errorf(field, "%s is also a config key of the module (config.%s); a name is either config or a secret", mention(name), name)
			continue
		}
		for _, comp := range m.ComponentNames() {
			if c := m.Components[comp]; c != nil {
				if _, ok := c.Config[name]; ok {
					r.errorf(field, "%s is also a config key of component %s (components.%s.config.%s); a name is either config or a secret", mention(name), comp, comp, name)
					break
				}
			}
		}
	}
	for _, comp := range m.ComponentNames() {
		c := m.Components[comp]
		if c == nil {
			continue
		}
		for i, name := range c.Secrets {
			field := fmt.Sprintf("components.%s.secrets[%d]", comp, i)
			if !r.usable(field) {
				continue
			}
			_, inModule := m.Config[name]
			_, inComponent := c.Config[name]
			switch {
			case slices.Contains(m.Secrets, name):
				r.errorf(field, "%s is already a secret of the whole module (secrets); name it once", mention(name))
			case inModule:
				r.errorf(field, "%s is also a config key of the module (config.%s); a name is either config or a secret", mention(name), name)
			case inComponent:
				r.errorf(field, "%s is also a config key of this component (components.%s.config.%s); a name is either config or a secret", mention(name), comp, name)
			}
		}
	}
}

// checkSpaceSecrets reports a module's secret that its space's config also sets: every
// component of the space would get the plain value too.
func checkSpaceSecrets(m *Module, r reporter, space *Space) {
	if space == nil || len(space.Config) == 0 {
		return
	}
	report := func(field, name string) {
		if _, ok := space.Config[name]; ok && r.usable(field) {
			at := space.source.pos.at("config." + name)
			r.errorf(field, "%s is also a config key of space %s (%s:%d); a name is either config or a secret", mention(name), space.Name, space.File(), at.line)
		}
	}
	for i, name := range m.Secrets {
		report(fmt.Sprintf("secrets[%d]", i), name)
	}
	for _, comp := range m.ComponentNames() {
		if c := m.Components[comp]; c != nil {
			for i, name := range c.Secrets {
				report(fmt.Sprintf("components.%s.secrets[%d]", comp, i), name)
			}
		}
	}
}
