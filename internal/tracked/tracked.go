// Package tracked lists and copies the files a git repository tracks. Tests check the
// repository, and the repository is what git tracks: the conveyor command writes files of its
// own beside the tracked ones (the stack files of a developer's environments, ignored by git),
// and nothing a test reads may depend on them.
package tracked

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// timeout bounds one git call; listing a few hundred files takes milliseconds.
const timeout = 30 * time.Second

// Files lists the tracked files of the repository that holds root and that match the git
// pathspecs (all files when there are none), as slash-separated paths relative to root, in
// git's order.
func Files(ctx context.Context, root string, pathspecs ...string) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	args := append([]string{"-C", root, "ls-files", "-z", "--"}, pathspecs...)
	cmd := exec.CommandContext(ctx, "git", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return nil, fmt.Errorf("listing the files git tracks in %s: git ls-files: %s", root, msg)
	}
	var files []string
	for _, f := range strings.Split(string(out), "\x00") {
		if f != "" {
			files = append(files, f)
		}
	}
	return files, nil
}

// Copy copies every tracked file under root into dst, which it creates, with the files'
// modes. A tracked file deleted from the work tree is skipped, as git would leave it out of
// a commit of the work tree; the copy holds what a developer's edits make of the tracked
// files, and nothing else.
func Copy(ctx context.Context, root, dst string) error {
	files, err := Files(ctx, root)
	if err != nil {
		return err
	}
	for _, f := range files {
		if err := copyFile(filepath.Join(root, filepath.FromSlash(f)), filepath.Join(dst, filepath.FromSlash(f))); err != nil {
			return err
		}
	}
	return nil
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("copying a tracked file: %w", err)
	}
	defer in.Close()
	info, err := in.Stat()
	if err != nil {
		return fmt.Errorf("copying a tracked file: %w", err)
	}
	if info.IsDir() {
		return nil // a submodule
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return fmt.Errorf("copying a tracked file: %w", err)
	}
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, info.Mode().Perm())
	if err != nil {
		return fmt.Errorf("copying a tracked file: %w", err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("copying %s: %w", from, err)
	}
	if err := out.Close(); err != nil {
		return fmt.Errorf("copying %s: %w", from, err)
	}
	return nil
}
