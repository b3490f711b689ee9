package harness

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// A rootfs is the single layer of a stand-in image (standins.go): trees and files of this
// machine copied to paths of the image, the shared libraries every program among them needs
// (found with ldd, at the paths the machine has them, so the dynamic loader finds them where
// it was built to look), symlinks and generated files such as an entrypoint script.
type rootfs struct {
	trees    []hostTree
	links    map[string]string // image path -> link target
	files    map[string]string // image path -> content, written executable
	dataFile map[string]string // image path -> content, written read-only (/etc/passwd)
}

// hostTree is a file or directory of the machine and where it goes in the image. Symlinks
// inside it are followed (the JRE's configuration links to /etc), broken ones left out.
type hostTree struct {
	from, to string
	// skip leaves out a path of the tree, relative to from ("jmods", "lib/libpq.a").
	skip func(rel string) bool
}

// rootfsEntry is one file of the layer, in the order it is written.
type rootfsEntry struct {
	name   string // the image path, without the leading slash
	host   string // the machine's file for a regular file copied from it
	data   []byte // or its content
	link   string // or the target of a symlink
	dir    bool
	mode   int64
	size   int64
	mtimeS int64 // for the cache key only
}

// entries lists the layer's files: the trees', then the libraries their programs need, then
// the links and generated files. Directories are listed once, before their content.
func (r rootfs) entries(ctx context.Context) ([]rootfsEntry, error) {
	l, err := r.listTrees()
	if err != nil {
		return nil, err
	}
	libs, err := sharedLibraries(ctx, l.elves, l.names)
	if err != nil {
		return nil, err
	}
	for _, lib := range libs {
		resolved, err := filepath.EvalSymlinks(lib)
		if err != nil {
			return nil, fmt.Errorf("shared library %s: %w", lib, err)
		}
		if l.inTrees[resolved] {
			continue // found through a program's rpath, inside its own tree
		}
		info, err := os.Stat(resolved)
		if err != nil {
			return nil, fmt.Errorf("shared library %s: %w", lib, err)
		}
		l.add(rootfsEntry{name: lib, host: resolved, mode: int64(info.Mode().Perm()), size: info.Size(), mtimeS: info.ModTime().Unix()})
	}
	r.addGenerated(l)
	return l.out, nil
}

// stamp lists what decides the layer's content without asking ldd: the trees' files with
// their sizes and times, the links and generated files. The libraries come from the
// machine's packages, which the cache key covers separately (standinimage.go).
func (r rootfs) stamp() ([]rootfsEntry, error) {
	l, err := r.listTrees()
	if err != nil {
		return nil, err
	}
	r.addGenerated(l)
	return l.out, nil
}

// rootfsListing is a layer's entries as they are collected.
type rootfsListing struct {
	out     []rootfsEntry
	seen    map[string]bool
	elves   []string        // the machine's ELF files the trees copy
	inTrees map[string]bool // the machine's files the trees copy, by resolved path
	names   map[string]bool // their base names
}

// add adds e, and its parent directories before it, unless its path is taken already.
func (l *rootfsListing) add(e rootfsEntry) {
	e.name = strings.TrimPrefix(path.Clean(e.name), "/")
	if l.seen[e.name] {
		return
	}
	var parents []string
	for dir := path.Dir(e.name); dir != "." && dir != "/" && !l.seen[dir]; dir = path.Dir(dir) {
		parents = append(parents, dir)
	}
	for i := len(parents) - 1; i >= 0; i-- {
		l.seen[parents[i]] = true
		l.out = append(l.out, rootfsEntry{name: parents[i], dir: true, mode: 0o755})
	}
	l.seen[e.name] = true
	l.out = append(l.out, e)
}

