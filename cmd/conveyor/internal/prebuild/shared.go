package main

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/conveyor-paas/conveyor/internal/toolbuild"
	"github.com/conveyor-paas/conveyor/tests/harness"
)

// compileShared compiles, in one go command, every package that the tests, the lint and the
// agreeing tools (harness.Shared) compile: the main module's packages and their dependencies,
// test-only ones included, and the dependencies of the tools' main packages. A Go workspace
// of those modules resolves one build list, which is each module's own since they agree
// (TestToolModulesAgree), so each package lands in Go's build cache under the key the
// module's own build looks up, and the tools' builds that follow only link.
//
// Why one command: Go's build cache is consulted when a compile starts, so separate builds
// side by side each compile what they share, at the same moment. One go command compiles each
// package once and keeps both cores busy with different packages.
//
// It is an optimisation only: if it fails, the tools' own builds, which follow, are the
// authority, and report what is wrong in their own terms.
func compileShared(ctx context.Context, logger *log.Logger) error {
	b, err := harness.Shared()
	if err != nil {
		return err
	}
	goVersion, err := output(ctx, b.Modules[0], nil, "go", "env", "GOVERSION")
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "conveyor-prebuild-")
	if err != nil {
		return fmt.Errorf("creating the shared build's workspace: %w", err)
	}
	defer os.RemoveAll(dir)
	work, err := b.WriteWorkspace(dir, strings.TrimPrefix(strings.TrimSpace(goVersion), "go"))
	if err != nil {
		return fmt.Errorf("writing the shared build's workspace: %w", err)
	}
	env := append(os.Environ(), "GOWORK="+work, "GOFLAGS=-mod=readonly")

	// The dependencies, not the main packages: those would be linked, and the tools' builds
	// link them with their own flags.
	args := append([]string{"list", "-e", "-deps", "-test", "-f",
		`{{if and .GoFiles (not .ForTest) (ne .Name "main") (not .Standard)}}{{.ImportPath}}{{end}}`,
		"./..."}, b.Packages...)
	listed, err := output(ctx, b.Modules[0], env, "go", args...)
	if err != nil {
		return err
	}
	pkgs := strings.Fields(listed)
	logger.Printf("prebuild: compiling the %d packages the tests, the lint and the tools share, once (a cold cache takes many minutes)", len(pkgs))
	start := time.Now()
	cmd := exec.CommandContext(ctx, "go", append([]string{"build"}, pkgs...)...)
	cmd.Dir, cmd.Env = b.Modules[0], env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting the shared build: %w", err)
	}
	err = toolbuild.Wait(cmd, start, time.Minute, func(elapsed time.Duration) {
		logger.Printf("prebuild: still compiling the shared packages (%s)", elapsed)
	})
	if err != nil {
		return fmt.Errorf("compiling the shared packages: %w\n%s", err, toolbuild.Tail(out.Bytes(), 4096))
	}
	logger.Printf("prebuild: compiled the shared packages (%s)", time.Since(start).Round(time.Second))
	return nil
}

// output runs a go command and returns its standard output.
func output(ctx context.Context, dir string, env []string, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir, cmd.Env = dir, env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args[:min(len(args), 3)], " "), err, toolbuild.Tail(stderr.Bytes(), 4096))
	}
	return string(out), nil
}
