package harness

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// The Pulumi kubernetes provider plugin, built from the Go module proxy.
const (
	kubernetesProviderModule = "github.com/pulumi/pulumi-kubernetes/provider/v4"
	// kubernetesProviderMain is the upstream main package, relative to its module.
	kubernetesProviderMain = "cmd/pulumi-resource-kubernetes"
	// embedRecipe names what stageKubernetesProvider does to the upstream sources; it is part
	// of the cached binary's hash, so changing the recipe rebuilds.
	embedRecipe = "schema-embed: schema.json with version; terraform-mapping-embed: compact"
)

var kubernetesProvider = toolBinary{
	name:      "pulumi-resource-kubernetes",
	moduleDir: "kubernetes-provider",
	upstream:  kubernetesProviderModule,
	pkg:       "./" + kubernetesProviderMain,
	ldflags: func(version string) []string {
		return []string{"-X", kubernetesProviderModule + "/pkg/version.Version=" + strings.TrimPrefix(version, "v")}
	},
	recipe: embedRecipe,
	stage:  stageKubernetesProvider,
}

// EnsureKubernetesProvider returns the path of the Pulumi kubernetes provider plugin
// (pulumi-resource-kubernetes), building it from tools/kubernetes-provider when it is not
// cached yet, with the same lock, cache naming and progress as EnsureBinaries. A cold build
// takes about a quarter of an hour on two cores.
func EnsureKubernetesProvider(ctx context.Context, logf Logf) (string, error) {
	logf = logf.orDefault()
	toolsDir, err := toolsDir()
	if err != nil {
		return "", err
	}
	return ensureTool(ctx, toolsDir, kubernetesProvider, logf)
}

// stageKubernetesProvider lays out a temporary copy of the tool module that can be built: the
// upstream main package embeds schema-embed.json and terraform-mapping-embed.json, which its
// `go generate` step writes next to it and which the module as published lacks, so the main
// package is copied from the module cache into the copy and the two files are generated
// there, as upstream's generate.go does. Nothing is written into the repository.
func stageKubernetesProvider(ctx context.Context, goBin string, plan buildPlan) (string, func(), error) {
	tmp, err := os.MkdirTemp("", "conveyor-kubernetes-provider-")
	if err != nil {
		return "", nil, fmt.Errorf("staging the kubernetes provider: %w", err)
	}
	cleanup := func() { _ = os.RemoveAll(tmp) }
	fail := func(err error) (string, func(), error) {
		cleanup()
		return "", nil, fmt.Errorf("staging the kubernetes provider %s: %w", plan.version, err)
	}
	for _, f := range []string{"go.mod", "go.sum"} {
		data, err := os.ReadFile(filepath.Join(plan.dir, f))
		if err != nil {
			return fail(err)
		}
		if err := os.WriteFile(filepath.Join(tmp, f), data, 0o644); err != nil {
			return fail(err)
		}
	}
	src, err := moduleDir(ctx, goBin, plan.dir, plan.upstream+"@"+plan.version)
	if err != nil {
		return fail(err)
	}
	from := filepath.Join(src, kubernetesProviderMain)
	to := filepath.Join(tmp, kubernetesProviderMain)
	if err := os.MkdirAll(to, 0o755); err != nil {
		return fail(err)
	}
	main, err := os.ReadFile(filepath.Join(from, "main.go"))
	if err != nil {
		return fail(err)
	}
	if err := os.WriteFile(filepath.Join(to, "main.go"), main, 0o644); err != nil {
		return fail(err)
	}
	if err := generateEmbeds(from, to, strings.TrimPrefix(plan.version, "v")); err != nil {
		return fail(err)
	}
	return tmp, cleanup, nil
}

// moduleDir downloads module@version into the module cache if needed and returns its
// directory there.
func moduleDir(ctx context.Context, goBin, dir, module string) (string, error) {
	cmd := exec.CommandContext(ctx, goBin, "mod", "download", "-json", module)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=readonly")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go mod download %s: %w\n%s", module, err, stderr.String())
	}
	var info struct{ Dir, Error string }
	if err := json.Unmarshal(out, &info); err != nil {
		return "", fmt.Errorf("go mod download %s: %w", module, err)
	}
	if info.Error != "" || info.Dir == "" {
		return "", fmt.Errorf("go mod download %s: %s", module, info.Error)
	}
	return info.Dir, nil
}

// generateEmbeds does what the provider's generate.go does: schema-embed.json is schema.json
// with the provider's version set, and terraform-mapping-embed.json is terraform-mapping.json,
// both compacted.
func generateEmbeds(from, to, version string) error {
	data, err := os.ReadFile(filepath.Join(from, "schema.json"))
	if err != nil {
		return err
	}
	// Top-level keys only, each value kept as written: only "version" changes.
	var schema map[string]json.RawMessage
	if err := json.Unmarshal(data, &schema); err != nil {
		return fmt.Errorf("reading schema.json: %w", err)
	}
	if schema["version"], err = json.Marshal(version); err != nil {
		return err
	}
	embedded, err := json.Marshal(schema)
	if err != nil {
		return fmt.Errorf("writing schema-embed.json: %w", err)
	}
	if err := os.WriteFile(filepath.Join(to, "schema-embed.json"), embedded, 0o644); err != nil {
		return err
	}
	data, err = os.ReadFile(filepath.Join(from, "terraform-mapping.json"))
	if err != nil {
		return err
	}
	var mapping bytes.Buffer
	if err := json.Compact(&mapping, data); err != nil {
		return fmt.Errorf("reading terraform-mapping.json: %w", err)
	}
	return os.WriteFile(filepath.Join(to, "terraform-mapping-embed.json"), mapping.Bytes(), 0o644)
}
