package main

import (
	"bufio"
	"context"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/conveyor-paas/conveyor/policy/rules"
)

// TestPackSpeaksTheAnalyzerProtocol builds the pack as Pulumi's Go language host does (`go
// build` in this directory), starts it, and drives it through the calls the engine makes
// during `pulumi preview --policy-pack policy --policy-pack-config ...`: handshake, stack
// configuration, analyzer info, policy config, then Analyze per resource and AnalyzeStack.
func TestPackSpeaksTheAnalyzerProtocol(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the pack binary")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go toolchain on PATH")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	bin := filepath.Join(t.TempDir(), "conveyor-policy")
	build := exec.CommandContext(ctx, goBin, "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	client := startPack(ctx, t, bin)

	dir, _ := filepath.Abs(".")
	if _, err := client.Handshake(ctx, &pulumirpc.AnalyzerHandshakeRequest{RootDirectory: &dir, ProgramDirectory: &dir}); err != nil {
		t.Fatalf("Handshake: %v", err)
	}
	if _, err := client.ConfigureStack(ctx, &pulumirpc.AnalyzerStackConfigureRequest{
		Stack: "prod", Project: "conveyor", DryRun: true,
	}); err != nil {
		t.Fatalf("ConfigureStack: %v", err)
	}
	info, err := client.GetAnalyzerInfo(ctx, &emptypb.Empty{})
	if err != nil {
		t.Fatalf("GetAnalyzerInfo: %v", err)
	}
	if info.GetName() != packName || len(info.GetPolicies()) != len(rules.Rules())+2 || !info.GetSupportsConfig() {
		t.Fatalf("analyzer info: %s with %d policies", info.GetName(), len(info.GetPolicies()))
	}

	// The engine configures every policy: its default level, overridden by the config file
	// {"CONV-K8S-009": "advisory", "CONV-K8S-010": "disabled"}.
	config := map[string]*pulumirpc.PolicyConfig{}
	for _, p := range info.GetPolicies() {
		level := p.GetEnforcementLevel()
		switch p.GetName() {
		case "CONV-K8S-009":
			level = pulumirpc.EnforcementLevel_ADVISORY
		case "CONV-K8S-010":
			level = pulumirpc.EnforcementLevel_DISABLED
		}
		rule, isRule := rules.Lookup(p.GetName())
		if isRule && rule.Level == "" && p.GetEnforcementLevel() != pulumirpc.EnforcementLevel_MANDATORY {
			t.Errorf("%s is %v by default in prod", p.GetName(), p.GetEnforcementLevel())
		}
		props, _ := structpb.NewStruct(nil)
		config[p.GetName()] = &pulumirpc.PolicyConfig{EnforcementLevel: level, Properties: props}
	}
	if _, err := client.Configure(ctx, &pulumirpc.ConfigureAnalyzerRequest{PolicyConfig: config}); err != nil {
		t.Fatalf("Configure: %v", err)
	}

	// A privileged container whose image is not known during the preview.
	props, err := plugin.MarshalProperties(deploymentInputs(true, resource.MakeComputed(resource.NewProperty(""))),
		plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := client.Analyze(ctx, &pulumirpc.AnalyzeRequest{
		Urn: deploymentURN, Type: rules.TypeDeployment, Name: "quotes-api", Properties: props,
	})
	if err != nil {
		t.Fatalf("Analyze: %v", err)
	}
	got := map[string]pulumirpc.EnforcementLevel{}
	var notes []string
	for _, d := range resp.GetDiagnostics() {
		got[d.GetPolicyName()] = d.GetEnforcementLevel()
		if d.GetUrn() != deploymentURN {
			t.Errorf("%s reports on %s", d.GetPolicyName(), d.GetUrn())
		}
		if d.GetPolicyName() == rules.NotesPolicy {
			notes = append(notes, d.GetMessage())
		}
	}
	// Every rule that reads the image waits for it: CONV-K8S-012 among them.
	if !slices.ContainsFunc(notes, func(n string) bool { return strings.Contains(n, "CONV-K8S-012: cannot decide") }) {
		t.Errorf("no note says CONV-K8S-012 cannot decide: %q", notes)
	}
	for policy, want := range map[string]pulumirpc.EnforcementLevel{
		"CONV-K8S-008":    pulumirpc.EnforcementLevel_MANDATORY,
		"CONV-K8S-009":    pulumirpc.EnforcementLevel_ADVISORY,
		rules.NotesPolicy: pulumirpc.EnforcementLevel_ADVISORY,
	} {
		if got[policy] != want {
			t.Errorf("%s: level %v, want %v", policy, got[policy], want)
		}
	}
	if _, reported := got["CONV-K8S-010"]; reported {
		t.Errorf("the disabled CONV-K8S-010 reported")
	}
	if _, reported := got["CONV-K8S-012"]; reported {
		t.Errorf("CONV-K8S-012 reported a violation on an unknown image")
	}

	nsProps, err := plugin.MarshalProperties(resource.NewPropertyMapFromMap(map[string]any{
		"metadata": map[string]any{"name": "prod-sales"},
	}), plugin.MarshalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	stackResp, err := client.AnalyzeStack(ctx, &pulumirpc.AnalyzeStackRequest{Resources: []*pulumirpc.AnalyzerResource{{
		Urn: "urn:pulumi:prod::conveyor::kubernetes:core/v1:Namespace::prod-sales", Type: rules.TypeNamespace,
		Name: "prod-sales", Properties: nsProps,
	}}})
	if err != nil {
		t.Fatalf("AnalyzeStack: %v", err)
	}
	stackPolicies := map[string]bool{}
	for _, d := range stackResp.GetDiagnostics() {
		stackPolicies[d.GetPolicyName()] = true
	}
	for _, policy := range []string{"CONV-NS-002", "CONV-NS-003"} {
		if !stackPolicies[policy] {
			t.Errorf("AnalyzeStack: %s did not report the namespace (got %v)", policy, stackPolicies)
		}
	}
}

// startPack runs the pack binary as the engine does and connects to the port it prints.
func startPack(ctx context.Context, t *testing.T, bin string) pulumirpc.AnalyzerClient {
	t.Helper()
	cmd := exec.CommandContext(ctx, bin, "127.0.0.1:0")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting the pack: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	port, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the pack's port: %v", err)
	}
	conn, err := grpc.NewClient("127.0.0.1:"+strings.TrimSpace(port), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatalf("connecting to the pack: %v", err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return pulumirpc.NewAnalyzerClient(conn)
}
