package components

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/naming"
)

// The wall between the modules of one space. A space's modules share its namespace, and a
// pod can name any Secret of its namespace: the kubelet fetches whatever a pod it runs
// mounts or reads into a variable, whoever asked for the pod. RBAC cannot tell the Secrets
// apart here (the module's service accounts hold no rights, and their pods mount no token),
// so an admission policy does, from the pod itself, on every pod of the environment's spaces,
// whoever creates it (a person, the deployer, a ReplicaSet or Job controller):
//
//   - a pod that names a module's own Secrets (naming.ModuleSecretOwner: <module>-secrets,
//     its secret values; <module>-database, its database credentials) names only those of the
//     module whose service account it runs as: a module's identity is its service account,
//     here as on GKE, where the same account is what Secret Manager's IAM and the Secrets
//     Store CSI driver see; and a SecretProviderClass it mounts is one of that module's;
//   - a pod labelled as a module's runs as that module's service account, so no pod passes
//     for module B while running as module A.
//
// The platform namespace is outside it: its setup jobs read each module's verifier.

// moduleSecretsWall installs the policy for env's spaces on a local cluster. It is
// cluster-scoped and named after env, so that environments sharing a cluster each own one.
func moduleSecretsWall(ctx *pulumi.Context, parent pulumi.Resource, env string, provider *kubernetes.Provider) error {
	scope := naming.Scope{Environment: env, Space: naming.ReservedSpace, Module: naming.ReservedSpace, Component: "module-secrets"}
	policy := moduleSecretsPolicy(naming.ModuleSecretsPolicy(env), celLabelIs("namespaceObject", naming.LabelEnvironment, env))
	if _, err := newAdmissionPolicy(ctx, policy, scope, []pulumi.ResourceOption{pulumi.Parent(parent), pulumi.Provider(provider)}); err != nil {
		return fmt.Errorf("the wall between modules' secrets: %w", err)
	}
	return nil
}

// moduleSecretsWall installs the policy for every environment's spaces on a GKE cluster, in
// the cluster stack, which alone may make cluster-wide objects there: the modules of a space
// share their database credentials' namespace on GKE too.
func (g *gke) moduleSecretsWall() error {
	scope := naming.Scope{Space: naming.ReservedSpace, Module: naming.ReservedSpace, Component: "module-secrets"}
	policy := moduleSecretsPolicy(naming.ModuleSecretsPolicy(""), celLabelIs("namespaceObject", naming.LabelManagedBy, naming.ManagedBy))
	if _, err := newAdmissionPolicy(g.ctx, policy, scope, g.k8s()); err != nil {
		return fmt.Errorf("the wall between modules' secrets: %w", err)
	}
	return nil
}

// moduleSecretsPolicy is the policy named name for the pods of the spaces' namespaces that
// namespaces (CEL over namespaceObject) selects.
func moduleSecretsPolicy(name, namespaces string) admissionPolicy {
	// The validations hold for a pod outside those spaces.
	outside := fmt.Sprintf("!(%s && %s && !%s) || ",
		namespaces,
		celHasLabel("namespaceObject", naming.LabelSpace),
		celLabelIs("namespaceObject", naming.LabelSpace, naming.ReservedSpace))
	account := "(has(object.spec.serviceAccountName) ? object.spec.serviceAccountName : 'default')"
	own := func(name string) string { return celOwnSecret(name, account) }
	containers := func(list string) string {
		return fmt.Sprintf("(!has(object.spec.%[1]s) || object.spec.%[1]s.all(c, "+
			"(!has(c.env) || c.env.all(e, !has(e.valueFrom) || !has(e.valueFrom.secretKeyRef) || !has(e.valueFrom.secretKeyRef.name) || %[2]s)) && "+
			"(!has(c.envFrom) || c.envFrom.all(f, !has(f.secretRef) || !has(f.secretRef.name) || %[3]s))))",
			list, own("e.valueFrom.secretKeyRef.name"), own("f.secretRef.name"))
	}
	volumes := fmt.Sprintf("(!has(object.spec.volumes) || object.spec.volumes.all(v, "+
		"(!has(v.secret) || !has(v.secret.secretName) || %s) && "+
		"(!has(v.projected) || !has(v.projected.sources) || v.projected.sources.all(s, !has(s.secret) || !has(s.secret.name) || %s)) && "+
		"(!has(v.csi) || v.csi.driver != %s || (has(v.csi.volumeAttributes) && 'secretProviderClass' in v.csi.volumeAttributes && "+
		"v.csi.volumeAttributes['secretProviderClass'].startsWith(%s + '-')))))",
		own("v.secret.secretName"), own("s.secret.name"), celString(SecretsStoreDriver), account)
	return admissionPolicy{
		name: name, group: "", resource: "pods", operations: []string{"CREATE", "UPDATE"},
		validations: []celRule{
			{outside + volumes + " && " + containers("containers") + " && " + containers("initContainers") + " && " + containers("ephemeralContainers"),
				fmt.Sprintf("a pod names only the Secrets of the module whose service account it runs as (%s): "+
					"another module's secrets and database credentials are that module's alone", strings.Join(naming.ModuleSecretSuffixes(), ", "))},
			{outside + fmt.Sprintf("!%s || %s == %s", celHasLabel("object", naming.LabelModule), celLabel("object", naming.LabelModule), account),
				fmt.Sprintf("a pod labelled %s runs as that module's service account", naming.LabelModule)},
		},
	}
}

// celOwnSecret holds when the Secret name (a CEL expression) is no module's own, or is the
// module's whose service account is account: naming.ModuleSecretOwner in CEL. A module's
// service account is named after the module alone (naming.KubernetesServiceAccount).
func celOwnSecret(name, account string) string {
	module, _ := naming.PartPattern(naming.PartModule)
	var shapes, mine []string
	for _, suffix := range naming.ModuleSecretSuffixes() {
		shape := strings.TrimSuffix(module, "$") + regexp.QuoteMeta(suffix) + "$"
		shapes = append(shapes, fmt.Sprintf("%s.matches(%s)", name, celString(shape)))
		mine = append(mine, fmt.Sprintf("%s == %s + %s", name, account, celString(suffix)))
	}
	return "(!(" + strings.Join(shapes, " || ") + ") || " + strings.Join(mine, " || ") + ")"
}
