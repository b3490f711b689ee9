package pulumicli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

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
	// Download installs Pulumi's release of version under root (root/bin/pulumi); nil means
	// auto.InstallPulumiCommand, which fetches it from get.pulumi.com. Tests inject a double.
	Download func(ctx context.Context, root string, version semver.Version) error
}

// downloadTimeout bounds the attempt to download the CLI: on a machine that cannot reach
// get.pulumi.com, Conveyor builds it instead, and should not wait long to find that out.
const downloadTimeout = 45 * time.Second

func (o Options) download(ctx context.Context, root string, version semver.Version) error {
	if o.Download != nil {
		return o.Download(ctx, root, version)
	}
	ctx, cancel := context.WithTimeout(ctx, downloadTimeout)
	defer cancel()
	_, err := auto.InstallPulumiCommand(ctx, &auto.PulumiCommandOptions{Root: root, Version: version})
	return err
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
	// Source says how it was found: one of the Source constants.
	Source string
	// Command runs it for the Automation API; pass it with auto.Pulumi.
	Command auto.PulumiCommand
}

// Where a Binary was found.
const (
	SourceExplicit  = "PULUMI_CLI"
	SourceRepoCache = "repository cache"
	SourcePath      = "PATH"
	SourceDownload  = "download"
	SourceBuilt     = "user cache"
)

// Once per process and repository: every stack operation needs the CLI, and `pulumi version`
// (which the Automation API runs to check it) costs a fraction of a second each time.
var (
	foundMu sync.Mutex
	found   = map[string]*Binary{}
)

// Find returns a Pulumi CLI the Automation API accepts, in the order the package comment
// gives: an explicit or compatible one first, then a downloaded release, and a build from
// tools/pulumi only as the last resort.
func Find(ctx context.Context, opts Options) (*Binary, error) {
	pin, err := PinnedVersion(opts.RepoRoot)
	if err != nil {
		return nil, err
	}
	key := strings.Join([]string{opts.RepoRoot, opts.getenv("PULUMI_CLI"), opts.getenv("PATH"), opts.getenv("CONVEYOR_CACHE_DIR")}, "\x00")
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
		b.Source = SourceExplicit
		return b, nil
	}

	repoCopy := filepath.Join(opts.RepoRoot, ".cache", "bin", "pulumi")
	if isExecutable(repoCopy) {
		b, err := check(repoCopy, pin, cache, true)
		if err == nil {
			b.Source = SourceRepoCache
			return b, nil
		}
		fmt.Fprintf(opts.progress(), "conveyor: ignoring %s: %v\n", repoCopy, err)
	}

	// A CLI on PATH that is at least the pinned version: what a developer has installed.
	if onPath := lookPath(opts.getenv("PATH")); onPath != "" {
		b, err := check(onPath, pin, cache, false)
		if err == nil {
			b.Source = SourcePath
			return b, nil
		}
		fmt.Fprintf(opts.progress(), "conveyor: ignoring %s on PATH: %v\n", onPath, err)
	}

	built := filepath.Join(cache, "bin", "pulumi-v"+pin.String())
	released := filepath.Join(cache, "release", "pulumi-v"+pin.String())
	releasedCLI := filepath.Join(released, "bin", "pulumi")
	switch {
	case isExecutable(built):
	case isExecutable(releasedCLI):
		return checked(releasedCLI, pin, cache, SourceDownload)
	default:
		fmt.Fprintf(opts.progress(), "conveyor: downloading the Pulumi CLI v%s into %s\n", pin, released)
		err := opts.download(ctx, released, pin)
		if err == nil && isExecutable(releasedCLI) {
			return checked(releasedCLI, pin, cache, SourceDownload)
		}
		fmt.Fprintf(opts.progress(), "conveyor: the download failed (%v); building the CLI from %s instead\n", err, ToolDir)
		if err := build(ctx, opts, pin, built); err != nil {
			return nil, err
		}
	}
	return checked(built, pin, cache, SourceBuilt)
}

// checked is check of a copy Conveyor manages, which must be the pinned version exactly.
func checked(path string, pin semver.Version, cache, source string) (*Binary, error) {
	b, err := check(path, pin, cache, true)
	if err != nil {
		return nil, fmt.Errorf("the Pulumi CLI at %s: %w (delete it to fetch or build it again)", path, err)
	}
	b.Source = source
	return b, nil
}

// lookPath finds pulumi in a PATH value, as the shell would.
func lookPath(path string) string {
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			continue
		}
		if candidate := filepath.Join(dir, "pulumi"); isExecutable(candidate) {
			return candidate
		}
	}
	return ""
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
