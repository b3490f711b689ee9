package harness

import (
	"os"
	"path/filepath"
	"slices"
)

// agreeingTools are the tool modules that pin the main module's version of every module they
// share with it and with each other (TestToolModulesAgree holds them to it). They compile as
// the tests compile (buildEnv), so each package they share is compiled once. The others keep
// graphs of their own: the kubernetes provider's helm and kubectl pin the 0.33 client
// libraries; the Pulumi CLI and golangci-lint follow their own releases' graphs, which share
// little beyond the standard library with the tests (measured: 9 MB of source for the CLI);
// CoreDNS is static (buildEnv) and shares nothing whatever its versions.
var agreeingTools = []string{"kube", "kwok", "netpol", "etcd"}

// SharedBuild is what prebuild compiles in one go command before the tools build: a Go
// workspace of the main module and the agreeing tool modules, whose one build list is each
// module's own since they agree, and the main packages of the tools built from them. With
// every shared package compiled once, each tool's own `go build` that follows only links.
type SharedBuild struct {
	// Modules are the directories of the workspace's modules: the main module first.
	Modules []string
	// Packages are the tools' main packages.
	Packages []string
}

// Shared returns the shared build of the repository whose tools directory is found from the
// working directory (or CONVEYOR_TOOLS_DIR).
func Shared() (SharedBuild, error) {
	tools, err := toolsDir()
	if err != nil {
		return SharedBuild{}, err
	}
	b := SharedBuild{Modules: []string{filepath.Dir(tools)}}
	for _, dir := range agreeingTools {
		b.Modules = append(b.Modules, filepath.Join(tools, dir))
	}
	for _, tb := range append(slices.Clone(toolBinaries), kubeletBinary, kubeProxyBinary, netpolBinary) {
		if slices.Contains(agreeingTools, tb.moduleDir) {
			b.Packages = append(b.Packages, tb.pkg)
		}
	}
	return b, nil
}

// WriteWorkspace writes the go.work of b into dir and returns its path, for GOWORK. Its go
// version is the toolchain's, which is at least every module's (the go command refuses a
// workspace older than one of its modules).
func (b SharedBuild) WriteWorkspace(dir, goVersion string) (string, error) {
	content := "go " + goVersion + "\n\nuse (\n"
	for _, m := range b.Modules {
		content += "\t" + m + "\n"
	}
	content += ")\n"
	path := filepath.Join(dir, "go.work")
	return path, os.WriteFile(path, []byte(content), 0o644)
}
