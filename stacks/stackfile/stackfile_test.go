package stackfile_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/conveyor-paas/conveyor/stacks/stackfile"
)

// The program and the command read a stack's file the way the engine hands its config to a
// program: full keys, objects and lists as JSON, scalars as text.
func TestReadConfigIsTheEnginesView(t *testing.T) {
	root := t.TempDir()
	write(t, root, "dev", "encryptionsalt: v1:abc\nconfig:\n  conveyor:catalog: stacks/catalog\n  production: true\n"+
		"  conveyor:images: {quotes: {api: ghcr.io/acme/quotes:1.4.2}}\n  conveyor:allowedRegistries: [ghcr.io/acme]\n")
	got, err := stackfile.ReadConfig(root, "dev")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"conveyor:catalog":           "stacks/catalog",
		"conveyor:production":        "true",
		"conveyor:images":            `{"quotes":{"api":"ghcr.io/acme/quotes:1.4.2"}}`,
		"conveyor:allowedRegistries": `["ghcr.io/acme"]`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("config (-want +got):\n%s", diff)
	}
	doc, err := stackfile.ReadDoc(root, "dev")
	if err != nil {
		t.Fatal(err)
	}
	if doc["encryptionsalt"] != "v1:abc" {
		t.Errorf("the document's encryptionsalt is %v, want the file's", doc["encryptionsalt"])
	}
}

func TestReadConfigWithoutAFileIsEmpty(t *testing.T) {
	got, err := stackfile.ReadConfig(t.TempDir(), "pr-1")
	if err != nil || len(got) != 0 {
		t.Errorf("ReadConfig of a stack without a file = %v, %v; want none, no error", got, err)
	}
}

// An offline reader cannot decrypt: it says which file and key, rather than pass ciphertext on.
func TestReadConfigRefusesAnEncryptedValue(t *testing.T) {
	root := t.TempDir()
	write(t, root, "dev", "config:\n  conveyor:token:\n    secure: v1:xyz\n")
	_, err := stackfile.ReadConfig(root, "dev")
	if err == nil || !strings.Contains(err.Error(), stackfile.Name("dev")) || !strings.Contains(err.Error(), "conveyor:token is encrypted") {
		t.Errorf("err = %v, want the file and the encrypted key named", err)
	}
}

func TestPathAndStackAreInverse(t *testing.T) {
	path := stackfile.Path("/repo", "local-alice")
	if want := filepath.Join("/repo", "stacks", "Pulumi.local-alice.yaml"); path != want {
		t.Errorf("Path = %s, want %s", path, want)
	}
	if stack, ok := stackfile.Stack(path); !ok || stack != "local-alice" {
		t.Errorf("Stack(%s) = %q, %v; want local-alice", path, stack, ok)
	}
	if stack, ok := stackfile.Stack("/repo/stacks/catalog"); ok {
		t.Errorf("Stack of a folder = %q, want none", stack)
	}
}

// The Runner refuses a project whose Pulumi.yaml puts stack files where Conveyor does not look.
func TestCheckProjectDir(t *testing.T) {
	for dir, ok := range map[string]bool{"stacks": true, "stacks/": true, "": false, "config": false} {
		if err := stackfile.CheckProjectDir(dir); (err == nil) != ok {
			t.Errorf("CheckProjectDir(%q) = %v, want ok %v", dir, err, ok)
		}
	}
}

func write(t *testing.T, root, stack, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(root, stackfile.Dir), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(stackfile.Path(root, stack), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}
