package pulumicli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
)

// Options says where to look for the CLI.
type Options struct {
	// RepoRoot is the Conveyor repository: tools/pulumi and .cache/bin are found under it.
	RepoRoot string
	// Getenv reads the process environment; nil means os.Getenv. Tests inject their own.
	Getenv func(string) string
	// Progress receives what a build is doing; nil discards it. A cold build takes minutes, so
	// a command should pass its standard error here.
	Progress io.Writer
}

func (o Options) getenv(key string) string {
	if o.Getenv != nil {
		return o.Getenv(key)
	}
	return os.Getenv(key)
}

func (o Options) progress() io.Writer {
	if o.Progress != nil {
		return o.Progress
	}
	return io.Discard
}

// Binary is a Pulumi CLI that passed the Automation API's version check.
type Binary struct {
	// Path is the binary itself.
	Path string
	// Version is what the binary reports.
	Version semver.Version
	// Source says how it was found: "PULUMI_CLI", "repository cache" or "user cache".
	Source string
	// Command runs it for the Automation API; pass it with auto.Pulumi.
	Command auto.PulumiCommand
}

// Once per process and repository: every stack operation needs the CLI, and `pulumi version`
// (which the Automation API runs to check it) costs a fraction of a second each time.
var (
	foundMu sync.Mutex
	found   = map[string]*Binary{}
)

// Find returns the pinned Pulumi CLI, building it into the user cache when neither $PULUMI_CLI
// nor the repository's .cache/bin/pulumi provides it.
func Find(ctx context.Context, opts Options) (*Binary, error) {
	pin, err := PinnedVersion(opts.RepoRoot)
	if err != nil {
		return nil, err
	}
	key := opts.RepoRoot + "\x00" + opts.getenv("PULUMI_CLI") + "\x00" + opts.getenv("CONVEYOR_CACHE_DIR")
	foundMu.Lock()
	defer foundMu.Unlock()
	if b := found[key]; b != nil {
		return b, nil
	}
	b, err := find(ctx, opts, pin)
	if err != nil {
		return nil, err
	}
	found[key] = b
	return b, nil
}

func find(ctx context.Context, opts Options, pin semver.Version) (*Binary, error) {
	cache, err := CacheDir(opts.getenv)
	if err != nil {
		return nil, err
	}
	// An explicit choice is never second-guessed: when it fails the check, say so rather than
	// silently running another CLI than the one asked for.
	if explicit := opts.getenv("PULUMI_CLI"); explicit != "" {
		b, err := check(explicit, pin, cache, false)
		if err != nil {
			return nil, fmt.Errorf("PULUMI_CLI=%s: %w", explicit, err)
		}
		b.Source = "PULUMI_CLI"
		return b, nil
	}

	repoCopy := filepath.Join(opts.RepoRoot, ".cache", "bin", "pulumi")
	if isExecutable(repoCopy) {
		b, err := check(repoCopy, pin, cache, true)
		if err == nil {
			b.Source = "repository cache"
			return b, nil
		}
		fmt.Fprintf(opts.progress(), "conveyor: ignoring %s: %v\n", repoCopy, err)
	}

	userCopy := filepath.Join(cache, "bin", "pulumi-v"+pin.String())
	if !isExecutable(userCopy) {
		if err := build(ctx, opts, pin, userCopy); err != nil {
			return nil, err
		}
	}
	b, err := check(userCopy, pin, cache, true)
	if err != nil {
		return nil, fmt.Errorf("the Pulumi CLI built at %s: %w (delete it to rebuild)", userCopy, err)
	}
	b.Source = "user cache"
	return b, nil
}

// check runs the Automation API's own version check on the binary at path. exact also
// requires the pinned version itself, for the copies Conveyor manages; a user's $PULUMI_CLI
// only has to be at least as new.
func check(path string, pin semver.Version, cache string, exact bool) (*Binary, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("resolving %s: %w", path, err)
	}
	if !isExecutable(abs) {
		return nil, fmt.Errorf("%s is not an executable file", abs)
	}
	root, err := rootFor(abs, cache)
	if err != nil {
		return nil, err
	}
	cmd, err := auto.NewPulumiCommand(&auto.PulumiCommandOptions{Root: root, Version: pin})
	if err != nil {
		return nil, fmt.Errorf("the Automation API refuses it: %w", err)
	}
	if exact && !cmd.Version().Equals(pin) {
		return nil, fmt.Errorf("it is version %s, not the pinned %s", cmd.Version(), pin)
	}
	return &Binary{Path: abs, Version: cmd.Version(), Command: cmd}, nil
}

// Command is Find for callers that need only what the Automation API takes.
func Command(ctx context.Context, opts Options) (auto.PulumiCommand, error) {
	b, err := Find(ctx, opts)
	if err != nil {
		return nil, err
	}
	return b.Command, nil
}

// CacheDir is where built binaries are kept: $CONVEYOR_CACHE_DIR if set, otherwise
// os.UserCacheDir()/conveyor, the same place the test harness keeps its binaries.
func CacheDir(getenv func(string) string) (string, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	if dir := getenv("CONVEYOR_CACHE_DIR"); dir != "" {
		return filepath.Abs(dir)
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("locating the user cache directory (set CONVEYOR_CACHE_DIR): %w", err)
	}
	return filepath.Join(dir, "conveyor"), nil
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}
