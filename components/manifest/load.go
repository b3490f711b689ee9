package manifest

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	"gopkg.in/yaml.v3"
)

// Source is one file of a catalog.
type Source struct {
	Name string
	Data []byte
}

// IsManifestFile says whether a file found while walking a folder belongs to the catalog:
// "conveyor.yaml" next to a service's code, or any "*.conveyor.yaml". Other YAML files (CI
// configuration, Kubernetes manifests) are left alone.
func IsManifestFile(name string) bool {
	base := filepath.Base(name)
	for _, ext := range []string{".yaml", ".yml"} {
		if base == "conveyor"+ext || strings.HasSuffix(base, ".conveyor"+ext) {
			return true
		}
	}
	return false
}

// Read collects the catalog files at paths: a file is read whatever its name, a folder is
// walked for manifest files (see IsManifestFile).
func Read(paths ...string) ([]Source, error) {
	var sources []Source
	for _, root := range paths {
		info, err := os.Stat(root)
		if err != nil {
			return nil, fmt.Errorf("reading the catalog: %w", err)
		}
		if !info.IsDir() {
			data, err := os.ReadFile(root)
			if err != nil {
				return nil, fmt.Errorf("reading the catalog: %w", err)
			}
			sources = append(sources, Source{root, data})
			continue
		}
		err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() || !IsManifestFile(path) {
				return nil
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			sources = append(sources, Source{path, data})
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("reading the catalog in %s: %w", root, err)
		}
	}
	if len(sources) == 0 {
		return nil, fmt.Errorf("no manifest files (conveyor.yaml or *.conveyor.yaml) in %s", strings.Join(paths, ", "))
	}
	return sources, nil
}

// Load reads and parses the catalog at paths. Its error is Errors when the files were read
// but are not a valid catalog.
func Load(paths ...string) (*Catalog, error) {
	sources, err := Read(paths...)
	if err != nil {
		return nil, err
	}
	return Parse(sources)
}

// Parse decodes and checks a catalog. Every problem of every file is collected; if there is
// any, Parse returns no catalog and the problems as Errors.
func Parse(sources []Source) (*Catalog, error) {
	var errs Errors
	var modules []*Module
	var spaces []*Space
	for _, src := range sources {
		m, s := parseFile(src, &errs)
		if m != nil {
			modules = append(modules, m)
		}
		if s != nil {
			spaces = append(spaces, s)
		}
	}
	cat := link(modules, spaces, &errs)
	if len(errs) > 0 {
		return nil, errs.sorted()
	}
	return cat, nil
}

// parseFile decodes one file as a module manifest (it has a "module" key) or a space file.
func parseFile(src Source, errs *Errors) (*Module, *Space) {
	r := reporter{file: src.Name, pos: positions{"": {1, 1}}, errs: errs}
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(src.Data))
	if err := dec.Decode(&root); err != nil {
		line, msg := yamlErrorLine(err)
		r.pos[""] = pos{line, 1}
		r.errorf("", "%s", msg)
		return nil, nil
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		r.pos[""] = pos{extra.Line, extra.Column}
		r.errorf("", "a manifest file holds one document; split the others into files of their own")
		return nil, nil
	}
	doc := &root
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		doc = doc.Content[0]
	}
	if doc.Kind != yaml.MappingNode {
		r.pos[""] = pos{max(doc.Line, 1), max(doc.Column, 1)}
		r.errorf("", "a manifest must be a mapping with a \"module\" key (a module) or a \"space\" key (a space file)")
		return nil, nil
	}
	d := decoder{r}
	if hasKey(doc, "module") {
		m := &Module{file: src.Name, positions: r.pos}
		d.decode(doc, reflect.ValueOf(m).Elem(), "", false)
		checkModule(m, r)
		return m, nil
	}
	s := &Space{file: src.Name, positions: r.pos}
	d.decode(doc, reflect.ValueOf(s).Elem(), "", false)
	checkSpace(s, r)
	return nil, s
}

func hasKey(n *yaml.Node, key string) bool {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return true
		}
	}
	return false
}

// yamlErrorLine pulls the line out of a yaml.v3 syntax error ("yaml: line 3: ...").
func yamlErrorLine(err error) (int, string) {
	msg := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	var line int
	if _, scanErr := fmt.Sscanf(msg, "line %d:", &line); scanErr == nil {
		_, rest, _ := strings.Cut(msg, ":")
		return line, "invalid YAML:" + rest
	}
	return 1, "invalid YAML: " + msg
}
