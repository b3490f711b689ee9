package manifest

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Error is one problem in one file, at the line and column of the field it concerns.
type Error struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error words the problem the way compilers do, so editors and CI annotate the line:
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

// pos is a place in a file. A value that came through an alias is placed where the alias is
// used, since that is the field that is wrong, and remembers the anchor it came from.
type pos struct {
	line, col  int
	anchor     string
	anchorLine int
}

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
		i := strings.LastIndexAny(path, ".[")
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

// set says whether the file wrote the field at path.
func (p positions) set(path string) bool {
	_, ok := p[path+"#key"]
	return ok
}

// failure is how a field went wrong, which decides what else may still be said about it.
type failure int

const (
	// reported: the field has its error; a second message about it would only repeat it.
	reported failure = iota + 1
	// unreadable: the value could not be read at all, so whatever the loader holds for it or
	// for anything inside it is not what the file says, and no check may judge it.
	unreadable
)

// file is what the loader knows about one file: where every field is written and which fields
// already have an error.
type file struct {
	name   string
	pos    positions
	failed map[string]failure
}

func newFile(name string) *file {
	return &file{name: name, pos: positions{"": {line: 1, col: 1}}, failed: map[string]failure{}}
}

// reporter collects the errors of one file.
type reporter struct {
	*file
	errs *Errors
}

// usable says whether every path holds what the file says and has no error yet, so that a
// check that combines them (max against min) judges real values.
func (r reporter) usable(paths ...string) bool {
	for _, p := range paths {
		if r.failed[p] != 0 || r.insideUnreadable(p) {
			return false
		}
	}
	return true
}

func (r reporter) insideUnreadable(path string) bool {
	for {
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			return false
		}
		path = path[:i]
		if r.failed[path] == unreadable {
			return true
		}
	}
}

// errorf reports a problem with the value at path, unless the field already has one.
func (r reporter) errorf(path, format string, args ...any) {
	r.report(path, r.pos.at(path), reported, format, args...)
}

// keyErrorf reports at the key of path rather than its value (for unknown or duplicate keys).
func (r reporter) keyErrorf(path, format string, args ...any) {
	at, ok := r.pos[path+"#key"]
	if !ok {
		at = r.pos.at(path)
	}
	r.report(path, at, reported, format, args...)
}

// unreadable reports a value that could not be read (a wrong type, a null, an alias to
// nothing): nothing more is said about it or about what it contains.
func (r reporter) unreadable(path string, at pos, format string, args ...any) {
	r.report(path, at, unreadable, format, args...)
}

func (r reporter) report(path string, at pos, how failure, format string, args ...any) {
	if r.failed[path] != 0 || r.insideUnreadable(path) {
		return
	}
	r.failed[path] = how
	msg := fmt.Sprintf(format, args...)
	if at.anchor != "" {
		msg += fmt.Sprintf(" (the value comes from &%s on line %d)", at.anchor, at.anchorLine)
	}
	*r.errs = append(*r.errs, Error{File: r.name, Line: at.line, Column: at.col, Field: clipField(path), Message: msg})
}

// maxMention is how much of a value a message quotes: enough to recognise it, short enough
// that a value of ten thousand characters does not bury the message.
const maxMention = 48

// mention quotes a value for a message, cut to maxMention characters.
func mention(v string) string {
	n := utf8.RuneCountInString(v)
	if n <= maxMention {
		return strconv.Quote(v)
	}
	return strconv.Quote(string([]rune(v)[:maxMention])+"…") + fmt.Sprintf(" (%d characters)", n)
}

// clip shortens the quotations of v inside a message written by another package.
func clip(msg, v string) string {
	if utf8.RuneCountInString(v) <= maxMention {
		return msg
	}
	return strings.ReplaceAll(msg, strconv.Quote(v), mention(v))
}

// clipField shortens the parts of a field path, which are keys the file wrote (an unknown
// key of any length is reported under its own name).
func clipField(path string) string {
	if len(path) <= 4*maxMention {
		return path
	}
	parts := strings.Split(path, ".")
	for i, p := range parts {
		if r := []rune(p); len(r) > maxMention {
			parts[i] = string(r[:maxMention]) + "…"
		}
	}
	return strings.Join(parts, ".")
}
