package stacks

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/components"
	"github.com/conveyor-paas/conveyor/naming"
)

// ClusterRead is what an environment reads of the cluster stack it deploys onto.
type ClusterRead struct {
	// Stack is the stack read: the cluster stack, or for an ad-hoc environment its facts
	// stack (naming.ClusterReference).
	Stack   string
	Outputs components.ClusterOutputs
	// AllowedRegistries and Domain are the cluster's, as plain values: the program decides
	// with them (the namespaces' annotation, the teams' check).
	AllowedRegistries []string
	Domain            string
	mesh              components.MeshMode
	cluster           string
}

// ReadCluster reads the cluster stack an environment of env deploys onto, through the stack
// its tier may read (naming.ClusterReference) in its own backend: the long-lived and
// production tiers the cluster stack itself; the ad-hoc tier only the cluster's facts, which
// the long-lived tier publishes into the ad-hoc tier's backend and which hold no credential.
// Its kubeconfig, made of the endpoint and CA, authenticates as the ad-hoc deployer itself.
func ReadCluster(ctx *pulumi.Context, env, cluster string) (*ClusterRead, error) {
	stack := naming.ClusterReference(env, cluster)
	ref, err := pulumi.NewStackReference(ctx, fmt.Sprintf("%s/%s/%s", ctx.Organization(), ctx.Project(), stack), nil)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", describeClusterStack(stack), err)
	}
	read := &ClusterRead{Stack: stack, cluster: cluster}
	if stack == cluster {
		read.Outputs = components.ReadClusterOutputs(ref)
	} else {
		read.Outputs = components.ReadClusterFacts(ref)
	}
	if read.AllowedRegistries, err = clusterRegistries(ref, stack); err != nil {
		return nil, err
	}
	if read.Domain, err = clusterDomain(ref, stack); err != nil {
		return nil, err
	}
	if read.mesh, err = clusterMeshMode(ref, stack); err != nil {
		return nil, err
	}
	return read, nil
}

// Mesh is the cluster's service mesh, its trust domain the project's.
func (c *ClusterRead) Mesh(project pulumi.StringOutput) *components.Mesh {
	return &components.Mesh{
		Mode:        c.mesh,
		Origin:      meshOrigin(c.cluster),
		TrustDomain: project.ApplyT(naming.MeshTrustDomain).(pulumi.StringOutput),
	}
}

// describeClusterStack names a stack an environment reads its cluster from, for messages.
func describeClusterStack(stack string) string {
	if cluster, ok := naming.ClusterOfFactsStack(stack); ok {
		return fmt.Sprintf("the facts of cluster stack %s (stack %s)", cluster, stack)
	}
	return "cluster stack " + stack
}

// updateHint says how to give a stack an environment reads the output it lacks.
func updateHint(stack string) string {
	if cluster, ok := naming.ClusterOfFactsStack(stack); ok {
		return fmt.Sprintf("update %s and publish its facts (conveyor cluster-facts --cluster %s, main's job)", cluster, cluster)
	}
	return fmt.Sprintf("update it (conveyor up --env %s)", stack)
}
