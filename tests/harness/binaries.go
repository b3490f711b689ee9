package harness

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/conveyor-paas/conveyor/internal/toolbuild"
)

// Logf receives progress messages. testing.TB's Logf fits; nil means the standard logger.
type Logf func(format string, args ...any)

func (l Logf) orDefault() Logf {
	if l != nil {
		return l
	}
	return log.Printf
}

// owner is what the harness uses of the test it was started for (a testing.TB, or nil for
// none): its log, and its cleanups, which stop what the harness started.
type owner interface {
	Logf(format string, args ...any)
	Errorf(format string, args ...any)
	Cleanup(func())
}

// logfFor is where a harness started for tb reports progress: logf if given, else tb's log,
// else the standard logger.
func logfFor(tb owner, logf Logf) Logf {
	if logf == nil && tb != nil {
		logf = tb.Logf
	}
	return logf.orDefault()
}

// Binaries are the absolute paths of the control-plane binaries.
type Binaries struct {
	Etcd                  string
	KubeAPIServer         string
	KubeControllerManager string
	KubeScheduler         string
	Kwok                  string

	// KubeVersion is the Kubernetes release the kube binaries were built from, e.g. "v1.36.3".
	KubeVersion string
}

// toolBinary is one binary built from a pinned tool module under tools/.
type toolBinary struct {
	name      string // the binary's name
	moduleDir string // the tool module's directory under tools/
	upstream  string // the upstream module whose version names the build, e.g. k8s.io/kubernetes
	pkg       string // the main package to build
	// ldflags returns -X flags for the upstream version, so that the binary reports the real
	// release rather than the placeholder a `go build` from the module cache leaves.
	ldflags func(version string) []string
	// stage, when set, lays out the directory to build in (pkg is then relative to it) and
	// returns a function that removes it; otherwise the build runs in the tool module.
	stage func(ctx context.Context, goBin string, plan buildPlan) (dir string, cleanup func(), err error)
	// recipe names what stage does, for the cached binary's hash.
	recipe string
	// static builds without cgo, for a binary that runs in a container image with no C
	// library (see buildEnv).
	static bool
}

// kubeVersionLDFlags stamps the release into both version packages, as Kubernetes' own
// hack/lib/version.sh does: component-base/version answers /version, and client-go's is what
// the components' own clients report.
func kubeVersionLDFlags(version string) []string {
	major, minor, _ := strings.Cut(strings.TrimPrefix(version, "v"), ".")
	minor, _, _ = strings.Cut(minor, ".")
	var flags []string
	for _, pkg := range []string{"k8s.io/component-base/version", "k8s.io/client-go/pkg/version"} {
		flags = append(flags,
			"-X", pkg+".gitVersion="+version,
			"-X", pkg+".gitMajor="+major,
			"-X", pkg+".gitMinor="+minor,
			"-X", pkg+".gitTreeState=clean",
			// The commit is unknown to a build from the module proxy; empty beats the
			// "$Format:%H$" placeholder that would show otherwise.
			"-X", pkg+".gitCommit=",
		)
	}
	return flags
}

var toolBinaries = []toolBinary{
	{name: "etcd", moduleDir: "etcd", upstream: "go.etcd.io/etcd/server/v3", pkg: "go.etcd.io/etcd/server/v3"},
	{name: "kube-apiserver", moduleDir: "kube", upstream: "k8s.io/kubernetes", pkg: "k8s.io/kubernetes/cmd/kube-apiserver", ldflags: kubeVersionLDFlags},
	{name: "kube-controller-manager", moduleDir: "kube", upstream: "k8s.io/kubernetes", pkg: "k8s.io/kubernetes/cmd/kube-controller-manager", ldflags: kubeVersionLDFlags},
	{name: "kube-scheduler", moduleDir: "kube", upstream: "k8s.io/kubernetes", pkg: "k8s.io/kubernetes/cmd/kube-scheduler", ldflags: kubeVersionLDFlags},
	{name: "kwok", moduleDir: "kwok", upstream: "sigs.k8s.io/kwok", pkg: "sigs.k8s.io/kwok/cmd/kwok", ldflags: func(version string) []string {
		return []string{"-X", "sigs.k8s.io/kwok/pkg/consts.Version=" + strings.TrimPrefix(version, "v")}
	}},
}

