package stackops_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackopstest"
	"github.com/conveyor-paas/conveyor/components"
	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/stacks"
)

// clusterStandIn stands in for a cluster stack (GKE cannot run in a test): it exports every
// output a cluster stack exports, secrets as secrets, with conveyor:leak making the project a
// secret too.
func clusterStandIn(ctx *pulumi.Context) error {
	name := strings.TrimPrefix(ctx.Stack(), naming.ClusterStackPrefix)
	outputs := components.SimulateClusterOutputs(components.SimulatedCluster{
		Name: name, Project: "acme-" + name, Region: "europe-west1", ProjectNumber: "4242", SQLPrivateAddr: "10.100.0.3",
		SQLStagingAddr: "10.100.0.9", OrganizationDomain: "acme.example", Mesh: components.DefaultMeshMode,
		AllowedRegistries: []string{"europe-docker.pkg.dev/acme/apps"},
	})
	_, leak := ctx.GetConfig("conveyor:leak")
	for k, v := range outputs {
		var out pulumi.StringOutput
		if v.IsSecret() {
			out = pulumi.ToSecret(pulumi.String(v.SecretValue().Element.StringValue())).(pulumi.StringOutput)
		} else {
			out = pulumi.String(v.StringValue()).ToStringOutput()
		}
		if leak && string(k) == components.OutputProject {
			out = pulumi.ToSecret(out).(pulumi.StringOutput)
		}
		ctx.Export(string(k), out)
	}
	return nil
}

// adHocReader is an ad-hoc environment's program reduced to how it finds its cluster
// (stacks.ReadCluster, which the environment's program calls): it exports what it read.
func adHocReader(ctx *pulumi.Context) error {
	read, err := stacks.ReadCluster(ctx, ctx.Stack(), naming.NonprodCluster)
	if err != nil {
		return err
	}
	ctx.Export("readFrom", pulumi.String(read.Stack))
	ctx.Export("project", read.Outputs.Project)
	ctx.Export("sqlHost", read.Outputs.SQLPrivateAddress)
	ctx.Export("kubeconfig", read.Outputs.Kubeconfig)
	ctx.Export("domain", pulumi.String(read.Domain))
	ctx.Export("registries", pulumi.ToStringArray(read.AllowedRegistries))
	return nil
}

