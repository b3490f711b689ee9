package naming

import "strings"

// Application secrets: a module's secrets are named in its manifest and valued per
// environment. On GCP each is a Secret Manager secret; on a local cluster every value of a
// module lives in one Kubernetes Secret in its namespace. Pods read them as files.

// MaxSecretManagerID is Secret Manager's limit on a secret id ([A-Za-z0-9_-], 1 to 255).
const MaxSecretManagerID = 255

// AdHocTierDefaults stands where an environment's name stands in the names of the ad-hoc
// tier's default secrets. Environment names never start with "conveyor" (parts.go), so no
// environment's secret can take a default's name.
const AdHocTierDefaults = "conveyor-adhoc"

// SecretManagerSecret is the Secret Manager secret id of a module's secret in an
// environment: "<env>-<module>-<NAME>", cut and hashed to fit 255. A module name and a secret
// name hold no '-', so the id is read from its right: the same id never comes from two
// (environment, module, name) triples, and a cut id ends in a hash starting with a digit,
// which no secret name does.
func SecretManagerSecret(env, module, name string) string {
	return Fit(env+"-"+module+"-"+name, MaxSecretManagerID, '-')
}

// AdHocDefaultSecret is the Secret Manager secret id of the ad-hoc tier's default of a
// module's secret: what an ad-hoc environment reads when the module allows it
// (adHocSecretDefaults) and the environment has no value of its own.
func AdHocDefaultSecret(module, name string) string {
	return SecretManagerSecret(AdHocTierDefaults, module, name)
}

// AppSecret names the Kubernetes Secret that holds a module's secret values on a local
// cluster: "<module>-secrets".
func AppSecret(module string) string {
	return Fit(module+"-secrets", MaxKubernetesName, '-')
}

// SecretProviderClass names the SecretProviderClass that mounts a component's secrets from
// Secret Manager on GKE: "<module>-<component>", like its workload (another kind of object).
func SecretProviderClass(module, component string) string {
	return Workload(module, component)
}

// SecretsStoreDriver is the Secrets Store CSI driver's name, as a pod's CSI volume names it.
const SecretsStoreDriver = "secrets-store.csi.k8s.io"

// SecretsDir is the folder every container finds its secrets in, one file per name, on GKE
// and on a local cluster alike.
const SecretsDir = "/var/run/secrets/conveyor"

// ModuleSecretOwner reads whose a Kubernetes Secret is from its name, when it is one a module
// owns: its secret values (AppSecret) or its database credentials (DatabaseSecret). A module
// name is one word of at most MaxModuleLen characters, so neither name is ever cut, and the
// word before the suffix is the module. ok is false for any other Secret.
func ModuleSecretOwner(secret string) (module string, ok bool) {
	for _, suffix := range ModuleSecretSuffixes() {
		if m, found := strings.CutSuffix(secret, suffix); found && ValidatePart(PartModule, m) == nil {
			return m, true
		}
	}
	return "", false
}

// ModuleSecretSuffixes end the names of the Secrets a module owns (ModuleSecretOwner).
func ModuleSecretSuffixes() []string { return []string{AppSecret(""), DatabaseSecret("")} }

// ModuleSecretsPolicy names the admission policy (and its binding) that lets a pod of one of
// env's spaces reference no module's Secrets but those of the module whose service account
// it runs as: "conveyor-module-secrets-<env>" on a local cluster, where each environment
// installs its own; "conveyor-module-secrets" (env "") on GKE, where the cluster stack
// installs one for all.
func ModuleSecretsPolicy(env string) string {
	if env == "" {
		return "conveyor-module-secrets"
	}
	return Fit("conveyor-module-secrets-"+env, MaxKubernetesName, '-')
}