// CacheDir is where built binaries are kept: $CONVEYOR_CACHE_DIR if set, otherwise
// os.UserCacheDir()/conveyor. Binaries go in its bin/ subdirectory.
func CacheDir() (string, error) {
	if dir := os.Getenv("CONVEYOR_CACHE_DIR"); dir != "" {
		return filepath.Abs(dir)
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("locating the user cache directory (set CONVEYOR_CACHE_DIR): %w", err)
	}
	return filepath.Join(dir, "conveyor"), nil
}

// EnsureBinaries returns the control-plane binaries, building with `go build` from the pinned
// tool modules those that are not cached yet. A cold build takes many minutes (kube-apiserver
// alone about six on two cores), so it reports which binary it is building, and every minute
// that it is still at it, through logf.
//
// Two test processes may call it at once: each tool module is built under an exclusive lock
// file, and each binary is written to a temporary name and renamed into place, so a reader
// never sees half a binary and the second process reuses what the first built.
func EnsureBinaries(ctx context.Context, logf Logf) (Binaries, error) {
	logf = logf.orDefault()
	toolsDir, err := toolsDir()
	if err != nil {
		return Binaries{}, err
	}
	binDir, goBin, err := buildSetup()
	if err != nil {
		return Binaries{}, err
	}

	paths := map[string]string{}
	var kubeVersion string
	for _, tb := range toolBinaries {
		plan, err := planBuild(tb, filepath.Join(toolsDir, tb.moduleDir), binDir)
		if err != nil {
			return Binaries{}, err
		}
		if tb.upstream == "k8s.io/kubernetes" {
			kubeVersion = plan.version
		}
		if err := ensureBinary(ctx, goBin, plan, logf); err != nil {
			return Binaries{}, err
		}
		paths[tb.name] = plan.out
	}
	return Binaries{
		Etcd:                  paths["etcd"],
		KubeAPIServer:         paths["kube-apiserver"],
		KubeControllerManager: paths["kube-controller-manager"],
		KubeScheduler:         paths["kube-scheduler"],
		Kwok:                  paths["kwok"],
		KubeVersion:           kubeVersion,
	}, nil
}

// ensureTool returns the cached binary of tb, building it first if needed.
func ensureTool(ctx context.Context, toolsDir string, tb toolBinary, logf Logf) (string, error) {
	binDir, goBin, err := buildSetup()
	if err != nil {
		return "", err
	}
	plan, err := planBuild(tb, filepath.Join(toolsDir, tb.moduleDir), binDir)
	if err != nil {
		return "", err
	}
	if err := ensureBinary(ctx, goBin, plan, logf); err != nil {
		return "", err
	}
	return plan.out, nil
}

// buildSetup returns the binary cache directory, created if missing, and the go toolchain.
func buildSetup() (binDir, goBin string, err error) {
	cache, err := CacheDir()
	if err != nil {
		return "", "", err
	}
	binDir = filepath.Join(cache, "bin")
	if err := os.MkdirAll(binDir, 0o755); err != nil {
		return "", "", fmt.Errorf("creating binary cache %s: %w", binDir, err)
	}
	goBin, err = exec.LookPath("go")
	if err != nil {
		return "", "", fmt.Errorf("the go toolchain is needed to build the test binaries and is not on PATH: %w", err)
	}
	return binDir, goBin, nil
}

type buildPlan struct {
	toolBinary
	dir     string   // the tool module's directory
	version string   // the upstream module's version in the tool module's go.mod
	flags   []string // ldflags
	out     string   // the cached binary's path
	lock    string   // the lock file of the tool module
}

