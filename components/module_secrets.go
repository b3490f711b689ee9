package components

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/secretmanager"
	apiextensions "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/naming"
)

// How a module's secrets reach its pods (the manifest's secrets, valued by `conveyor secret
// set`). Every container reads them as files, one per name, under naming.SecretsDir, on GKE
// and on a local cluster alike: files follow a new value without a restart, which environment
// variables cannot, and a service reads its secrets the same way everywhere.
//
//   - On GKE each secret is a Secret Manager secret of the environment's project. The stack
//     owns the secret but never a version, so no value ever enters the state: `conveyor
//     secret set` creates the secret when it adds its first version, and the stack imports
//     it. The module's own GCP service account, and no one else, gets
//     roles/secretmanager.secretAccessor on exactly its secrets (resource-level IAM). A
//     component's SecretProviderClass names its secrets, and the Secrets Store CSI driver
//     mounts them with the pod's workload identity; the driver's rotation (cluster_secrets.go)
//     writes a new version into running pods' files.
//   - On a local cluster the values come from the stack's own encrypted config (the command
//     composes it from the backend, never from a tracked file) into one Kubernetes Secret per
//     module, as Pulumi secrets: the state holds their ciphertext only. A component mounts the
//     keys it reads, and the kubelet refreshes the files when the Secret changes.

// SecretAccessorRole is the one role a module's service account gets on its secrets.
const SecretAccessorRole = "roles/secretmanager.secretAccessor"

// SecretsStoreDriver is the Secrets Store CSI driver's name, and SecretsStoreProvider its
// Secret Manager provider's, as a SecretProviderClass names it.
const (
	SecretsStoreDriver   = naming.SecretsStoreDriver
	SecretsStoreProvider = "gcp"
)

// secretsVolume is the name of the volume that holds a container's secrets.
const secretsVolume = "secrets"

// ModuleSecrets are the values of a module's secrets in one environment.
type ModuleSecrets struct {
	// Values are a local environment's values by name, one Pulumi secret (its JSON object);
	// a name without one stops the program. Unset on GKE, where values stay in Secret
	// Manager, and where the values are unknown (an offline evaluation): the module's Secret
	// is then declared without values.
	Values pulumi.StringOutput
	// FromAdHocDefaults are the names whose value an ad-hoc environment on GKE reads from the
	// ad-hoc tier's default (the module allows it and the environment has none of its own).
	FromAdHocDefaults []string
	// Missing says what to run for a value no one has set; the program stops with it.
	Missing func(module, name string) string
}

// secrets declares where the module's secrets live and who reads them.
func (b *moduleBuilder) secrets() error {
	names := b.args.Spec.SecretNames()
	if len(names) == 0 {
		return nil
	}
	if b.args.Target.IsLocal() {
		return b.localSecrets(names)
	}
	return b.gcpSecrets(names)
}

// localSecrets puts the module's values into its Secret.
func (b *moduleBuilder) localSecrets(names []string) error {
	spec := b.args.Spec
	values, known := b.args.Secrets.Values, b.args.Secrets.Values.OutputState != nil
	if !known {
		values = pulumi.ToSecret(pulumi.String("{}")).(pulumi.StringOutput)
	}
	data := values.ApplyT(func(text string) (map[string]string, error) {
		all := map[string]string{}
		if err := json.Unmarshal([]byte(text), &all); err != nil {
			return nil, fmt.Errorf("module %s: the secret values are not a JSON object of strings", spec.Name)
		}
		out := map[string]string{}
		var missing []string
		for _, name := range names {
			v, ok := all[name]
			if !ok {
				missing = append(missing, name)
				continue
			}
			out[name] = v
		}
		if len(missing) > 0 && known {
			return nil, b.missingSecrets(missing)
		}
		return out, nil
	}).(pulumi.StringMapOutput)
	meta := objectMeta(naming.AppSecret(spec.Name), b.args.Namespace, b.scope())
	if _, err := corev1.NewSecret(b.ctx, naming.Namespace(b.args.Environment.Name, spec.Space)+"/"+naming.AppSecret(spec.Name), &corev1.SecretArgs{
		Metadata:   meta,
		Type:       pulumi.String("Opaque"),
		StringData: pulumi.ToSecret(data).(pulumi.StringMapOutput),
	}, b.k8s()...); err != nil {
		return fmt.Errorf("secret %s: %w", naming.AppSecret(spec.Name), err)
	}
	return nil
}

// missingSecrets says which values are missing and what to run for each.
func (b *moduleBuilder) missingSecrets(names []string) error {
	var hints []string
	for _, name := range names {
		hint := fmt.Sprintf("conveyor secret set --env %s --module %s %s", b.args.Environment.Name, b.args.Spec.Name, name)
		if b.args.Secrets.Missing != nil {
			hint = b.args.Secrets.Missing(b.args.Spec.Name, name)
		}
		hints = append(hints, hint)
	}
	return fmt.Errorf("module %s has no value for %s in environment %s; set it with: %s",
		b.args.Spec.Name, strings.Join(names, ", "), b.args.Environment.Name, strings.Join(hints, "; "))
}

