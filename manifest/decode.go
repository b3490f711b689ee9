package manifest

import (
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/agext/levenshtein"
	"github.com/goccy/go-yaml/ast"
)

// decoder maps a YAML node tree onto Go values strictly: an unknown key, a duplicate key, a
// value of the wrong type or one its field's rules refuse is an error at its line and column,
// and decoding goes on so that all the errors of a file are reported together. It records
// the position of every field it sees, for the errors of the later checks.
//
// Anchors, aliases and merge keys are resolved as YAML defines them. A value that comes
// through an alias is placed where the alias is used.
type decoder struct {
	reporter
	anchors map[*ast.AliasNode]*ast.AnchorNode
	// active are the anchors being decoded: an alias to one of them is inside its own value.
	active map[*ast.AnchorNode]bool
	// budget bounds the nodes decoded, which aliases can multiply: a file of a few lines
	// must not expand into millions of values.
	budget int
}

// maxDecodedNodes is far more than any manifest holds (the demo's largest has 60).
const maxDecodedNodes = 100_000

func newDecoder(r reporter, root ast.Node) *decoder {
	return &decoder{reporter: r, anchors: resolveAliases(root), active: map[*ast.AnchorNode]bool{}, budget: maxDecodedNodes}
}

// resolveAliases pairs each alias with the anchor it names: the last one of that name before
// it in the file, as YAML defines.
func resolveAliases(root ast.Node) map[*ast.AliasNode]*ast.AnchorNode {
	out := map[*ast.AliasNode]*ast.AnchorNode{}
	latest := map[string]*ast.AnchorNode{}
	ast.Walk(visitFunc(func(n ast.Node) {
		switch n := n.(type) {
		case *ast.AnchorNode:
			latest[n.Name.GetToken().Value] = n
		case *ast.AliasNode:
			if a, ok := latest[n.Value.GetToken().Value]; ok {
				out[n] = a
			}
		}
	}), root)
	return out
}

type visitFunc func(ast.Node)

func (f visitFunc) Visit(n ast.Node) ast.Visitor {
	f(n)
	return f
}

var quantityType = reflect.TypeFor[Quantity]()

// databasePointer is a module's database, which a manifest may write as true or false as well
// as a mapping.
var databasePointer = reflect.TypeFor[*Database]()

// decode reads n into v. via, when set, is where the alias that led here is used; rule is the
// field's, or nil for a map's values.
func (d *decoder) decode(n ast.Node, v reflect.Value, path string, via *pos, rule *fieldRule) {
	if d.budget--; d.budget < 0 {
		if d.budget == -1 {
			d.unreadable(path, d.place(n, via), "the file expands to more than %d values through its aliases; write it with fewer", maxDecodedNodes)
		}
		return
	}
	switch node := n.(type) {
	case *ast.AnchorNode:
		d.active[node] = true
		defer delete(d.active, node)
		d.decode(node.Value, v, path, via, rule)
		return
	case *ast.AliasNode:
		d.decodeAlias(node, v, path, via, rule)
		return
	case *ast.TagNode:
		if node.Start.Value != "!!str" {
			d.decodeTagged(node, v, path, via, rule)
			return
		}
	}
	d.pos[path] = d.place(n, via)
	if isNull(n) {
		// An empty value has no place of its own: the key is what to point at.
		at := d.pos[path]
		if key, ok := d.pos[path+"#key"]; ok {
			at = key
		}
		d.unreadable(path, at, "has no value; give it one or remove the key")
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.Type() == databasePointer {
			// database: true is a database that says nothing more; false, none.
			if b, ok := n.(*ast.BoolNode); ok {
				v.Set(reflect.Zero(v.Type()))
				if b.Value {
					v.Set(reflect.New(v.Type().Elem()))
				}
				return
			}
			if !isMapping(n) {
				d.unreadable(path, d.pos[path], "must be true, false or a mapping (seed: ...), not %s", describe(n))
				return
			}
		}
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		d.decode(n, v.Elem(), path, via, rule)
	case reflect.Struct:
		d.decodeStruct(n, v, path, via)
	case reflect.Map:
		d.decodeMap(n, v, path, via, rule)
	case reflect.Slice:
		d.decodeList(n, v, path, via, rule)
	case reflect.String:
		d.decodeString(n, v, path, rule)
	case reflect.Int:
		d.decodeInt(n, v, path, rule)
	case reflect.Bool:
		b, ok := n.(*ast.BoolNode)
		if !ok {
			d.unreadable(path, d.pos[path], "must be true or false, not %s", describe(n))
			return
		}
		v.SetBool(b.Value)
	}
}

