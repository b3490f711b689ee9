package rules

import (
	"testing"

	"github.com/conveyor-paas/conveyor/naming"
)

func TestSecretRules(t *testing.T) { runCases(t, secretCases()) }

const typeSecretIAMMember = "gcp:secretmanager/secretIamMember:SecretIamMember"

// providerClass is the SecretProviderClass of the quotes api, which reads API_KEY.
func providerClass(s naming.Scope, mods ...mutation) Resource {
	n := NamesOf(s)
	return kubeObject(s, TypeSecretProviderClass, naming.SecretProviderClass(s.Module, s.Component), n.Namespace, fixture{
		"provider": "gcp",
		"parameters": fixture{"secrets": "- resourceName: projects/" + project + "/secrets/" +
			naming.SecretManagerSecret(s.Environment, s.Module, "API_KEY") + "/versions/latest\n  path: API_KEY\n"},
	}, mods)
}

// appSecret is a module's Secret of values on a local cluster.
func appSecret(s naming.Scope, mods ...mutation) Resource {
	return kubeObject(s, TypeSecret, naming.AppSecret(s.Module), NamesOf(s).Namespace, nil, append([]mutation{
		set("type", "Opaque"), set("stringData", secret(map[string]any{"API_KEY": "sk_test_value"})),
	}, mods...))
}

func configMap(s naming.Scope, mods ...mutation) Resource {
	return kubeObject(s, TypeConfigMap, s.Module+"-config", NamesOf(s).Namespace, nil, append([]mutation{
		set("data", fixture{"LOG_LEVEL": "info"}),
	}, mods...))
}

// secretAccess binds the accessor role on a module's secret, in s's environment, to member.
func secretAccess(s naming.Scope, secretID, member string, mods ...mutation) Resource {
	return build(s.Environment, typeSecretIAMMember, secretID+"-accessor", fixture{
		"project": project, "secretId": secretID, "role": "roles/secretmanager.secretAccessor", "member": member,
	}, mods)
}

func accountOf(env, module string) string {
	return "serviceAccount:" + naming.ServiceAccountID(env, module) + "@" + project + ".iam.gserviceaccount.com"
}

