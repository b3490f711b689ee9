package manifest

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/lexer"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// The YAML parser is goccy/go-yaml: it places every node and every syntax error at the line
// and column of its first character (counted in characters, as editors count), which
// gopkg.in/yaml.v3 does not (its errors carry a line at most, often the one before).

// syntaxError is why a file is not YAML, at the character where it stops being YAML.
type syntaxError struct {
	at  pos
	msg string
}

// bom is the byte-order mark some editors write first; YAML allows it and ignores it.
var bom = []byte("\ufeff")

// parseDocument parses a file that holds one YAML document and returns its root node, nil for
// a file with no content at all.
func parseDocument(data []byte) (root ast.Node, serr *syntaxError) {
	data = bytes.TrimPrefix(data, bom)
	if at, b, ok := invalidUTF8(data); !ok {
		return nil, &syntaxError{at, fmt.Sprintf("invalid YAML: the file is not UTF-8 text (byte 0x%02x)", b)}
	}
	defer func() {
		// The parser is another project's code fed whatever a user wrote; a panic in it
		// must still end as an error that names the file.
		if p := recover(); p != nil {
			root, serr = nil, &syntaxError{pos{line: 1, col: 1}, fmt.Sprintf("invalid YAML: the YAML parser failed on this file (%v)", p)}
		}
	}()
	// Duplicate keys are the decoder's to report, with the field's path, beside every other
	// error of the file; the parser would stop at the first.
	f, err := parser.ParseBytes(data, 0, parser.AllowDuplicateMapKey())
	if err != nil {
		return nil, describeSyntaxError(string(data), err)
	}
	var bodies []*ast.DocumentNode
	for _, doc := range f.Docs {
		if doc.Body != nil {
			bodies = append(bodies, doc)
		}
	}
	switch len(bodies) {
	case 0:
		return nil, nil
	case 1:
		return bodies[0].Body, nil
	}
	second := bodies[1]
	at := start(second.Body)
	if second.Start != nil {
		at = tokenPos(second.Start)
	}
	return nil, &syntaxError{at, "a manifest file holds one document; split the others into files of their own"}
}

// invalidUTF8 finds the first byte that is not UTF-8.
func invalidUTF8(data []byte) (pos, byte, bool) {
	if utf8.Valid(data) {
		return pos{}, 0, true
	}
	line, col := 1, 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return pos{line: line, col: col}, data[i], false
		}
		// A line ends at \n, \r\n or a lone \r, as YAML (and the parser) count lines.
		if r == '\n' || (r == '\r' && (i+1 == len(data) || data[i+1] != '\n')) {
			line, col = line+1, 1
		} else if r != '\r' {
			col++
		}
		i += size
	}
	return pos{}, 0, true
}

// splitLines splits text into lines the way YAML counts them.
func splitLines(text string) []string {
	return strings.Split(strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n"), "\n")
}

// describeSyntaxError turns the parser's error into one that points at the character a user
// has to change and says what to do about it.
func describeSyntaxError(src string, err error) *syntaxError {
	var se *yaml.SyntaxError
	if !errors.As(err, &se) || se.Token == nil {
		return &syntaxError{pos{line: 1, col: 1}, "invalid YAML: " + err.Error()}
	}
	tk := se.Token
	at := tokenPos(tk)
	msg := se.Message
	switch {
	case strings.Contains(msg, "'\t'"):
		return &syntaxError{at, "invalid YAML: a tab cannot indent or start a value; YAML indents with spaces only"}
	case strings.Contains(msg, "mapping value is not allowed in this context") && tk.Next != nil && tk.Next.Type == token.MappingValueType:
		colon := tk.Next
		if colon.Position.Line == tk.Position.Line {
			return &syntaxError{tokenPos(colon), "invalid YAML: a plain value cannot contain \": \"; quote the value, or put the key on a line of its own"}
		}
		// A plain value continued on the next line, which then holds a key: that key is
		// indented deeper than the keys beside it.
		return &syntaxError{firstCharOfLine(src, colon.Position.Line),
			"invalid YAML: this key is indented more than the key before it, so YAML reads it as part of that value; indent the keys of one mapping alike"}
	case strings.Contains(msg, "']'") || strings.Contains(msg, "'}'"):
		if opener := unclosed(src); opener != nil {
			closer, what := "]", "list"
			if opener.Type == token.MappingStartType {
				closer, what = "}", "mapping"
			}
			return &syntaxError{tokenPos(opener), fmt.Sprintf("invalid YAML: this '%s' is never closed; end the %s with '%s'", opener.Value, what, closer)}
		}
	}
	return &syntaxError{at, "invalid YAML: " + msg}
}

// unclosed finds the innermost flow bracket that is never closed, if any.
func unclosed(src string) *token.Token {
	var open []*token.Token
	for _, tk := range lexer.Tokenize(src) {
		switch tk.Type {
		case token.SequenceStartType, token.MappingStartType:
			open = append(open, tk)
		case token.SequenceEndType, token.MappingEndType:
			if len(open) > 0 {
				open = open[:len(open)-1]
			}
		}
	}
	if len(open) == 0 {
		return nil
	}
	return open[len(open)-1]
}

func firstCharOfLine(src string, line int) pos {
	lines := splitLines(src)
	if line < 1 || line > len(lines) {
		return pos{line: max(line, 1), col: 1}
	}
	text := lines[line-1]
	return pos{line: line, col: utf8.RuneCountInString(text) - utf8.RuneCountInString(strings.TrimLeft(text, " ")) + 1}
}

func tokenPos(tk *token.Token) pos {
	if tk == nil || tk.Position == nil {
		return pos{line: 1, col: 1}
	}
	return pos{line: max(tk.Position.Line, 1), col: max(tk.Position.Column, 1)}
}

// start is where a node's text begins: a block mapping begins at its first key, not at the
// colon the parser keeps as its token.
func start(n ast.Node) pos {
	switch n := n.(type) {
	case *ast.MappingNode:
		if !n.IsFlowStyle && len(n.Values) > 0 {
			return start(n.Values[0])
		}
	case *ast.MappingValueNode:
		return start(n.Key)
	}
	return tokenPos(n.GetToken())
}