func (d *decoder) decodeAlias(n *ast.AliasNode, v reflect.Value, path string, via *pos, rule *fieldRule) {
	at := d.place(n, via)
	anchor, name := d.anchors[n], n.Value.GetToken().Value
	switch {
	case anchor == nil:
		d.pos[path] = at
		d.unreadable(path, at, "invalid YAML: *%s names no anchor; write &%s on a value before this line", name, name)
		return
	case d.active[anchor]:
		d.pos[path] = at
		d.unreadable(path, at, "*%s is used inside the value of &%s itself, which would never end", name, name)
		return
	}
	if via == nil {
		use := start(n)
		via = &pos{line: use.line, col: use.col, anchor: name, anchorLine: start(anchor).line}
	}
	d.active[anchor] = true
	defer delete(d.active, anchor)
	d.decode(anchor.Value, v, path, via, rule)
}

// decodeTagged reads a value with an explicit tag other than !!str (which stringValue reads):
// the standard tags say what the value already is, a custom tag means nothing to Conveyor.
func (d *decoder) decodeTagged(n *ast.TagNode, v reflect.Value, path string, via *pos, rule *fieldRule) {
	switch tag := n.Start.Value; tag {
	case "!!int", "!!float", "!!bool", "!!null", "!!map", "!!seq":
		d.decode(n.Value, v, path, via, rule)
	default:
		d.pos[path] = d.place(n, via)
		d.unreadable(path, d.pos[path], "the YAML tag %s means nothing to Conveyor; remove it", mention(tag))
	}
}

func (d *decoder) place(n ast.Node, via *pos) pos {
	if via != nil {
		return *via
	}
	return start(n)
}

// entry is one key and value of a mapping, with the place errors about it are reported.
type entry struct {
	key      string
	keyNode  ast.Node
	value    ast.Node
	keyAt    pos
	via      *pos
	repeated bool
}

// entries lists a mapping's keys and values with its merge keys (<<) resolved: the keys the
// mapping writes itself come first and win over merged ones, and of the merged mappings the
// first that has a key wins, as the merge key's specification says.
func (d *decoder) entries(n ast.Node, path string, via *pos) ([]entry, bool) {
	var values []*ast.MappingValueNode
	switch node := n.(type) {
	case *ast.TagNode:
		if node.Start.Value != "!!map" {
			return nil, false
		}
		return d.entries(node.Value, path, via)
	case *ast.AnchorNode:
		return d.entries(node.Value, path, via)
	case *ast.MappingNode:
		values = node.Values
	case *ast.MappingValueNode:
		values = []*ast.MappingValueNode{node}
	default:
		return nil, false
	}
	var own, merged []entry
	seen := map[string]bool{}
	for _, mv := range values {
		if _, ok := mv.Key.(*ast.MergeKeyNode); ok {
			merged = append(merged, d.mergeSources(mv, path, via)...)
			continue
		}
		key, _ := scalarText(mv.Key)
		own = append(own, entry{key: key, keyNode: mv.Key, value: mv.Value, keyAt: d.place(mv.Key, via), via: via, repeated: seen[key]})
		seen[key] = true
	}
	for _, e := range merged {
		if !seen[e.key] {
			seen[e.key] = true
			e.repeated = false
			own = append(own, e)
		}
	}
	return own, true
}

