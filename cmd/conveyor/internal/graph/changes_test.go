package graph

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// repo is a git repository of a test's own.
type repo struct {
	t   *testing.T
	dir string
}

func (r repo) git(args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", append([]string{"-C", r.dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func (r repo) write(path, text string) {
	r.t.Helper()
	full := filepath.Join(r.dir, path)
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(full, []byte(text), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

// TestChangesSince makes a main branch with a catalog, then a branch that changes a manifest,
// edits the code next to a conveyor.yaml, adds a module without committing it, deletes one and
// edits a space file, and checks what ChangesSince finds, and that it left git as it was.
func TestChangesSince(t *testing.T) {
	r := repo{t, t.TempDir()}
	r.git("init", "-q", "-b", "main")
	r.write("catalog/shop/space.conveyor.yaml", "space: shop\nteam: shop@example.com\n")
	r.write("catalog/back/space.conveyor.yaml", "space: back\nteam: back@example.com\n")
	r.write("catalog/shop/orders.conveyor.yaml", "module: orders\nspace: shop\ncomponents:\n  api: {image: \"orders:1\"}\n")
	r.write("catalog/shop/carts.conveyor.yaml", "module: carts\nspace: shop\ncomponents:\n  api: {image: \"carts:1\"}\n")
	r.write("catalog/shop/legacy.conveyor.yaml", "module: legacy\nspace: shop\ncomponents:\n  api: {image: \"legacy:1\"}\n")
	r.write("services/billing/conveyor.yaml", "module: billing\nspace: back\ncomponents:\n  api: {image: \"billing:1\"}\n")
	r.write("services/billing/main.go", "package main\n")
	r.write("services/stock/conveyor.yaml", "module: stock\nspace: back\ncomponents:\n  api: {image: \"stock:1\"}\n")
	r.git("add", ".")
	r.git("commit", "-q", "-m", "catalog")
	r.git("checkout", "-q", "-b", "feature")
	r.write("catalog/shop/orders.conveyor.yaml", "module: orders\nspace: shop\ncomponents:\n  api: {image: \"orders:2\"}\n")
	r.write("services/billing/main.go", "package main\n\nfunc main() {}\n")
	r.git("commit", "-q", "-am", "orders 2, billing's code")
	r.git("rm", "-q", "catalog/shop/legacy.conveyor.yaml")
	r.write("catalog/back/space.conveyor.yaml", "space: back\nteam: back-team@example.com\n")
	r.write("services/coupons/conveyor.yaml", "module: coupons\nspace: shop\ncomponents:\n  api: {image: \"coupons:1\"}\n")
	before := r.git("status", "--porcelain")

	cat := load(t, r.dir)
	got, err := ChangesSince(t.Context(), filepath.Join(r.dir, "catalog"), "main", cat)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Change{"orders": Changed, "billing": Changed, "coupons": Added}
	if len(got.Modules) != len(want) {
		t.Errorf("modules = %v, want %v", got.Modules, want)
	}
	for m, c := range want {
		if got.Modules[m] != c {
			t.Errorf("%s: %q, want %q (all: %v)", m, got.Modules[m], c, got.Modules)
		}
	}
	if got.Spaces["back"] != Changed || len(got.Spaces) != 1 {
		t.Errorf("spaces = %v, want back changed", got.Spaces)
	}
	if !slices.Equal(got.Removed, []string{"legacy"}) {
		t.Errorf("removed = %v, want [legacy]", got.Removed)
	}
	if after := r.git("status", "--porcelain"); after != before {
		t.Errorf("git status changed:\n%s\nto\n%s", before, after)
	}

	if _, err := ChangesSince(t.Context(), r.dir, "no-such-branch", cat); err == nil || !strings.Contains(err.Error(), "no-such-branch") {
		t.Errorf("an unknown base: %v", err)
	}
}