// planBuild names the cached binary after the pinned version and a hash of everything that
// decides its content: the tool module's go.mod and go.sum (which pin every dependency), the
// package, the link flags, the staging recipe if any, and the target platform. Editing the tool module thus rebuilds, and
// different checkouts sharing a cache never pick up each other's binaries by mistake.
func planBuild(tb toolBinary, dir, binDir string) (buildPlan, error) {
	goMod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return buildPlan{}, fmt.Errorf("reading the tool module of %s: %w", tb.name, err)
	}
	goSum, err := os.ReadFile(filepath.Join(dir, "go.sum"))
	if err != nil {
		return buildPlan{}, fmt.Errorf("reading the tool module of %s: %w", tb.name, err)
	}
	version, err := requiredVersion(goMod, tb.upstream)
	if err != nil {
		return buildPlan{}, fmt.Errorf("tool module %s: %w", dir, err)
	}
	var flags []string
	if tb.ldflags != nil {
		flags = tb.ldflags(version)
	}
	h := sha256.New()
	parts := [][]byte{goMod, goSum, []byte(tb.pkg), []byte(strings.Join(flags, " ")), []byte(runtime.GOOS + "/" + runtime.GOARCH)}
	if tb.recipe != "" {
		// Only when there is one, so that the binaries without keep the names they had.
		parts = append(parts, []byte(tb.recipe))
	}
	// A tool module with a main package of its own (tools/coredns): its source decides the
	// binary too. Modules without one keep the names they had.
	sources, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return buildPlan{}, fmt.Errorf("listing the sources of tool module %s: %w", dir, err)
	}
	for _, src := range sources {
		data, err := os.ReadFile(src)
		if err != nil {
			return buildPlan{}, fmt.Errorf("reading the tool module of %s: %w", tb.name, err)
		}
		parts = append(parts, []byte(filepath.Base(src)), data)
	}
	for _, part := range parts {
		h.Write(part)
		h.Write([]byte{0})
	}
	sum := hex.EncodeToString(h.Sum(nil))[:12]
	return buildPlan{
		toolBinary: tb,
		dir:        dir,
		version:    version,
		flags:      flags,
		out:        filepath.Join(binDir, fmt.Sprintf("%s-%s-%s", tb.name, version, sum)),
		lock:       filepath.Join(binDir, ".build-"+tb.moduleDir+".lock"),
	}, nil
}

// requiredVersion finds the version of module in a go.mod's require directives. It reads the
// file rather than asking `go list -m`, which would cost a go invocation on every warm start.
func requiredVersion(goMod []byte, module string) (string, error) {
	inRequire := false
	sc := bufio.NewScanner(bytes.NewReader(goMod))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if c := strings.Index(line, "//"); c >= 0 {
			line = strings.TrimSpace(line[:c])
		}
		switch {
		case line == "require (":
			inRequire = true
			continue
		case inRequire && line == ")":
			inRequire = false
			continue
		case strings.HasPrefix(line, "require "):
			line = strings.TrimSpace(strings.TrimPrefix(line, "require "))
		case !inRequire:
			continue
		}
		if f := strings.Fields(line); len(f) == 2 && f[0] == module {
			return f[1], nil
		}
	}
	return "", fmt.Errorf("go.mod does not require %s", module)
}