// mergeSources reads the mappings a merge key names: one alias or mapping, or a list of them.
func (d *decoder) mergeSources(mv *ast.MappingValueNode, path string, via *pos) []entry {
	mergePath := join(path, "<<")
	d.pos[mergePath+"#key"] = d.place(mv.Key, via)
	sources := []ast.Node{mv.Value}
	if seq, ok := mv.Value.(*ast.SequenceNode); ok {
		sources = seq.Values
	}
	var out []entry
	for _, src := range sources {
		if d.budget--; d.budget < 0 {
			return out
		}
		srcVia := via
		if alias, ok := src.(*ast.AliasNode); ok {
			anchor, name := d.anchors[alias], alias.Value.GetToken().Value
			at := d.place(alias, via)
			switch {
			case anchor == nil:
				d.unreadable(mergePath, at, "invalid YAML: *%s names no anchor; write &%s on a mapping before this line", name, name)
				continue
			case d.active[anchor]:
				d.unreadable(mergePath, at, "*%s is merged inside the value of &%s itself, which would never end", name, name)
				continue
			}
			if srcVia == nil {
				srcVia = &pos{line: at.line, col: at.col, anchor: name, anchorLine: start(anchor).line}
			}
			d.active[anchor] = true
			entries, ok := d.entries(anchor.Value, path, srcVia)
			delete(d.active, anchor)
			if !ok {
				d.unreadable(mergePath, at, "<< merges mappings, and *%s is %s", name, describe(anchor.Value))
				continue
			}
			out = append(out, entries...)
			continue
		}
		entries, ok := d.entries(src, path, srcVia)
		if !ok {
			d.unreadable(mergePath, d.place(src, via), "<< merges mappings (an alias like *base, or a list of them), not %s", describe(src))
			continue
		}
		out = append(out, entries...)
	}
	return out
}

func (d *decoder) decodeStruct(n ast.Node, v reflect.Value, path string, via *pos) {
	entries, ok := d.entries(n, path, via)
	if !ok {
		d.unreadable(path, d.pos[path], "must be a mapping of fields, not %s", describe(n))
		return
	}
	rules := rulesOf(v.Type())
	seen := map[string]bool{}
	for _, e := range entries {
		fieldPath := join(path, e.key)
		d.pos[fieldPath+"#key"] = e.keyAt
		f := rules.byKey[e.key]
		switch {
		case e.repeated:
			d.keyErrorf(fieldPath, "is set twice")
			continue
		case f == nil && rules.extensions && strings.HasPrefix(e.key, extensionPrefix):
			continue // an extension field: a place for anchors, ignored
		case f == nil:
			extension := ""
			if rules.extensions {
				extension = " (a key starting with " + extensionPrefix + " may hold anything, such as a value for anchors)"
			}
			d.keyErrorf(fieldPath, "unknown field%s; the known fields are %s%s", suggest(e.key, rules), strings.Join(rules.keys(), ", "), extension)
			continue
		}
		seen[e.key] = true
		d.decode(e.value, v.Field(f.index), fieldPath, e.via, f)
	}
	for _, f := range rules.fields {
		if f.required && !seen[f.key] {
			d.unreadable(join(path, f.key), d.pos.at(join(path, f.key)), "%s", f.missingMessage())
		}
	}
}

