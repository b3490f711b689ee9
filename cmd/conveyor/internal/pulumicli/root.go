package pulumicli

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
)

// rootFor returns a directory whose bin/pulumi is the binary at path: the Automation API takes
// an installation root, never a binary. A binary already named <root>/bin/pulumi is its own
// root; any other (such as <cache>/bin/pulumi-v3.274.1) gets a symlink under
// <cache>/roots/, named after a hash of its path so that distinct binaries never share one.
func rootFor(path, cache string) (string, error) {
	if filepath.Base(path) == "pulumi" && filepath.Base(filepath.Dir(path)) == "bin" {
		return filepath.Dir(filepath.Dir(path)), nil
	}
	sum := sha256.Sum256([]byte(path))
	root := filepath.Join(cache, "roots", filepath.Base(path)+"-"+hex.EncodeToString(sum[:])[:10])
	link := filepath.Join(root, "bin", "pulumi")
	if target, err := os.Readlink(link); err == nil && target == path {
		return root, nil
	}
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		return "", fmt.Errorf("creating %s: %w", filepath.Dir(link), err)
	}
	// Link under a temporary name and rename into place, so that a concurrent process never
	// finds a missing or half-made link.
	tmp := fmt.Sprintf("%s.%d.tmp", link, os.Getpid())
	_ = os.Remove(tmp)
	if err := os.Symlink(path, tmp); err != nil {
		return "", fmt.Errorf("linking %s to %s: %w", tmp, path, err)
	}
	if err := os.Rename(tmp, link); err != nil {
		_ = os.Remove(tmp)
		return "", fmt.Errorf("linking %s to %s: %w", link, path, err)
	}
	return root, nil
}