func secretCases() []ruleCase {
	literal := set("spec.template.spec.containers.0.env", []any{fixture{"name": "API_KEY", "value": "sk_live_123"}})
	api := deployment(apiScope())
	cm := configMap(moduleScope(), set("data.API_KEY", "sk_live_123"))
	claims := naming.Scope{Environment: testEnv, Space: "claims", Module: "claims", Component: "api"}
	devKey := naming.SecretManagerSecret(testEnv, "quotes", "API_KEY")
	own := secretAccess(moduleScope(), devKey, accountOf(testEnv, "quotes"))
	pr := naming.Scope{Environment: "pr-7", Space: "sales", Module: "quotes"}
	prod := naming.Scope{Environment: "prod", Space: "sales", Module: "quotes"}
	prodKey := naming.SecretManagerSecret("prod", "quotes", "API_KEY")
	staging := naming.Scope{Environment: "staging", Space: "sales", Module: "quotes"}
	volumes := func(extra ...fixture) mutation {
		list := []any{fixture{"name": "tmp", "emptyDir": fixture{}}}
		for _, v := range extra {
			list = append(list, v)
		}
		return set("spec.template.spec.volumes", list)
	}
	secretVolume := func(name string) fixture { return fixture{"name": "secrets", "secret": fixture{"secretName": name}} }
	classVolume := func(class string) fixture {
		return fixture{"name": "secrets", "csi": fixture{"driver": naming.SecretsStoreDriver, "readOnly": true,
			"volumeAttributes": fixture{"secretProviderClass": class}}}
	}
	return []ruleCase{
		{rule: "CONV-SEC-001", name: "a secret read as a file",
			resources: stack(providerClass(apiScope()), api, configMap(moduleScope()))},
		{rule: "CONV-SEC-001", name: "a declared secret as a literal variable",
			resources: stack(providerClass(apiScope()), deployment(apiScope(), literal)),
			want:      []outcome{mandatory(api.URN, `container "api" sets secret "API_KEY" as a literal environment variable`)}},
		{rule: "CONV-SEC-001", name: "a declared secret in a ConfigMap",
			resources: stack(providerClass(apiScope()), api, cm),
			want:      []outcome{mandatory(cm.URN, `ConfigMap "quotes-config" holds secret "API_KEY" in plain text`)}},
		{rule: "CONV-SEC-001", name: "a local module's secret as a literal variable",
			resources: stack(appSecret(moduleScope()), deployment(apiScope(), literal)),
			want:      []outcome{mandatory(api.URN, `container "api" sets secret "API_KEY" as a literal environment variable`)}},
		{rule: "CONV-SEC-001", name: "a variable of that name in another space, which declares no such secret",
			resources: stack(providerClass(apiScope()), deployment(claims, literal))},
		{rule: "CONV-SEC-001", name: "secrets not known during preview",
			resources: stack(appSecret(moduleScope(), set("stringData", computed)), api),
			want:      []outcome{cannotDecide(appSecret(moduleScope()).URN, "stringData")}},

		{rule: "CONV-SEC-002", name: "the module's own account", resources: stack(own)},
		{rule: "CONV-SEC-002", name: "another module's account",
			resources: stack(secretAccess(moduleScope(), devKey, accountOf(testEnv, "claims"))),
			want: []outcome{mandatory(own.URN, `grants "roles/secretmanager.secretAccessor" on secret "dev-quotes-API_KEY" to `+
				`"serviceAccount:dev-claims@acme-dev.iam.gserviceaccount.com", not to module quotes's own service account dev-quotes`)}},
		{rule: "CONV-SEC-002", name: "a group",
			resources: stack(secretAccess(moduleScope(), devKey, "group:quotes-devs@example.com")),
			want: []outcome{mandatory(own.URN, `grants "roles/secretmanager.secretAccessor" on secret "dev-quotes-API_KEY" to `+
				`"group:quotes-devs@example.com", not to module quotes's own service account dev-quotes`)}},
		{rule: "CONV-SEC-002", name: "another environment's secret",
			resources: stack(secretAccess(moduleScope(), naming.SecretManagerSecret("staging", "quotes", "API_KEY"), accountOf(testEnv, "quotes"))),
			want:      []outcome{mandatory(urnOf(testEnv, typeSecretIAMMember, "staging-quotes-API_KEY-accessor"), `binds secret "staging-quotes-API_KEY", which is not one of environment dev's secrets`)}},
		{rule: "CONV-SEC-002", name: "an ad-hoc environment binds dev's secret", env: "pr-7",
			resources: stack(secretAccess(pr, devKey, accountOf("pr-7", "quotes"))),
			// Advisory: the policy pack blocks nothing in an ad-hoc environment, whose deployer
			// holds no Secret Manager or IAM role (stacks/bootstrap/access.go) to bind with.
			want: []outcome{advisory(urnOf("pr-7", typeSecretIAMMember, "dev-quotes-API_KEY-accessor"),
				`binds secret "dev-quotes-API_KEY", which is not one of environment pr-7's secrets`)}},
		{rule: "CONV-SEC-002", name: "the ad-hoc tier's default in an ad-hoc environment", env: "pr-7",
			resources: stack(secretAccess(pr, naming.AdHocDefaultSecret("quotes", "API_KEY"), accountOf("pr-7", "quotes")))},
		{rule: "CONV-SEC-002", name: "the ad-hoc tier's default in dev",
			resources: stack(secretAccess(moduleScope(), naming.AdHocDefaultSecret("quotes", "API_KEY"), accountOf(testEnv, "quotes"))),
			want: []outcome{mandatory(urnOf(testEnv, typeSecretIAMMember, "conveyor-adhoc-quotes-API_KEY-accessor"),
				`binds the ad-hoc tier's default "conveyor-adhoc-quotes-API_KEY" in dev, which is not an ad-hoc environment`)}},

		{rule: "CONV-SEC-003", name: "prod's secret to prod's account", env: "prod",
			resources: stack(secretAccess(prod, prodKey, accountOf("prod", "quotes")))},
		{rule: "CONV-SEC-003", name: "prod's secret to dev's account", env: "prod",
			resources: stack(secretAccess(prod, prodKey, accountOf(testEnv, "quotes"))),
			want: []outcome{mandatory(urnOf("prod", typeSecretIAMMember, "prod-quotes-API_KEY-accessor"),
				`grants "roles/secretmanager.secretAccessor" on production's secret "prod-quotes-API_KEY" to "serviceAccount:dev-quotes@acme-dev.iam.gserviceaccount.com", which is no production identity`)}},
		{rule: "CONV-SEC-003", name: "staging binds prod's secret", env: "staging",
			resources: stack(secretAccess(staging, prodKey, accountOf("staging", "quotes"))),
			want: []outcome{mandatory(urnOf("staging", typeSecretIAMMember, "prod-quotes-API_KEY-accessor"),
				`environment staging binds production's secret "prod-quotes-API_KEY"`)}},

		{rule: "CONV-SEC-004", name: "a pod that names its own module's Secrets",
			resources: stack(deployment(apiScope(), volumes(secretVolume(naming.AppSecret("quotes")))))},
		{rule: "CONV-SEC-004", name: "its own module's SecretProviderClass",
			resources: stack(deployment(apiScope(), volumes(classVolume(naming.SecretProviderClass("quotes", "api")))))},
		{rule: "CONV-SEC-004", name: "the platform's setup job, which reads each module's verifier",
			resources: stack(setupJob(moduleScope()))},
		{rule: "CONV-SEC-004", name: "a Secret of no module", resources: stack(deployment(apiScope(), volumes(secretVolume("quotes-tls"))))},
		{rule: "CONV-SEC-004", name: "another module's secret values, mounted",
			resources: stack(deployment(apiScope(), volumes(secretVolume(naming.AppSecret("claims"))))),
			want:      []outcome{mandatory(api.URN, `volume "secrets" names Secret "claims-secrets", which is not module quotes's (the pod runs as "quotes")`)}},
		{rule: "CONV-SEC-004", name: "another module's database credentials, as a variable",
			resources: stack(deployment(apiScope(), set("spec.template.spec.containers.0.env.0.valueFrom.secretKeyRef.name", naming.DatabaseSecret("claims")))),
			want:      []outcome{mandatory(api.URN, `container "api" variable "DATABASE_URL" names Secret "claims-database", which is not module quotes's (the pod runs as "quotes")`)}},
		{rule: "CONV-SEC-004", name: "another module's SecretProviderClass",
			resources: stack(deployment(apiScope(), volumes(classVolume(naming.SecretProviderClass("claims", "api"))))),
			want:      []outcome{mandatory(api.URN, `volume "secrets" names SecretProviderClass "claims-api", which is not module quotes's (the pod runs as "quotes")`)}},
		{rule: "CONV-SEC-004", name: "a pod labelled quotes that runs as claims",
			resources: stack(deployment(apiScope(), set("spec.template.spec.serviceAccountName", "claims"))),
			want: []outcome{
				mandatory(api.URN, `the pod is labelled as module "quotes"'s and runs as service account "claims"`),
				mandatory(api.URN, `container "api" variable "DATABASE_URL" names Secret "quotes-database", which is not module claims's (the pod runs as "claims")`),
			}},
		{rule: "CONV-SEC-004", name: "a service account not known during preview",
			resources: stack(deployment(apiScope(), set("spec.template.spec.serviceAccountName", computed))),
			want:      []outcome{cannotDecide(api.URN, "spec.template.spec.serviceAccountName")}},
	}
}