func (d *decoder) decodeMap(n ast.Node, v reflect.Value, path string, via *pos, rule *fieldRule) {
	entries, ok := d.entries(n, path, via)
	if !ok {
		d.unreadable(path, d.pos[path], "must be a mapping, not %s", describe(n))
		return
	}
	if v.IsNil() {
		v.Set(reflect.MakeMap(v.Type()))
	}
	for _, e := range entries {
		entryPath := join(path, e.key)
		d.pos[entryPath+"#key"] = e.keyAt
		if _, ok := e.keyNode.(ast.ScalarNode); !ok || isNull(e.keyNode) {
			d.keyErrorf(entryPath, "keys must be plain names, not %s", describe(e.keyNode))
			continue
		}
		if e.repeated {
			d.keyErrorf(entryPath, "is set twice")
			continue
		}
		if rule != nil && rule.keys != nil {
			if msg := rule.keys.check(e.key); msg != "" {
				d.keyErrorf(entryPath, "%s", msg)
			}
		}
		elem := reflect.New(v.Type().Elem()).Elem()
		d.decode(e.value, elem, entryPath, e.via, nil)
		v.SetMapIndex(reflect.ValueOf(e.key), elem)
	}
	if rule != nil && v.Len() < rule.minEntries && !d.insideUnreadable(path) {
		d.unreadable(path, d.pos[path], "%s", rule.missingMessage())
	}
}

func (d *decoder) decodeList(n ast.Node, v reflect.Value, path string, via *pos, rule *fieldRule) {
	seq, ok := n.(*ast.SequenceNode)
	if !ok {
		d.unreadable(path, d.pos[path], "must be a list, not %s", describe(n))
		return
	}
	list := reflect.MakeSlice(v.Type(), len(seq.Values), len(seq.Values))
	for i, item := range seq.Values {
		d.decode(item, list.Index(i), path+"["+strconv.Itoa(i)+"]", via, rule.items())
	}
	v.Set(list)
	if rule != nil && rule.unique && v.Type().Elem().Kind() == reflect.String {
		seen := map[string]bool{}
		for i := range list.Len() {
			item := list.Index(i).String()
			if seen[item] {
				d.errorf(path+"["+strconv.Itoa(i)+"]", "%s is listed twice", mention(item))
			}
			seen[item] = true
		}
	}
}

// decodeString reads a string. A map's values (configuration: environment variables) take
// any scalar as its text, a quantity takes a number as the number it is, anything else must
// be written as a string.
func (d *decoder) decodeString(n ast.Node, v reflect.Value, path string, rule *fieldRule) {
	text, isString := stringValue(n)
	switch {
	case isString:
	case rule == nil:
		if t, ok := scalarText(n); ok {
			text = t
			break
		}
		d.unreadable(path, d.pos[path], "must be a string, number or boolean, not %s", describe(n))
		return
	case v.Type() == quantityType && isNumber(n):
		text = numberText(n)
	default:
		hint := ""
		if _, ok := scalarText(n); ok {
			hint = "; quote it"
		}
		d.unreadable(path, d.pos[path], "must be a string, not %s%s", describe(n), hint)
		return
	}
	v.SetString(text)
	if rule == nil {
		// An environment variable's value: "" would be a variable set to nothing, which the
		// README promises never happens (as a null value, reported above).
		if text == "" {
			d.errorf(path, "is empty; give it a value or remove the key")
		}
		return
	}
	switch {
	case rule.required && text == "":
		d.errorf(path, "%s", rule.missingMessage())
	case len(rule.enum) > 0 && !slices.Contains(rule.enum, text):
		d.errorf(path, "must be %s, not %s", orList(rule.enum), mention(text))
	case rule.shape != nil:
		if msg := rule.shape.check(text); msg != "" {
			d.errorf(path, "%s", msg)
		}
	}
}

func (d *decoder) decodeInt(n ast.Node, v reflect.Value, path string, rule *fieldRule) {
	var i int64
	ok := false
	switch node := n.(type) {
	case *ast.IntegerNode:
		switch x := node.Value.(type) {
		case int64:
			i, ok = x, true
		case uint64:
			i, ok = int64(x), x <= math.MaxInt64
		}
	case *ast.FloatNode:
		// 3.0 is the whole number 3 to a JSON Schema, so it is to the loader.
		if f := node.Value; f == math.Trunc(f) && math.Abs(f) < 1<<53 {
			i, ok = int64(f), true
		}
	}
	if !ok || i != int64(int(i)) {
		d.unreadable(path, d.pos[path], "must be a whole number, not %s", describe(n))
		return
	}
	v.SetInt(i)
	if !rule.inRange(int(i)) {
		d.errorf(path, "%s", rule.rangeMessage(int(i)))
	}
}