// gcpSecrets declares the module's Secret Manager secrets (never a version) and binds the
// module's service account to each, alone.
func (b *moduleBuilder) gcpSecrets(names []string) error {
	spec, env := b.args.Spec, b.args.Environment
	member := pulumi.Sprintf("serviceAccount:%s", b.m.ServiceAccount)
	b.secretIDs = map[string]string{}
	for _, name := range names {
		id := naming.SecretManagerSecret(env.Name, spec.Name, name)
		s := b.scope()
		secret, err := secretmanager.NewSecret(b.ctx, id, &secretmanager.SecretArgs{
			SecretId:    pulumi.String(id),
			Project:     b.args.Target.Project,
			Labels:      pulumi.ToStringMap(naming.GCPLabels(s)),
			Replication: &secretmanager.SecretReplicationArgs{Auto: &secretmanager.SecretReplicationAutoArgs{}},
		}, b.gcp(
			// `conveyor secret set` made it with its first version; the stack adopts it.
			pulumi.Import(pulumi.Sprintf("projects/%s/secrets/%s", b.args.Target.Project, id).ApplyT(
				func(s string) pulumi.ID { return pulumi.ID(s) }).(pulumi.IDOutput)),
			pulumi.RetainOnDelete(env.Production),
		)...)
		if err != nil {
			return fmt.Errorf("secret manager secret %s: %w", id, err)
		}
		read := id
		if env.AdHoc && spec.AdHocSecretDefaults && slices.Contains(b.args.Secrets.FromAdHocDefaults, name) {
			// The tier's default is `conveyor secret set --ad-hoc-default`'s, not the stack's.
			read = naming.AdHocDefaultSecret(spec.Name, name)
			if err := b.secretAccessor(read, member); err != nil {
				return err
			}
		}
		if err := b.secretAccessor(id, member, secret); err != nil {
			return err
		}
		b.secretIDs[name] = read
	}
	return nil
}

// secretAccessor lets member read one secret. The id is written as it is, not read from the
// secret's outputs, so that a preview (and the policy pack) already knows which secret it is.
func (b *moduleBuilder) secretAccessor(secretID string, member pulumi.StringInput, after ...pulumi.Resource) error {
	if _, err := secretmanager.NewSecretIamMember(b.ctx, secretID+"-accessor", &secretmanager.SecretIamMemberArgs{
		Project:  b.args.Target.Project,
		SecretId: pulumi.String(secretID),
		Role:     pulumi.String(SecretAccessorRole),
		Member:   member,
	}, b.gcp(pulumi.DependsOn(after))...); err != nil {
		return fmt.Errorf("access to secret %s: %w", secretID, err)
	}
	return nil
}

// secretsVolumeOf is the volume that holds a component's secrets (nil when it reads none):
// on GKE a CSI volume of the component's SecretProviderClass, which it creates; on a local
// cluster the keys of the module's Secret the component reads.
func (b *moduleBuilder) secretsVolumeOf(component string) (*corev1.VolumeArgs, error) {
	reqs := b.args.Spec.ResolveSecrets(component)
	if len(reqs) == 0 {
		return nil, nil
	}
	spec := b.args.Spec
	if b.args.Target.IsLocal() {
		items := corev1.KeyToPathArray{}
		for _, r := range reqs {
			items = append(items, corev1.KeyToPathArgs{Key: pulumi.String(r.Name), Path: pulumi.String(r.Name)})
		}
		return &corev1.VolumeArgs{Name: pulumi.String(secretsVolume), Secret: &corev1.SecretVolumeSourceArgs{
			SecretName:  pulumi.String(naming.AppSecret(spec.Name)),
			Items:       items,
			DefaultMode: pulumi.Int(0o440),
		}}, nil
	}
	var files []pulumi.StringOutput
	for _, r := range reqs {
		files = append(files, pulumi.Sprintf("- resourceName: projects/%s/secrets/%s/versions/latest\n  path: %s\n", b.args.Target.Project, b.secretIDs[r.Name], r.Name))
	}
	objects := pulumi.All(toInterfaces(files)...).ApplyT(func(parts []any) string {
		var sb strings.Builder
		for _, p := range parts {
			sb.WriteString(p.(string))
		}
		return sb.String()
	}).(pulumi.StringOutput)
	s := b.scope()
	s.Component = component
	class := naming.SecretProviderClass(spec.Name, component)
	if _, err := apiextensions.NewCustomResource(b.ctx, class, &apiextensions.CustomResourceArgs{
		ApiVersion: pulumi.String("secrets-store.csi.x-k8s.io/v1"),
		Kind:       pulumi.String("SecretProviderClass"),
		Metadata:   objectMeta(class, b.args.Namespace, s),
		OtherFields: map[string]any{"spec": pulumi.Map{
			"provider":   pulumi.String(SecretsStoreProvider),
			"parameters": pulumi.Map{"secrets": objects},
		}},
	}, b.k8s()...); err != nil {
		return nil, fmt.Errorf("secret provider class %s: %w", class, err)
	}
	return &corev1.VolumeArgs{Name: pulumi.String(secretsVolume), Csi: &corev1.CSIVolumeSourceArgs{
		Driver:           pulumi.String(SecretsStoreDriver),
		ReadOnly:         pulumi.Bool(true),
		VolumeAttributes: pulumi.StringMap{"secretProviderClass": pulumi.String(class)},
	}}, nil
}

func toInterfaces(outs []pulumi.StringOutput) []any {
	out := make([]any, len(outs))
	for i, o := range outs {
		out[i] = o
	}
	return out
}
