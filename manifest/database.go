package manifest

import (
	"fmt"
	"strings"
)

// Mask is one masked column of a seed: its mask's name (nullify, hash, email) and the
// column as the manifest writes it.
type Mask struct {
	Kind, Column string
}

// List is every masked column, mask by mask in the manifest's order (nullify, hash, email).
func (m *Masks) List() []Mask {
	if m == nil {
		return nil
	}
	var out []Mask
	for _, l := range []struct {
		kind    string
		columns []string
	}{{"nullify", m.Nullify}, {"hash", m.Hash}, {"email", m.Email}} {
		for _, c := range l.columns {
			out = append(out, Mask{Kind: l.kind, Column: c})
		}
	}
	return out
}

// checkSeed reports a column that two masks name (public.t.c and t.c are one column): which
// of them would win is nothing a reader of the manifest should have to know.
func checkSeed(m *Module, r reporter) {
	if m.Database == nil || m.Database.Seed == nil || m.Database.Seed.Mask == nil {
		return
	}
	first := map[string]string{} // column in full -> the path that names it first
	masks := m.Database.Seed.Mask
	for _, l := range []struct {
		kind    string
		columns []string
	}{{"nullify", masks.Nullify}, {"hash", masks.Hash}, {"email", masks.Email}} {
		for i, c := range l.columns {
			path := fmt.Sprintf("database.seed.mask.%s[%d]", l.kind, i)
			full := c
			if strings.Count(c, ".") == 1 {
				full = "public." + c
			}
			if prev, ok := first[full]; ok {
				if r.usable(path) {
					r.errorf(path, "%s is masked by %s already; a column takes one mask", mention(c), prev)
				}
				continue
			}
			first[full] = "database.seed.mask." + l.kind
		}
	}
}
