package tracked

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
)

// gitRepo makes a repository with a tracked file, an ignored one and an untracked one.
func gitRepo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range map[string]string{
		".gitignore":               "/stacks/Pulumi.*.yaml\n!/stacks/Pulumi.dev.yaml\n",
		"stacks/Pulumi.dev.yaml":   "config: {}\n",
		"stacks/Pulumi.alice.yaml": "config: {}\n",
		"notes.txt":                "untracked\n",
		"bin/run.sh":               "#!/bin/sh\n",
	} {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(filepath.Join(dir, "bin/run.sh"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"init", "-q"}, {"add", ".gitignore", "stacks", "bin"}} {
		cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	return dir
}

func TestFilesListsWhatGitTracks(t *testing.T) {
	dir := gitRepo(t)
	got, err := Files(t.Context(), dir, "stacks/Pulumi.*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"stacks/Pulumi.dev.yaml"}; !slices.Equal(got, want) {
		t.Errorf("tracked stack files = %v, want %v (the ignored one left out)", got, want)
	}
	if _, err := Files(t.Context(), t.TempDir()); err == nil {
		t.Error("a folder outside any repository lists files")
	}
}

func TestCopyHoldsTheTrackedFilesOnly(t *testing.T) {
	dir := gitRepo(t)
	dst := filepath.Join(t.TempDir(), "copy")
	if err := Copy(t.Context(), dir, dst); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{
		".gitignore": true, "stacks/Pulumi.dev.yaml": true, "bin/run.sh": true,
		"stacks/Pulumi.alice.yaml": false, "notes.txt": false,
	} {
		info, err := os.Stat(filepath.Join(dst, name))
		if (err == nil) != want {
			t.Errorf("%s copied = %v, want %v", name, err == nil, want)
		}
		if name == "bin/run.sh" && err == nil && info.Mode().Perm()&0o100 == 0 {
			t.Errorf("%s lost its executable bit: %v", name, info.Mode())
		}
	}
}
