package graph

import (
	"bufio"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/conveyor-paas/conveyor/manifest"
)

// Changes are what a branch did to a catalog, compared with the branch it merges into.
type Changes struct {
	Modules map[string]Change `json:"modules,omitempty"`
	Spaces  map[string]Change `json:"spaces,omitempty"`
	// Removed are the modules whose manifest the branch deleted.
	Removed []string `json:"removed,omitempty"`
}

// ChangesSince compares the working tree of the repository that holds dir (commits and
// uncommitted edits alike) with its merge base with base, a git revision such as
// origin/main. A module is added when its manifest is new; changed when its manifest
// changed, or, for a manifest named conveyor.yaml (which sits next to the module's code), when
// anything in its folder changed. A space is changed when its file is. It only reads the
// repository.
func ChangesSince(ctx context.Context, dir, base string, cat *manifest.Catalog) (*Changes, error) {
	top, err := git(ctx, dir, "rev-parse", "--show-toplevel")
	if err != nil {
		return nil, err
	}
	top = strings.TrimSpace(top)
	mergeBase, err := git(ctx, dir, "merge-base", base, "HEAD")
	if err != nil {
		return nil, fmt.Errorf("comparing with %s: %w", base, err)
	}
	mergeBase = strings.TrimSpace(mergeBase)
	diff, err := git(ctx, top, "diff", "--name-status", "--no-renames", mergeBase)
	if err != nil {
		return nil, err
	}
	untracked, err := git(ctx, top, "ls-files", "--others", "--exclude-standard")
	if err != nil {
		return nil, err
	}
	status := map[string]string{} // repository path -> A, M or D
	for _, line := range lines(diff) {
		code, path, _ := strings.Cut(line, "\t")
		status[path] = code[:1]
	}
	for _, path := range lines(untracked) {
		status[path] = "A"
	}
	rel := func(file string) string {
		abs, err := filepath.Abs(file)
		if err != nil {
			return file
		}
		if resolved, err := filepath.EvalSymlinks(abs); err == nil {
			abs = resolved
		}
		resolvedTop := top
		if r, err := filepath.EvalSymlinks(top); err == nil {
			resolvedTop = r
		}
		r, err := filepath.Rel(resolvedTop, abs)
		if err != nil {
			return file
		}
		return filepath.ToSlash(r)
	}
	c := &Changes{Modules: map[string]Change{}, Spaces: map[string]Change{}}
	for _, m := range cat.Modules {
		path := rel(m.File())
		switch status[path] {
		case "A":
			c.Modules[m.Name] = Added
			continue
		case "M":
			c.Modules[m.Name] = Changed
			continue
		}
		if manifest.IsManifestFile(path) && !strings.Contains(filepath.Base(path), ".conveyor.") {
			folder := filepath.ToSlash(filepath.Dir(path)) + "/"
			for p := range status {
				if strings.HasPrefix(p, folder) {
					c.Modules[m.Name] = Changed
					break
				}
			}
		}
	}
	for _, s := range cat.Spaces {
		switch status[rel(s.File())] {
		case "A":
			c.Spaces[s.Name] = Added
		case "M":
			c.Spaces[s.Name] = Changed
		}
	}
	for path, code := range status {
		if code != "D" || !manifest.IsManifestFile(path) {
			continue
		}
		old, err := git(ctx, top, "show", mergeBase+":"+path)
		if err != nil {
			continue
		}
		var doc struct {
			Module string `yaml:"module"`
		}
		if yaml.Unmarshal([]byte(old), &doc) == nil && doc.Module != "" && cat.Module(doc.Module) == nil {
			c.Removed = append(c.Removed, doc.Module)
		}
	}
	slices.Sort(c.Removed)
	return c, nil
}

func lines(text string) []string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// git runs a read-only git command in dir.
func git(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
	out, err := cmd.Output()
	if err != nil {
		msg := err.Error()
		if exit, ok := err.(*exec.ExitError); ok && len(exit.Stderr) > 0 {
			msg = strings.TrimSpace(string(exit.Stderr))
		}
		return "", fmt.Errorf("git %s: %s", strings.Join(args, " "), msg)
	}
	return string(out), nil
}
