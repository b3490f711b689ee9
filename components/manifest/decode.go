package manifest

import (
	"reflect"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// decoder maps a YAML node tree onto Go values strictly: an unknown key, a duplicate key or a
// value of the wrong type is an error at its line and column, and decoding goes on so that all
// the errors of a file are reported together. It records the position of every field it
// sees, for the errors of the later checks.
type decoder struct {
	reporter
}

// quantityType accepts any scalar, like the config maps do (decode's anyScalar), so that
// "cpu: 1" reads as "1" instead of being a type error.
var quantityType = reflect.TypeFor[Quantity]()

func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string, anyScalar bool) {
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return
		}
		n = n.Content[0]
	}
	if n.Kind == yaml.AliasNode {
		d.errorf(path, "YAML aliases are not supported in manifests; write the value out")
		return
	}
	d.pos[path] = pos{n.Line, n.Column}
	if n.Tag == "!!null" {
		return // an empty value leaves the field at its zero value
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		d.decode(n, v.Elem(), path, anyScalar)
	case reflect.Struct:
		d.decodeStruct(n, v, path)
	case reflect.Map:
		d.decodeMap(n, v, path)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			d.errorf(path, "must be a list, not %s", describe(n))
			return
		}
		list := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, item := range n.Content {
			d.decode(item, list.Index(i), path+"["+strconv.Itoa(i)+"]", anyScalar)
		}
		v.Set(list)
	case reflect.String:
		if n.Kind != yaml.ScalarNode || (n.Tag != "!!str" && !anyScalar && v.Type() != quantityType) {
			d.errorf(path, "must be a string, not %s", describe(n))
			return
		}
		v.SetString(n.Value)
	case reflect.Int:
		i, err := strconv.Atoi(n.Value)
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || err != nil {
			d.errorf(path, "must be a whole number, not %s", describe(n))
			return
		}
		v.SetInt(int64(i))
	case reflect.Bool:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
			d.errorf(path, "must be true or false, not %s", describe(n))
			return
		}
		v.SetBool(n.Value == "true")
	}
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.errorf(path, "must be a mapping of fields, not %s", describe(n))
		return
	}
	fields := map[string]int{}
	var known []string
	for i := range v.NumField() {
		f := v.Type().Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		fields[name] = i
		known = append(known, name)
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, value := n.Content[i], n.Content[i+1]
		fieldPath := join(path, key.Value)
		d.pos[fieldPath+"#key"] = pos{key.Line, key.Column}
		if seen[key.Value] {
			d.keyErrorf(fieldPath, "is set twice")
			continue
		}
		seen[key.Value] = true
		idx, ok := fields[key.Value]
		if !ok {
			d.keyErrorf(fieldPath, "unknown field%s; the known fields are %s", suggest(key.Value, known), strings.Join(known, ", "))
			continue
		}
		d.decode(value, v.Field(idx), fieldPath, false)
	}
}

func (d *decoder) decodeMap(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.errorf(path, "must be a mapping, not %s", describe(n))
		return
	}
	if v.IsNil() {
		v.Set(reflect.MakeMap(v.Type()))
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, value := n.Content[i], n.Content[i+1]
		entryPath := join(path, key.Value)
		d.pos[entryPath+"#key"] = pos{key.Line, key.Column}
		if key.Kind != yaml.ScalarNode {
			d.errorf(path, "keys must be plain names, not %s", describe(key))
			continue
		}
		if v.MapIndex(reflect.ValueOf(key.Value)).IsValid() {
			d.keyErrorf(entryPath, "is set twice")
			continue
		}
		elem := reflect.New(v.Type().Elem()).Elem()
		// Config maps hold environment variables, which are strings whatever YAML thinks.
		d.decode(value, elem, entryPath, v.Type().Elem().Kind() == reflect.String)
		v.SetMapIndex(reflect.ValueOf(key.Value), elem)
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// describe names what a node is, for type errors.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!str":
			return strconv.Quote(n.Value)
		case "!!int", "!!float":
			return "the number " + n.Value
		case "!!bool":
			return "the boolean " + n.Value
		}
		return n.Value
	}
	return "an unsupported YAML value"
}

// suggest offers the known field closest to a mistyped one.
func suggest(got string, known []string) string {
	best, bestDist := "", 3 // only near misses are worth suggesting
	for _, k := range known {
		if d := distance(strings.ToLower(got), strings.ToLower(k)); d < bestDist {
			best, bestDist = k, d
		}
	}
	if best == "" {
		return ""
	}
	return `, did you mean "` + best + `"?`
}

// distance is the Levenshtein edit distance.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = slices.Min([]int{prev[j] + 1, cur[j-1] + 1, prev[j-1] + cost})
		}
		prev = cur
	}
	return prev[len(b)]
}
