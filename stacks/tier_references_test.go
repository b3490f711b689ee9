package stacks_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/conveyor-paas/conveyor/components"
	"github.com/conveyor-paas/conveyor/evaluation/evaluationtest"
	"github.com/conveyor-paas/conveyor/naming"
)

// TestEveryStackReadsOnlyStacksOfItsOwnTier: no environment's program references a stack of
// another trust tier. Each tier's backend holds its own stacks only, so a reference across
// tiers either fails (an ad-hoc environment finds no cluster-nonprod in its backend) or, had
// it worked, would hand a pull request's program the long-lived tier's outputs. An ad-hoc
// environment reads its cluster's facts, which the long-lived tier publishes into the ad-hoc
// backend (naming.ClusterFactsStack).
func TestEveryStackReadsOnlyStacksOfItsOwnTier(t *testing.T) {
	read := map[string][]string{}
	for _, stack := range everyStack(t) {
		rec := evaluate(t, stack, nil)
		for _, ref := range evaluationtest.OfType(rec, "pulumi:pulumi:StackReference") {
			name := evaluationtest.String(ref.Inputs, "name")
			other := name[strings.LastIndexByte(name, '/')+1:]
			read[stack] = append(read[stack], other)
			if naming.TierOf(other) != naming.TierOf(stack) {
				t.Errorf("%s (tier %s) references %s of the %s tier", stack, naming.TierOf(stack), other, naming.TierOf(other))
			}
		}
	}
	if got := read["pr-123"]; !slices.Contains(got, naming.ClusterFactsStack(naming.NonprodCluster)) {
		t.Errorf("pr-123 reads %v, not the facts of %s", got, naming.NonprodCluster)
	}
	if got := read["dev"]; !slices.Contains(got, naming.NonprodCluster) {
		t.Errorf("dev reads %v, not %s", got, naming.NonprodCluster)
	}
}

// TestAnAdHocEnvironmentReachesItsClusterAsItself: pr-123's Kubernetes provider reaches the
// cluster with a kubeconfig made of the facts' endpoint and CA, which authenticates through
// gke-gcloud-auth-plugin as the ad-hoc deployer: no token, no credential of the cluster
// stack's.
func TestAnAdHocEnvironmentReachesItsClusterAsItself(t *testing.T) {
	rec := evaluate(t, "pr-123", nil)
	var kubeconfig string
	for _, p := range evaluationtest.OfType(rec, "pulumi:providers:kubernetes") {
		kubeconfig = evaluationtest.String(p.Inputs, "kubeconfig")
	}
	for _, want := range []string{"server: " + components.SimulatedEndpoint, "certificate-authority-data: " + components.SimulatedCACertificate, "command: gke-gcloud-auth-plugin"} {
		if !strings.Contains(kubeconfig, want) {
			t.Errorf("pr-123's kubeconfig lacks %q:\n%s", want, kubeconfig)
		}
	}
	for _, credential := range []string{"token", "client-key", "password"} {
		if strings.Contains(kubeconfig, credential) {
			t.Errorf("pr-123's kubeconfig holds a %s", credential)
		}
	}
}

// TestClusterFactsHoldNoSecret: the facts are a subset of the cluster stack's outputs, none a
// secret, and the kubeconfig and staging's own instance are not among them.
func TestClusterFactsHoldNoSecret(t *testing.T) {
	outputs := components.SimulateClusterOutputs(components.SimulatedCluster{Name: "nonprod", SQLStagingAddr: "10.0.0.9"})
	facts := components.SimulateClusterFacts(components.SimulatedCluster{Name: "nonprod", SQLStagingAddr: "10.0.0.9"})
	for _, name := range naming.ClusterFacts() {
		v, ok := facts[resource.PropertyKey(name)]
		if !ok {
			t.Errorf("fact %s is not simulated", name)
		}
		if _, ok := outputs[resource.PropertyKey(name)]; !ok {
			t.Errorf("fact %s is no output of the cluster stack", name)
		}
		if v.ContainsSecrets() {
			t.Errorf("fact %s is a secret", name)
		}
	}
	for _, never := range []string{components.OutputKubeconfig, components.OutputSQLStagingAddress, components.OutputSQLStagingConnectionName} {
		if _, ok := facts[resource.PropertyKey(never)]; ok || naming.IsClusterFact(never) {
			t.Errorf("%s is a fact", never)
		}
	}
	if len(facts) != len(naming.ClusterFacts()) {
		t.Errorf("%d facts simulated, want %d", len(facts), len(naming.ClusterFacts()))
	}
}
