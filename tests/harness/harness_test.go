package harness

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// These tests cover the harness's own machinery and need neither a build nor a network.

func TestRequiredVersion(t *testing.T) {
	goMod := []byte(`module example.com/tools

go 1.26

require example.com/single v1.2.3

require (
	example.com/block v0.4.0 // indirect
	example.com/other v9.9.9
)

replace example.com/block => example.com/block v0.5.0
`)
	for module, want := range map[string]string{
		"example.com/single": "v1.2.3",
		"example.com/block":  "v0.4.0",
		"example.com/other":  "v9.9.9",
	} {
		got, err := requiredVersion(goMod, module)
		if err != nil || got != want {
			t.Errorf("requiredVersion(%s) = %q, %v; want %q", module, got, err, want)
		}
	}
	if _, err := requiredVersion(goMod, "example.com/missing"); err == nil {
		t.Error("requiredVersion found a module that is not required")
	}
}

func TestKubeVersionLDFlags(t *testing.T) {
	flags := strings.Join(kubeVersionLDFlags("v1.36.3"), " ")
	for _, want := range []string{
		"k8s.io/component-base/version.gitVersion=v1.36.3",
		"k8s.io/component-base/version.gitMajor=1",
		"k8s.io/component-base/version.gitMinor=36",
		"k8s.io/client-go/pkg/version.gitVersion=v1.36.3",
	} {
		if !strings.Contains(flags, want) {
			t.Errorf("ldflags %q lack %q", flags, want)
		}
	}
}

// TestBuildPlans checks that every binary's tool module exists and pins its upstream module,
// and that the cache names are stable and versioned.
func TestBuildPlans(t *testing.T) {
	dir, err := toolsDir()
	if err != nil {
		t.Fatal(err)
	}
	binDir := t.TempDir()
	for _, tb := range append(slices.Clone(toolBinaries), kubernetesProvider, kubeletBinary, kubeProxyBinary, corednsBinary) {
		plan, err := planBuild(tb, filepath.Join(dir, tb.moduleDir), binDir)
		if err != nil {
			t.Fatalf("%s: %v", tb.name, err)
		}
		again, _ := planBuild(tb, filepath.Join(dir, tb.moduleDir), binDir)
		if plan.out != again.out {
			t.Errorf("%s: cache name not stable: %s, %s", tb.name, plan.out, again.out)
		}
		if base := filepath.Base(plan.out); !strings.HasPrefix(base, tb.name+"-"+plan.version+"-") {
			t.Errorf("%s: cache name %s does not carry the version %s", tb.name, base, plan.version)
		}
	}
}

// TestBuildPlanFollowsToolSource checks that a tool module with a main package of its own
// (tools/coredns) gets a new cached binary when that source changes, and only then.
func TestBuildPlanFollowsToolSource(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module example.com/tool\n\ngo 1.26\n\nrequire example.com/upstream v1.2.3\n")
	write("go.sum", "")
	write("main.go", "package main\n\nfunc main() {}\n")
	tb := toolBinary{name: "tool", moduleDir: "tool", upstream: "example.com/upstream", pkg: "."}
	plan := func() string {
		t.Helper()
		p, err := planBuild(tb, dir, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return filepath.Base(p.out)
	}
	before := plan()
	if again := plan(); again != before {
		t.Errorf("cache name not stable: %s, %s", before, again)
	}
	write("main.go", "package main\n\n// another plugin list\nfunc main() {}\n")
	if after := plan(); after == before {
		t.Errorf("cache name %s unchanged after main.go changed", after)
	}
}

// TestProcessTreeStops checks that stopping a component also stops what it spawned in a new
// process group of its own making, as gcloud does with the emulator's java.
func TestProcessTreeStops(t *testing.T) {
	for _, how := range []string{"stop", "watchdog"} {
		t.Run(how, func(t *testing.T) {
			dir := t.TempDir()
			p, err := startProcess(dir, "tree", nil, "/bin/sh", "-c", "sleep 300 & sleep 300")
			if err != nil {
				t.Fatal(err)
			}
			pgid := p.cmd.Process.Pid
			if err := waitUntil(t.Context(), "the tree", nil, func(context.Context) error {
				if countGroup(t, pgid) < 3 {
					return os.ErrNotExist
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if how == "stop" {
				p.stop(2 * time.Second)
			} else {
				// What happens when the test binary dies: its end of the pipe closes.
				_ = p.pipe.Close()
				_ = p.watchdog.Wait()
				<-p.done
			}
			deadline := time.Now().Add(5 * time.Second)
			for groupAlive(pgid) && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			if groupAlive(pgid) {
				t.Fatalf("process group %d survived", pgid)
			}
		})
	}
}

// countGroup counts the live processes of a process group, from /proc.
func countGroup(t *testing.T, pgid int) int {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	n := 0
	for _, e := range entries {
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// Fields after the parenthesised command: state ppid pgrp ...
		s := string(stat)
		fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(fields) > 2 && fields[2] == strconv.Itoa(pgid) && !slices.Contains([]string{"Z", "X"}, fields[0]) {
			n++
		}
	}
	return n
}

// TestEnsureBinaries builds (or finds cached) every control-plane binary. Run on its own with
// a long -timeout, it warms the cache of a fresh machine before the suites that need it.
func TestEnsureBinaries(t *testing.T) {
	SkipUnlessKube(t)
	bins, err := EnsureBinaries(t.Context(), t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{bins.Etcd, bins.KubeAPIServer, bins.KubeControllerManager, bins.KubeScheduler, bins.Kwok} {
		if !isExecutable(path) {
			t.Errorf("%s is not an executable", path)
		}
	}
}
