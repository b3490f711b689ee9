package manifest

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
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

// Report is what checking a catalog found: the catalog when every file is valid, and how
// many space files and module manifests its files declare either way.
type Report struct {
	Catalog *Catalog
	Spaces  int
	Modules int
	Errors  Errors
}

// Parse decodes and checks a catalog. Every problem of every file is collected; if there is
// any, Parse returns no catalog and the problems as Errors.
func Parse(sources []Source) (*Catalog, error) {
	report := Check(sources)
	if len(report.Errors) > 0 {
		return nil, report.Errors
	}
	return report.Catalog, nil
}

// Check decodes and checks a catalog, and reports what it holds even when it is invalid.
func Check(sources []Source) Report {
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
	report := Report{Spaces: len(spaces), Modules: len(modules)}
	if len(errs) > 0 {
		report.Errors = errs.sorted()
		return report
	}
	report.Catalog = cat
	return report
}

// parseFile decodes one file as a module manifest (it has a "module" key) or a space file (a
// "space" key).
func parseFile(src Source, errs *Errors) (*Module, *Space) {
	f := newFile(src.Name)
	r := reporter{f, errs}
	root, serr := parseDocument(src.Data)
	if serr != nil {
		r.unreadable("", serr.at, "%s", serr.msg)
		return nil, nil
	}
	if root == nil {
		r.errorf("", "the file is empty; a module manifest needs module, space and components, a space file needs space and team")
		return nil, nil
	}
	d := newDecoder(r, root)
	entries, ok := d.entries(root, "", nil)
	if !ok {
		r.unreadable("", start(root), "a manifest must be a mapping with a \"module\" key (a module) or a \"space\" key (a space file), not %s", describe(root))
		return nil, nil
	}
	switch kindOfFile(entries) {
	case "module":
		m := &Module{source: f}
		d.decode(root, reflect.ValueOf(m).Elem(), "", nil, nil)
		checkModule(m, r)
		return m, nil
	case "space":
		s := &Space{source: f}
		d.decode(root, reflect.ValueOf(s).Elem(), "", nil, nil)
		checkSpace(s, r)
		return nil, s
	}
	r.unreadable("", start(root), "a manifest needs a \"module\" key (a module manifest) or a \"space\" key (a space file)")
	return nil, nil
}

// kindOfFile tells a module manifest from a space file by the keys only one of them has, so
// that a manifest that forgot its "module" key is told so rather than read as a space file.
func kindOfFile(entries []entry) string {
	module, space := rulesOf(reflect.TypeFor[Module]()), rulesOf(reflect.TypeFor[Space]())
	kind := ""
	for _, e := range entries {
		inModule, inSpace := module.byKey[e.key] != nil, space.byKey[e.key] != nil
		switch {
		case e.key == "module" || (inModule && !inSpace):
			return "module"
		case inSpace:
			kind = "space"
		}
	}
	return kind
}