func (r rootfs) listTrees() (*rootfsListing, error) {
	l := &rootfsListing{seen: map[string]bool{}, inTrees: map[string]bool{}, names: map[string]bool{}}
	for _, t := range r.trees {
		err := filepath.WalkDir(t.from, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(t.from, p)
			if rel != "." && t.skip != nil && t.skip(filepath.ToSlash(rel)) {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			info, err := os.Stat(p) // follows symlinks
			if errors.Is(err, fs.ErrNotExist) {
				return nil // a broken link (the JDK's src.zip without its package)
			}
			if err != nil {
				return err
			}
			name := path.Join(t.to, filepath.ToSlash(rel))
			if info.IsDir() {
				if d.Type()&fs.ModeSymlink != 0 {
					return nil // a link to a directory elsewhere: not followed
				}
				l.add(rootfsEntry{name: name, dir: true, mode: int64(info.Mode().Perm())})
				return nil
			}
			if !info.Mode().IsRegular() {
				return nil
			}
			l.add(rootfsEntry{name: name, host: p, mode: int64(info.Mode().Perm()), size: info.Size(), mtimeS: info.ModTime().Unix()})
			if resolved, err := filepath.EvalSymlinks(p); err == nil {
				l.inTrees[resolved] = true
			}
			l.names[filepath.Base(p)] = true
			if isELF(p) {
				l.elves = append(l.elves, p)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("listing %s for a stand-in image: %w", t.from, err)
		}
	}
	return l, nil
}

func (r rootfs) addGenerated(l *rootfsListing) {
	for _, name := range sortedKeys(r.links) {
		l.add(rootfsEntry{name: name, link: r.links[name], mode: 0o777})
	}
	for _, name := range sortedKeys(r.files) {
		l.add(rootfsEntry{name: name, data: []byte(r.files[name]), mode: 0o755, size: int64(len(r.files[name]))})
	}
	for _, name := range sortedKeys(r.dataFile) {
		l.add(rootfsEntry{name: name, data: []byte(r.dataFile[name]), mode: 0o644, size: int64(len(r.dataFile[name]))})
	}
}

// writeRootfsTar writes the entries as an uncompressed layer.
func writeRootfsTar(w io.Writer, entries []rootfsEntry) error {
	tw := tar.NewWriter(w)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Mode: e.mode, Format: tar.FormatPAX}
		switch {
		case e.dir:
			h.Typeflag, h.Name = tar.TypeDir, e.name+"/"
		case e.link != "":
			h.Typeflag, h.Linkname = tar.TypeSymlink, e.link
		default:
			h.Typeflag, h.Size = tar.TypeReg, e.size
		}
		if err := tw.WriteHeader(h); err != nil {
			return fmt.Errorf("writing %s into a stand-in image: %w", e.name, err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		if e.data != nil {
			if _, err := tw.Write(e.data); err != nil {
				return fmt.Errorf("writing %s into a stand-in image: %w", e.name, err)
			}
			continue
		}
		if err := copyHostFile(tw, e); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("closing a stand-in image's layer: %w", err)
	}
	return nil
}

func copyHostFile(w io.Writer, e rootfsEntry) error {
	f, err := os.Open(e.host)
	if err != nil {
		return fmt.Errorf("copying %s into a stand-in image: %w", e.host, err)
	}
	defer f.Close()
	// Exactly the size the header promised, even if the file changed since.
	if _, err := io.Copy(w, io.LimitReader(f, e.size)); err != nil {
		return fmt.Errorf("copying %s into a stand-in image: %w", e.host, err)
	}
	return nil
}

// isELF says whether the file at p is an ELF object (a program or a shared library).
func isELF(p string) bool {
	f, err := os.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	magic := make([]byte, 4)
	_, err = io.ReadFull(f, magic)
	return err == nil && bytes.Equal(magic, []byte("\x7fELF"))
}

// sharedLibraries lists, sorted, the shared libraries (and the dynamic loader) that the ELF
// objects need, as ldd finds them on this machine. A static program needs none. A library ldd
// does not find but the trees have (the JRE's libraries need libjvm.so, which the java
// launcher loads first) is theirs.
func sharedLibraries(ctx context.Context, elves []string, provided map[string]bool) ([]string, error) {
	found := map[string]bool{}
	for _, elf := range elves {
		out, err := exec.CommandContext(ctx, "ldd", elf).Output()
		if err != nil {
			// ldd fails on static programs ("not a dynamic executable") and on objects
			// for another machine; neither needs anything of this one.
			continue
		}
		sc := bufio.NewScanner(bytes.NewReader(out))
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if lib, _, _ := strings.Cut(line, " "); strings.HasSuffix(line, "not found") && provided[lib] {
				continue
			}
			if strings.Contains(line, "not found") {
				return nil, fmt.Errorf("%s needs a library this machine lacks: %s", elf, line)
			}
			// "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x…)" or
			// "/lib64/ld-linux-x86-64.so.2 (0x…)"; linux-vdso has no file.
			if _, after, ok := strings.Cut(line, "=> "); ok {
				line = after
			}
			if lib, _, _ := strings.Cut(line, " "); strings.HasPrefix(lib, "/") {
				found[filepath.Clean(lib)] = true
			}
		}
	}
	return sortedKeys(found), nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
