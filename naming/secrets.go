package naming

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

// SecretsDir is the folder every container finds its secrets in, one file per name, on GKE
// and on a local cluster alike.
const SecretsDir = "/var/run/secrets/conveyor"
