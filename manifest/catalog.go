package manifest

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Catalog is a checked set of spaces and modules: the model an environment is built from.
// It only exists when every file of the catalog is valid.
type Catalog struct {
	// Spaces and Modules are sorted by name.
	Spaces  []*Space
	Modules []*Module

	spaces  map[string]*Space
	modules map[string]*Module
}

// Space returns the space of that name, or nil.
func (c *Catalog) Space(name string) *Space { return c.spaces[name] }

// Module returns the module of that name, or nil.
func (c *Catalog) Module(name string) *Module { return c.modules[name] }

// ComponentNames returns a module's component names in order.
func (m *Module) ComponentNames() []string { return slices.Sorted(maps.Keys(m.Components)) }

// ConsumedEvents returns the module's consumed events, parsed.
func (m *Module) ConsumedEvents() []EventRef {
	refs := make([]EventRef, 0, len(m.Consumes))
	for _, c := range m.Consumes {
		ref, _ := ParseEventRef(c) // checked when the catalog was loaded
		refs = append(refs, ref)
	}
	return refs
}

// link checks what spans files (duplicates, references between modules and spaces) and
// builds the catalog; it applies the defaults only when everything is valid.
func link(modules []*Module, spaces []*Space, errs *Errors) *Catalog {
	cat := &Catalog{spaces: map[string]*Space{}, modules: map[string]*Module{}}
	for _, s := range spaces {
		unique(cat.spaces, &cat.Spaces, s, s.Name, func(s *Space) *file { return s.source }, errs, "space",
			"space %q is already declared in %s:%d")
	}
	for _, m := range modules {
		if !unique(cat.modules, &cat.Modules, m, m.Name, func(m *Module) *file { return m.source }, errs, "module",
			"module %q is already defined in %s:%d; module names are unique across the catalog") {
			continue
		}
		r := reporter{m.source, errs}
		if r.usable("space") && cat.spaces[m.Space] == nil {
			r.errorf("space", "space %q is not declared; add a space file (space: %s, team: <group>) to the catalog", m.Space, m.Space)
		}
	}
	for _, s := range cat.Spaces {
		r := reporter{s.source, errs}
		for i, from := range s.AllowFrom {
			if r.usable(fmt.Sprintf("allowFrom[%d]", i)) && cat.spaces[from] == nil {
				r.errorf(fmt.Sprintf("allowFrom[%d]", i), "space %q is not declared in the catalog", from)
			}
		}
	}
	for _, m := range cat.Modules {
		r := reporter{m.source, errs}
		for i, raw := range m.Consumes {
			ref, err := ParseEventRef(raw)
			if err != nil || !r.usable(fmt.Sprintf("consumes[%d]", i)) {
				continue // reported when the file was decoded
			}
			producer := cat.modules[ref.Module]
			switch {
			case producer == nil:
				r.errorf(fmt.Sprintf("consumes[%d]", i), "consumes %s, but there is no module %q in the catalog", raw, ref.Module)
			case !slices.Contains(producer.Publishes, ref.Event):
				r.errorf(fmt.Sprintf("consumes[%d]", i), "consumes %s, but module %s does not publish %q (it publishes: %s)",
					raw, ref.Module, ref.Event, orNone(producer.Publishes))
			}
		}
	}
	for _, m := range cat.Modules {
		r := reporter{m.source, errs}
		space := cat.spaces[m.Space]
		var spaceR reporter
		if space != nil {
			spaceR = reporter{space.source, errs}
		}
		for _, name := range m.ComponentNames() {
			if c := m.Components[name]; c != nil {
				checkResources(r, name, c, space, spaceR)
			}
		}
		checkSpaceSecrets(m, r, space)
	}
	slices.SortFunc(cat.Spaces, func(a, b *Space) int { return strings.Compare(a.Name, b.Name) })
	slices.SortFunc(cat.Modules, func(a, b *Module) int { return strings.Compare(a.Name, b.Name) })
	if len(*errs) == 0 {
		for _, m := range cat.Modules {
			applyDefaults(m, cat.spaces[m.Space])
		}
	}
	return cat
}

func orNone(list []string) string {
	if len(list) == 0 {
		return "nothing"
	}
	return strings.Join(list, ", ")
}

// unique adds item, whose name is written at key of its file, to index and list, unless an
// item of that name came first: then it reports the second, with format given the name and
// the file and line of the first, and returns false. A nameless item, already reported, is
// left out.
func unique[T any](index map[string]T, list *[]T, item T, name string, fileOf func(T) *file, errs *Errors, key, format string) bool {
	if first, ok := index[name]; ok {
		at := fileOf(first)
		reporter{fileOf(item), errs}.errorf(key, format, name, at.name, at.pos.at(key).line)
		return false
	}
	if name != "" {
		index[name] = item
		*list = append(*list, item)
	}
	return true
}
