// Package bench measures how Conveyor's own cost grows with the size of a platform. Its
// catalogs are synthetic but valid: they are written in the real manifest format and loaded
// through the real loader.
package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// SpacesFor is how many spaces a catalog of n modules has: about ten modules a space.
func SpacesFor(n int) int { return max(1, n/10) }

// WriteCatalog writes a catalog of n modules into dir. Module i lives in space i%spaces,
// publishes two events, consumes one event of each of two other modules, and has an api and
// a handler; every second module also has a database and a migration job, every third a cron.
func WriteCatalog(dir string, n int) error {
	if n < 3 {
		return fmt.Errorf("a catalog needs at least 3 modules for its web of events, not %d", n)
	}
	spaces := SpacesFor(n)
	for s := range spaces {
		space := spaceName(s)
		text := fmt.Sprintf("space: %s\nteam: %s@acme.io\nquota: {cpu: \"64\", memory: 128Gi, pods: 500}\nconfig: {LOG_FORMAT: json}\n", space, space)
		if err := write(dir, space, "space.conveyor.yaml", text); err != nil {
			return err
		}
	}
	for i := range n {
		if err := write(dir, spaceName(i%spaces), moduleName(i)+".conveyor.yaml", moduleManifest(i, n, spaces)); err != nil {
			return err
		}
	}
	return nil
}

func moduleManifest(i, n, spaces int) string {
	// Two producers at different distances, so the events form a web rather than a chain.
	a, b := (i+1)%n, (i+7)%n
	if b == i || b == a {
		b = (i + 2) % n
	}
	consumes := []string{moduleName(a) + ".created", moduleName(b) + ".updated"}
	var m strings.Builder
	fmt.Fprintf(&m, "module: %s\nspace: %s\ndatabase: %v\n", moduleName(i), spaceName(i%spaces), i%2 == 0)
	fmt.Fprintf(&m, "publishes: [created, updated]\nconsumes: [%s]\n", strings.Join(consumes, ", "))
	fmt.Fprintf(&m, "config: {MODULE_INDEX: %q}\ncomponents:\n", fmt.Sprint(i))
	fmt.Fprintf(&m, "  api:\n    image: ghcr.io/acme/%s:1.0.%d\n    port: 8080\n    autoscaling: {min: 2, max: 6}\n", moduleName(i), i)
	fmt.Fprintf(&m, "  handler:\n    image: ghcr.io/acme/%s:1.0.%d\n    handles: [%s]\n", moduleName(i), i, strings.Join(consumes, ", "))
	if i%2 == 0 {
		fmt.Fprintf(&m, "  migrate:\n    kind: job\n    image: ghcr.io/acme/%s-migrate:1.0.%d\n", moduleName(i), i)
	}
	if i%3 == 0 {
		fmt.Fprintf(&m, "  nightly:\n    kind: cron\n    image: ghcr.io/acme/%s:1.0.%d\n    schedule: \"%d 3 * * *\"\n", moduleName(i), i, i%60)
	}
	return m.String()
}

// WriteUniformCatalog writes a catalog of n modules that are all alike, the shape issue 14
// measured the real engine with: each module has a database, a job and a cron, publishes two
// events (two topics) and consumes one event of the next module (one subscription).
func WriteUniformCatalog(dir string, n int) error {
	if n < 2 {
		return fmt.Errorf("a uniform catalog needs at least 2 modules, each consuming the next one's event, not %d", n)
	}
	spaces := SpacesFor(n)
	for s := range spaces {
		space := spaceName(s)
		text := fmt.Sprintf("space: %s\nteam: %s@acme.io\nquota: {cpu: \"64\", memory: 128Gi, pods: 500}\n", space, space)
		if err := write(dir, space, "space.conveyor.yaml", text); err != nil {
			return err
		}
	}
	for i := range n {
		next := moduleName((i + 1) % n)
		text := fmt.Sprintf("module: %s\nspace: %s\ndatabase: true\npublishes: [created, updated]\nconsumes: [%s.created]\ncomponents:\n"+
			"  migrate:\n    kind: job\n    image: ghcr.io/acme/%s-migrate:1.0.%d\n"+
			"  nightly:\n    kind: cron\n    image: ghcr.io/acme/%s:1.0.%d\n    schedule: \"%d 3 * * *\"\n",
			moduleName(i), spaceName(i%spaces), next, moduleName(i), i, moduleName(i), i, i%60)
		if err := write(dir, spaceName(i%spaces), moduleName(i)+".conveyor.yaml", text); err != nil {
			return err
		}
	}
	return nil
}

func spaceName(s int) string  { return fmt.Sprintf("space%03d", s) }
func moduleName(i int) string { return fmt.Sprintf("module%04d", i) }

func write(dir, space, file, text string) error {
	folder := filepath.Join(dir, space)
	if err := os.MkdirAll(folder, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(folder, file), []byte(text), 0o644)
}
