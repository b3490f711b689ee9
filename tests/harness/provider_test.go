package harness

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/emptypb"
)

// TestGenerateEmbeds checks the provider's generate step as the harness redoes it: the schema
// gains the version and keeps everything else, the mapping is the same document, both compact.
func TestGenerateEmbeds(t *testing.T) {
	from, to := t.TempDir(), t.TempDir()
	schema := "{\n  \"name\": \"kubernetes\",\n  \"version\": \"\",\n  \"resources\": {\"kubernetes:core/v1:Namespace\": {\"description\": \"<a namespace> & more\"}},\n  \"x-unknown\": [1, 2.5]\n}\n"
	mapping := "{\n  \"kubernetes_namespace\": {\"fields\": [\"metadata\"]}\n}\n"
	for name, text := range map[string]string{"schema.json": schema, "terraform-mapping.json": mapping} {
		if err := os.WriteFile(filepath.Join(from, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := generateEmbeds(from, to, "4.0.0-20260115033456-f47bc2d6f199"); err != nil {
		t.Fatal(err)
	}
	read := func(dir, name string) (map[string]any, []byte) {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		var v map[string]any
		if err := json.Unmarshal(data, &v); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return v, data
	}
	want, _ := read(from, "schema.json")
	want["version"] = "4.0.0-20260115033456-f47bc2d6f199"
	got, raw := read(to, "schema-embed.json")
	if !reflect.DeepEqual(got, want) {
		t.Errorf("schema-embed.json = %v, want %v", got, want)
	}
	wantMapping, _ := read(from, "terraform-mapping.json")
	gotMapping, rawMapping := read(to, "terraform-mapping-embed.json")
	if !reflect.DeepEqual(gotMapping, wantMapping) {
		t.Errorf("terraform-mapping-embed.json = %v, want %v", gotMapping, wantMapping)
	}
	for _, b := range [][]byte{raw, rawMapping} {
		for _, c := range b {
			if c == '\n' {
				t.Errorf("not compact: %s", b)
				break
			}
		}
	}
}

// TestEnsureKubernetesProvider builds (or finds cached) the kubernetes provider plugin and
// checks that it is the pinned build: it answers as a plugin with the pinned version. Run on
// its own with a long -timeout, it warms the cache of a fresh machine.
func TestEnsureKubernetesProvider(t *testing.T) {
	SkipUnlessRealEngine(t)
	path, err := EnsureKubernetesProvider(t.Context(), t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	if !isExecutable(path) {
		t.Fatalf("%s is not an executable", path)
	}
	dir, err := toolsDir()
	if err != nil {
		t.Fatal(err)
	}
	goMod, err := os.ReadFile(filepath.Join(dir, kubernetesProvider.moduleDir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	version, err := requiredVersion(goMod, kubernetesProviderModule)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(filepath.Base(path), version) {
		t.Errorf("the cached provider %s does not carry the pinned version %s", path, version)
	}

	// It is a working plugin: started without an engine (attach mode), it prints its port and
	// answers GetPluginInfo with the version stamped into it.
	cmd := exec.CommandContext(t.Context(), path)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	port, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the plugin's port: %v", err)
	}
	conn, err := grpc.NewClient("127.0.0.1:"+strings.TrimSpace(port), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	info, err := pulumirpc.NewResourceProviderClient(conn).GetPluginInfo(t.Context(), &emptypb.Empty{})
	if err != nil {
		t.Fatalf("GetPluginInfo: %v", err)
	}
	if want := strings.TrimPrefix(version, "v"); info.GetVersion() != want {
		t.Errorf("the provider reports version %q, want %q", info.GetVersion(), want)
	}
}
