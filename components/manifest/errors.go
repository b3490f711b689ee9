package manifest

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Error is one problem in one file, at the line and column of the field it concerns.
type Error struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error renders the problem the way compilers do, so editors and CI annotate the line:
// "file:line:col: field: message".
func (e Error) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Message)
	}
	return fmt.Sprintf("%s:%d:%d: %s: %s", e.File, e.Line, e.Column, e.Field, e.Message)
}

// Errors is every problem of a catalog, in file and line order.
type Errors []Error

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

func (es Errors) sorted() Errors {
	slices.SortStableFunc(es, func(a, b Error) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
	return es
}

// pos is a place in a file.
type pos struct{ line, col int }

// positions maps a field path ("components.api.schedule") to where its value starts; a
// path ending in "#key" is where the key itself is written.
type positions map[string]pos

// at finds the position of path. An absent field falls back to the key of its closest
// recorded parent, so that "a cron component needs a schedule" points at the component.
func (p positions) at(path string) pos {
	if at, ok := p[path]; ok {
		return at
	}
	for {
		i := strings.LastIndexByte(path, '.')
		if i < 0 {
			return p[""]
		}
		path = path[:i]
		if at, ok := p[path+"#key"]; ok {
			return at
		}
		if at, ok := p[path]; ok {
			return at
		}
	}
}

// reporter collects the errors of one file.
type reporter struct {
	file string
	pos  positions
	errs *Errors
}

func (r reporter) errorf(path, format string, args ...any) {
	at := r.pos.at(path)
	*r.errs = append(*r.errs, Error{File: r.file, Line: at.line, Column: at.col, Field: path, Message: fmt.Sprintf(format, args...)})
}

// keyErrorf reports at the key of path rather than its value (for unknown or duplicate keys).
func (r reporter) keyErrorf(path, format string, args ...any) {
	at, ok := r.pos[path+"#key"]
	if !ok {
		at = r.pos.at(path)
	}
	*r.errs = append(*r.errs, Error{File: r.file, Line: at.line, Column: at.col, Field: path, Message: fmt.Sprintf(format, args...)})
}