func ensureBinary(ctx context.Context, goBin string, plan buildPlan, logf Logf) error {
	if isExecutable(plan.out) {
		return nil
	}
	unlock, err := toolbuild.Lock(ctx, plan.lock, func() {
		logf("harness: waiting for another process that is building from tools/%s", plan.moduleDir)
	})
	if err != nil {
		return err
	}
	defer unlock()
	// Another process may have built it while this one waited for the lock.
	if isExecutable(plan.out) {
		return nil
	}

	tmp, err := os.CreateTemp(filepath.Dir(plan.out), "."+plan.name+"-*.tmp")
	if err != nil {
		return fmt.Errorf("creating a temporary file for %s: %w", plan.name, err)
	}
	tmpName := tmp.Name()
	_ = tmp.Close()
	defer os.Remove(tmpName) // a no-op once renamed

	logf("harness: building %s %s from tools/%s (not cached yet; a cold build takes minutes)", plan.name, plan.version, plan.moduleDir)
	start := time.Now()
	args := []string{"build", "-o", tmpName}
	// -s -w: no symbol table or DWARF; the binaries are not debugged here and link faster.
	args = append(args, "-ldflags", strings.Join(append([]string{"-s", "-w"}, plan.flags...), " "))
	args = append(args, plan.pkg)
	cmd := exec.CommandContext(ctx, goBin, args...)
	cmd.Dir = plan.dir
	if plan.stage != nil {
		dir, cleanup, err := plan.stage(ctx, goBin, plan)
		if err != nil {
			return err
		}
		defer cleanup()
		cmd.Dir = dir
	}
	cmd.Env = buildEnv(plan.toolBinary)
	var output bytes.Buffer
	cmd.Stdout = &output
	cmd.Stderr = &output
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting go build of %s: %w", plan.name, err)
	}
	err = toolbuild.Wait(cmd, start, time.Minute, func(elapsed time.Duration) {
		logf("harness: still building %s (%s so far)", plan.name, elapsed)
	})
	if err != nil {
		return fmt.Errorf("go build %s in %s: %w\n%s", plan.pkg, plan.dir, err, toolbuild.Tail(output.Bytes(), 4096))
	}
	if err := os.Chmod(tmpName, 0o755); err != nil {
		return fmt.Errorf("making %s executable: %w", tmpName, err)
	}
	if err := os.Rename(tmpName, plan.out); err != nil {
		return fmt.Errorf("moving %s into the cache: %w", plan.name, err)
	}
	logf("harness: built %s in %s: %s", plan.name, time.Since(start).Round(time.Second), plan.out)
	return nil
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

// toolsDir finds tools/ of the Conveyor repository: up from the working directory, which `go
// test` sets to the package under test, to the root module's go.mod. $CONVEYOR_TOOLS_DIR
// overrides it for a test binary run from elsewhere.
func toolsDir() (string, error) {
	if dir := os.Getenv("CONVEYOR_TOOLS_DIR"); dir != "" {
		return filepath.Abs(dir)
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("locating the repository: %w", err)
	}
	for dir := wd; ; {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && isRootModule(data) {
			return filepath.Join(dir, "tools"), nil
		} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("locating the repository: %w", err)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod of module %s above %s (set CONVEYOR_TOOLS_DIR to the repository's tools directory)", rootModule, wd)
		}
		dir = parent
	}
}

const rootModule = "github.com/conveyor-paas/conveyor"

func isRootModule(goMod []byte) bool {
	sc := bufio.NewScanner(bytes.NewReader(goMod))
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) == 2 && f[0] == "module" {
			return strings.Trim(f[1], `"`) == rootModule
		}
	}
	return false
}

// buildEnv is the environment of a tool's `go build`. A tool compiles as the tests and the
// lint compile (no -trimpath, cgo as the machine's go defaults it), so that a package at the
// same version is compiled once into Go's build cache and serves all three: the tool modules
// pin the versions the main module uses wherever they share a module (TestToolModulesAgree),
// and on a cold machine that sharing is most of what keeps the run under an hour. Either
// flag differing would give every package a different cache key. A static tool (CoreDNS,
// which runs in an image with no C library) gives that up for its own packages.
func buildEnv(tb toolBinary) []string {
	env := append(os.Environ(),
		// A go.work above the repository must not pull the tool module into another graph.
		"GOWORK=off",
		// The tool modules' go.sum is complete; never let a build edit it. No VCS stamping:
		// it would make the binary depend on the state of the work tree.
		"GOFLAGS=-mod=readonly -buildvcs=false",
	)
	if tb.static {
		env = append(env, "CGO_ENABLED=0")
	}
	return env
}
