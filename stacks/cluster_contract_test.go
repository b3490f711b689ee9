package stacks_test

import (
	"os"
	"path/filepath"
	"testing"

	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/components"
	"github.com/conveyor-paas/conveyor/evaluation/evaluationtest"
	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/stacks"
)

// Offline evaluation simulates a cluster stack's outputs from that stack's configuration: a
// cluster configured in another region than the default must look, to the environments that
// read it, like it is in that region, its SQL connection name too.
func TestSimulatedClusterOutputsFollowTheClusterStacksConfig(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "stacks"), 0o755); err != nil {
		t.Fatal(err)
	}
	file := "config:\n  conveyor:gcpProject: acme-eu\n  conveyor:gcpRegion: us-central1\n" +
		"  conveyor:allowedRegistries: [europe-docker.pkg.dev/acme/apps, ghcr.io/acme]\n"
	if err := os.WriteFile(stacks.StackConfigFile(root, "cluster-eu"), []byte(file), 0o644); err != nil {
		t.Fatal(err)
	}
	outputs := []string{components.OutputProject, components.OutputRegion, components.OutputSQLInstance, components.OutputSQLConnectionName,
		components.OutputAllowedRegistries}
	rec, err := stacks.Evaluate(stacks.EvaluateOptions{Root: root, Stack: "pr-1", Program: func(ctx *pulumi.Context) error {
		ref, err := pulumi.NewStackReference(ctx, "organization/conveyor/cluster-eu", nil)
		if err != nil {
			return err
		}
		data := pulumi.StringMap{}
		for _, o := range outputs {
			data[o] = ref.GetStringOutput(pulumi.String(o))
		}
		_, err = corev1.NewConfigMap(ctx, "outputs", &corev1.ConfigMapArgs{Data: data})
		return err
	}})
	if err != nil {
		t.Fatal(err)
	}
	cm := evaluationtest.Find(rec, "kubernetes:core/v1:ConfigMap", "outputs")
	if cm == nil {
		t.Fatal("the ConfigMap was not recorded")
	}
	want := map[string]string{
		components.OutputProject:           "acme-eu",
		components.OutputRegion:            "us-central1",
		components.OutputSQLInstance:       naming.SQLInstance("eu"),
		components.OutputSQLConnectionName: "acme-eu:us-central1:" + naming.SQLInstance("eu"),
		components.OutputAllowedRegistries: "europe-docker.pkg.dev/acme/apps,ghcr.io/acme",
	}
	for _, o := range outputs {
		if got := evaluationtest.String(cm.Inputs, "data."+o); got != want[o] {
			t.Errorf("simulated output %s = %q, want %q", o, got, want[o])
		}
	}
}
