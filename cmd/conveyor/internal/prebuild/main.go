// Command prebuild builds, once, every pinned tool that the test suite needs, into the user
// cache where the tests look for them (~/.cache/conveyor, or $CONVEYOR_CACHE_DIR): the
// Kubernetes control plane and etcd (tools/kube, tools/etcd, tools/kwok), the real node's
// kubelet, kube-proxy, CoreDNS and NetworkPolicy agent (tools/kube, tools/coredns,
// tools/netpol) and its stand-in images of the local PostgreSQL and Pub/Sub emulator
// (tests/harness/standins.go), the kubernetes provider (tools/kubernetes-provider) and the
// Pulumi CLI (tools/pulumi).
//
// It works in two phases, which .ci/prepare runs apart so that the lint can run beside the
// second:
//
//	shared  compiles, in one go command, every package the tests, the lint and the tools
//	        that agree with the main module share (shared.go)
//	tools   builds the tools side by side: links, and the tools kept apart
//
// With no argument it runs both, in that order.
//
// The tests build each tool themselves on first use, under a lock, so this command is not
// needed for correctness. It exists for the cold run, where a package compiled twice costs
// minutes: a tool already cached costs nothing; a tool being built by another process is
// waited for, never built twice.
//
//	go run ./cmd/conveyor/internal/prebuild [shared|tools]...
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/pulumicli"
	"github.com/conveyor-paas/conveyor/tests/harness"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// A logger of its own: a package the Pulumi SDK imports sends the standard logger's output
	// to nowhere, and a cold build's progress is what a person waits on.
	logger := log.New(os.Stderr, "", log.LstdFlags)
	if err := run(ctx, logger, os.Args[1:]); err != nil {
		logger.Printf("prebuild: %v", err)
		stop()
		os.Exit(1)
	}
}

// tool is one build that can run beside the others.
type tool struct {
	name  string
	build func(ctx context.Context) error
}

func run(ctx context.Context, logger *log.Logger, phases []string) error {
	if len(phases) == 0 {
		phases = []string{"shared", "tools"}
	}
	for _, phase := range phases {
		switch phase {
		case "shared":
			// An optimisation only (see compileShared): the tools' builds are the authority.
			if err := compileShared(ctx, logger); err != nil {
				logger.Printf("prebuild: the shared compile failed; the tools build on their own: %v", err)
			}
		case "tools":
			if err := buildTools(ctx, logger); err != nil {
				return err
			}
		default:
			return fmt.Errorf("unknown phase %q: want shared or tools", phase)
		}
	}
	return nil
}

// buildTools builds the tools side by side.
func buildTools(ctx context.Context, logger *log.Logger) error {
	root, err := repoRoot()
	if err != nil {
		return err
	}
	logf := harness.Logf(logger.Printf)
	tools := []tool{
		{"the control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok)", func(ctx context.Context) error {
			_, err := harness.EnsureBinaries(ctx, logf)
			return err
		}},
		{"the real node (kubelet, kube-proxy, CoreDNS, the NetworkPolicy agent, the stand-in images)", func(ctx context.Context) error {
			_, err := harness.EnsureNodeBinaries(ctx, logf)
			return err
		}},
		{"the kubernetes provider", func(ctx context.Context) error {
			_, err := harness.EnsureKubernetesProvider(ctx, logf)
			return err
		}},
		{"the Pulumi CLI", func(ctx context.Context) error {
			_, err := pulumicli.Find(ctx, pulumicli.Options{RepoRoot: root, Progress: os.Stderr})
			return err
		}},
	}
	start := time.Now()
	errs := make([]error, len(tools))
	var wg sync.WaitGroup
	for i, t := range tools {
		wg.Go(func() {
			if err := t.build(ctx); err != nil {
				errs[i] = fmt.Errorf("building %s: %w", t.name, err)
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	logger.Printf("prebuild: every pinned tool is cached (%s)", time.Since(start).Round(time.Second))
	return nil
}

// repoRoot is the repository above the working directory, as the tests find it.
func repoRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("locating the repository: %w", err)
	}
	return pulumicli.RepoRootAbove(wd)
}