// TestAdHocStacksReadTheirClusterFromTheFactsInTheirOwnBackend, on the real CLI with two file
// backends, the long-lived tier's and the ad-hoc tier's: before the facts are published, an
// ad-hoc environment's program finds no cluster at all (its backend holds no cluster stack,
// and it reads no other backend); the long-lived tier publishes cluster-nonprod's facts into
// the ad-hoc backend, writing only the facts stack's objects there (the ones the bootstrap's
// bucket IAM lets it write), none a secret and no kubeconfig; the ad-hoc environment's
// program then reads them there, with a kubeconfig that holds no credential. A cluster stack
// whose fact is a secret publishes nothing.
func TestAdHocStacksReadTheirClusterFromTheFactsInTheirOwnBackend(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	longLived, adhoc := stackopstest.NewEnv(t), stackopstest.NewEnv(t)
	const adhocPassphrase = "the ad-hoc tier's own passphrase"
	adhocOptions := adhoc.Options(t, adHocReader)
	adhocOptions.Settings.Passphrase = adhocPassphrase
	pr, err := stackops.New(ctx, adhocOptions)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := pr.CreateEnv(ctx, "pr-123", stackops.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := pr.Up(ctx, "pr-123", stackops.RunOptions{}); err == nil || !strings.Contains(err.Error(), naming.ClusterFactsStack(naming.NonprodCluster)) {
		t.Fatalf("pr-123 deployed before its cluster's facts were published, or said nothing of them: %v", err)
	}

	cluster := longLived.New(t, clusterStandIn)
	for _, stack := range []string{naming.NonprodCluster, "cluster-leaky"} {
		if _, _, err := cluster.CreateEnv(ctx, stack, stackops.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	setConfig(t, cluster, "cluster-leaky", "conveyor:leak", "yes", false)
	mustUp(t, cluster, naming.NonprodCluster)
	mustUp(t, cluster, "cluster-leaky")
	to := &stackops.Settings{BackendURL: adhoc.Backend, Passphrase: adhocPassphrase}
	adhocDir := strings.TrimPrefix(adhoc.Backend, "file://")
	before := objects(t, adhocDir)
	if _, err := cluster.PublishFacts(ctx, "cluster-leaky", to); err == nil || !stackops.IsSetup(err) || !strings.Contains(err.Error(), "output project of cluster stack cluster-leaky is a secret") {
		t.Errorf("a cluster stack whose project is a secret published its facts: %v", err)
	}
	if _, err := cluster.PublishFacts(ctx, "cluster-prod", to); err == nil || !stackops.IsRefused(err) {
		t.Errorf("production's cluster published facts for the ad-hoc tier: %v", err)
	}
	published, err := cluster.PublishFacts(ctx, naming.NonprodCluster, to)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := slices.Sorted(mapsKeys(published.Facts)), slices.Sorted(slices.Values(naming.ClusterFacts())); !slices.Equal(got, want) {
		t.Errorf("published %v, want the facts %v", got, want)
	}

	// What the publication wrote in the ad-hoc backend is the facts stack's, and the
	// backend's metadata: what the bootstrap lets the long-lived tier write there.
	allowed := append(naming.FactsStateObjects(naming.Project, naming.NonprodCluster), naming.BackendMetadata)
	for _, o := range objects(t, adhocDir) {
		if slices.Contains(before, o) {
			continue
		}
		if !slices.ContainsFunc(allowed, func(prefix string) bool { return strings.HasPrefix(o, prefix) }) {
			t.Errorf("publishing the facts wrote %s in the ad-hoc backend, which the long-lived tier may not write", o)
		}
	}
	checkpoint, err := os.ReadFile(filepath.Join(adhocDir, ".pulumi", "stacks", naming.Project, naming.ClusterFactsStack(naming.NonprodCluster)+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var state struct {
		Checkpoint struct {
			Latest struct {
				Resources []struct {
					Type    string         `json:"type"`
					Outputs map[string]any `json:"outputs"`
				} `json:"resources"`
			} `json:"latest"`
		} `json:"checkpoint"`
	}
	if err := json.Unmarshal(checkpoint, &state); err != nil {
		t.Fatal(err)
	}
	var outputs map[string]any
	for _, r := range state.Checkpoint.Latest.Resources {
		if r.Type == "pulumi:pulumi:Stack" {
			outputs = r.Outputs
		}
	}
	if got, want := slices.Sorted(mapsKeys(outputs)), slices.Sorted(slices.Values(naming.ClusterFacts())); !slices.Equal(got, want) {
		t.Errorf("the facts stack's outputs are %v, want the facts %v", got, want)
	}
	for k, v := range outputs {
		if _, plain := v.(string); !plain {
			t.Errorf("the facts stack's output %s is %v, not a plain string (a secret?)", k, v)
		}
	}
	if strings.Contains(string(checkpoint), "ciphertext") || strings.Contains(string(checkpoint), components.OutputKubeconfig) {
		t.Errorf("the facts stack's checkpoint holds a secret or a kubeconfig:\n%s", checkpoint)
	}

	mustUp(t, pr, "pr-123")
	outs, err := pr.StackOutputs(ctx, "pr-123")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"readFrom": naming.ClusterFactsStack(naming.NonprodCluster), "project": "acme-nonprod", "sqlHost": "10.100.0.3",
		"domain": "acme.example", "registries": []any{"europe-docker.pkg.dev/acme/apps"},
	}
	for k, v := range want {
		if got, _ := json.Marshal(outs[k].Value); string(got) != mustJSON(t, v) {
			t.Errorf("pr-123 read %s = %s, want %s", k, got, mustJSON(t, v))
		}
	}
	kubeconfig, _ := outs["kubeconfig"].Value.(string)
	if !strings.Contains(kubeconfig, "server: "+components.SimulatedEndpoint) || !strings.Contains(kubeconfig, "command: gke-gcloud-auth-plugin") || strings.Contains(kubeconfig, "token") {
		t.Errorf("pr-123's kubeconfig does not reach the cluster as its own deployer:\n%s", kubeconfig)
	}
}

// objects lists the files of a file backend, relative to its root, with slashes.
func objects(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		out = append(out, filepath.ToSlash(rel))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func mapsKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