// isMapping says whether a node is a mapping, as entries reads one.
func isMapping(n ast.Node) bool {
	switch n := n.(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
		return true
	case *ast.TagNode:
		return n.Start.Value == "!!map"
	case *ast.AnchorNode:
		return isMapping(n.Value)
	}
	return false
}

func isNull(n ast.Node) bool {
	switch n := n.(type) {
	case *ast.NullNode:
		return true
	case *ast.TagNode:
		return n.Start.Value == "!!null"
	}
	return false
}

func isNumber(n ast.Node) bool {
	switch n.(type) {
	case *ast.IntegerNode, *ast.FloatNode:
		return true
	}
	return false
}

// numberText is a number as a quantity: the value YAML reads (0x10 is 16), not its spelling.
func numberText(n ast.Node) string {
	switch n := n.(type) {
	case *ast.IntegerNode:
		switch x := n.Value.(type) {
		case int64:
			return strconv.FormatInt(x, 10)
		case uint64:
			return strconv.FormatUint(x, 10)
		}
	case *ast.FloatNode:
		return strconv.FormatFloat(n.Value, 'f', -1, 64)
	}
	return n.GetToken().Value
}

// stringValue is the text of a node YAML reads as a string, "!!str 12" included.
func stringValue(n ast.Node) (string, bool) {
	switch n := n.(type) {
	case *ast.StringNode:
		return n.Value, true
	case *ast.LiteralNode:
		return n.Value.Value, true
	case *ast.TagNode:
		if n.Start.Value == "!!str" {
			return scalarText(n.Value)
		}
	}
	return "", false
}

// scalarText is a scalar as it is written: the text an environment variable gets.
func scalarText(n ast.Node) (string, bool) {
	if s, ok := stringValue(n); ok {
		return s, true
	}
	switch n.(type) {
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		return n.GetToken().Value, true
	}
	return "", false
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// describe names what a node is, for type errors.
func describe(n ast.Node) string {
	if s, ok := stringValue(n); ok {
		return mention(s)
	}
	switch n := n.(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	case *ast.NullNode:
		return "null"
	case *ast.BoolNode:
		return "the boolean " + n.GetToken().Value
	case *ast.IntegerNode, *ast.FloatNode, *ast.InfinityNode, *ast.NanNode:
		return "the number " + n.GetToken().Value
	case *ast.AnchorNode:
		return describe(n.Value)
	case *ast.AliasNode:
		return "the alias *" + n.Value.GetToken().Value
	case *ast.TagNode:
		return describe(n.Value)
	}
	return "an unsupported YAML value"
}

// orList writes "a, b or c".
func orList(values []string) string {
	if len(values) < 2 {
		return strings.Join(values, "")
	}
	return strings.Join(values[:len(values)-1], ", ") + " or " + values[len(values)-1]
}

// suggest offers the known field closest to a mistyped one.
func suggest(got string, rules *structRule) string {
	best, bestDist := "", 3 // only near misses are worth suggesting
	for _, k := range rules.keys() {
		if d := distance(strings.ToLower(got), strings.ToLower(k)); d < bestDist {
			best, bestDist = k, d
		}
	}
	if best == "" {
		return ""
	}
	return `, did you mean "` + best + `"?`
}

// distance is the Levenshtein edit distance; names far longer than any field name are never
// near misses, and are not compared.
func distance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return math.MaxInt
	}
	return levenshtein.Distance(a, b, nil)
}
