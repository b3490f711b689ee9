package stacks

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/components"
	"github.com/conveyor-paas/conveyor/manifest"
	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/stacks/stackfile"
)

// localMeshArgs is the service mesh of a local environment's cluster: its own conveyor:mesh,
// and Istio installed only when some space of the catalog is in the mesh. A local stack that
// does not set conveyor:mesh runs none (defaultMeshMode), whatever its spaces ask.
func localMeshArgs(cfg *Config, cat *manifest.Catalog) components.MeshArgs {
	meshed := (&components.Mesh{Mode: cfg.Mesh}).MeshedSpaces(cat)
	return components.MeshArgs{Mode: cfg.Mesh, IstioVersion: cfg.IstioVersion, Unused: len(meshed) == 0, Origin: meshOrigin(cfg.Stack),
		Unconfigured: cfg.MeshUnset && cfg.Mesh == components.MeshOff}
}

// defaultMeshMode is a stack's mesh mode when conveyor:mesh is unset. A local cluster runs
// none: installing Istio downloads its Helm charts and starts its control plane, too heavy
// for a person's first `conveyor up` and impossible where the chart host is out of reach, so
// a person turns it on. A cluster stack runs the mesh for the spaces that ask.
func defaultMeshMode(localCluster bool) components.MeshMode {
	if localCluster {
		return components.MeshOff
	}
	return components.DefaultMeshMode
}

// warnUnmeshed tells a person whose local cluster runs no mesh that the spaces asking for it
// run outside it, and how to turn it on: one warning per space (unmeshedWarnings).
func warnUnmeshed(ctx *pulumi.Context, cfg *Config, cat *manifest.Catalog, m *components.Mesh) error {
	for _, w := range unmeshedWarnings(cfg, cat, m) {
		if err := ctx.Log.Warn(w, nil); err != nil {
			return err
		}
	}
	return nil
}

// unmeshedWarnings are warnUnmeshed's messages, each naming the space file and the setting.
func unmeshedWarnings(cfg *Config, cat *manifest.Catalog, m *components.Mesh) []string {
	var out []string
	for _, s := range m.Declined(cat) {
		out = append(out, s.ErrorAt("mesh", "space %s asks for the service mesh, which this local cluster does not run: its workloads run outside it, behind their NetworkPolicies only. "+
			"To run it, set %s: %s in %s (installs Istio %s from its Helm charts at %s)",
			s.Name, naming.ConfigMesh, components.MeshOptIn, stackfile.Name(cfg.Stack), cfg.IstioVersion, components.IstioChartRepository).Error())
	}
	return out
}

// meshOrigin names where a stack's mesh mode is configured.
func meshOrigin(stack string) string {
	return fmt.Sprintf("%s of %s", naming.ConfigMesh, stack)
}

// clusterMeshMode reads the service mesh of the cluster stack an environment deploys onto
// (or of its facts). The mode must be known while the program runs, since it decides which
// objects exist: it is read from the stack's outputs, where a cluster stack deployed before
// the mesh existed has none, which means off.
func clusterMeshMode(ref *pulumi.StackReference, stack string) (components.MeshMode, error) {
	out, err := ref.GetOutputDetails(components.OutputMesh)
	if err != nil {
		return "", fmt.Errorf("reading the service mesh of %s: %w", describeClusterStack(stack), err)
	}
	mode := components.MeshOff
	if s, ok := out.Value.(string); ok && s != "" {
		if mode, err = components.ParseMeshMode(s); err != nil {
			return "", fmt.Errorf("%s, output %s: %w", describeClusterStack(stack), components.OutputMesh, err)
		}
	}
	return mode, nil
}

// clusterDomain reads the organisation's domain of the cluster stack, as a plain value: the
// program checks the catalog's teams against it. A cluster stack deployed before the output
// existed has none; it is refused rather than checked against nothing.
func clusterDomain(ref *pulumi.StackReference, stack string) (string, error) {
	out, err := ref.GetOutputDetails(components.OutputOrganizationDomain)
	if err != nil {
		return "", fmt.Errorf("reading the organisation's domain of %s: %w", describeClusterStack(stack), err)
	}
	domain, _ := out.Value.(string)
	if out.Value == nil {
		return "", fmt.Errorf("%s has no output %s: %s before deploying onto it",
			describeClusterStack(stack), components.OutputOrganizationDomain, updateHint(stack))
	}
	return domain, nil
}

// clusterRegistries reads the registries the cluster stack allows, as a plain value: the
// namespaces carry them. A cluster stack deployed before the setting existed has none, and
// its environments' images then fail CONV-IMG-002 until the cluster stack is updated.
func clusterRegistries(ref *pulumi.StackReference, stack string) ([]string, error) {
	out, err := ref.GetOutputDetails(components.OutputAllowedRegistries)
	if err != nil {
		return nil, fmt.Errorf("reading the allowed registries of %s: %w", describeClusterStack(stack), err)
	}
	s, _ := out.Value.(string)
	return naming.SplitRegistries(s), nil
}
