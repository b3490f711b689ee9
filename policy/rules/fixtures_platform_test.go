package rules

import (
	"github.com/conveyor-paas/conveyor/components/dbsetup"
	"github.com/conveyor-paas/conveyor/naming"
)

// Fixtures of the environment's platform namespace, where the database setup runs, and of
// the network policies of a space.

// platformScope is the environment's platform namespace.
func platformScope() naming.Scope {
	return naming.Scope{Environment: testEnv, Space: naming.ReservedSpace, Module: naming.ReservedSpace}
}

// setupScope is the setup job of a module.
func setupScope(module naming.Scope) naming.Scope {
	return naming.Scope{Environment: module.Environment, Space: naming.ReservedSpace, Module: module.Module, Component: naming.DatabaseSetupComponent}
}

func secretRef(name, secret, key string) fixture {
	return fixture{"name": name, "valueFrom": fixture{"secretKeyRef": fixture{"name": secret, "key": key}}}
}

// setupJob is a module's database setup job, as components.Module makes it.
func setupJob(module naming.Scope, mods ...mutation) Resource {
	s := setupScope(module)
	return job(s, append([]mutation{
		withProxy(podSpecPath),
		set("spec.template.spec.serviceAccountName", naming.PlatformKubernetesServiceAccount),
		set("spec.template.spec.containers.0.image", "postgres:16.6-alpine"),
		set("spec.template.spec.containers.0.command", []any{"sh", "-c", dbsetup.Setup}),
		set("spec.template.spec.containers.0.env", []any{
			fixture{"name": "PGHOST", "value": "127.0.0.1"},
			fixture{"name": "PGUSER", "value": naming.DatabaseAdmin(naming.DatabaseAdminScope(module.Environment))},
			secretRef("PGPASSWORD", naming.DatabaseAdminSecret(), "password"),
			fixture{"name": dbsetup.EnvDatabase, "value": naming.Database(module.Environment, module.Module)},
			fixture{"name": dbsetup.EnvUser, "value": naming.DatabaseUser(module.Environment, module.Module)},
			fixture{"name": dbsetup.EnvMarker, "value": naming.DatabaseRoleComment(module.Environment)},
			secretRef(dbsetup.EnvVerifier, naming.DatabaseSecret(module.Module), "verifier"),
			fixture{"name": dbsetup.EnvConnectionLimit, "value": "20"},
		}),
	}, mods...)...)
}

// setupSecret holds a module role's verifier, in the platform namespace.
func setupSecret(module naming.Scope, mods ...mutation) Resource {
	s := setupScope(module)
	return kubeObject(s, TypeSecret, naming.DatabaseSecret(module.Module), naming.PlatformNamespace(s.Environment), nil,
		append([]mutation{set("type", "Opaque"), set("stringData", fixture{"verifier": secret("SCRAM-SHA-256$4096:...")})}, mods...))
}

// adminSecret holds the Cloud SQL admin's password, in the platform namespace.
func adminSecret() Resource {
	s := platformScope()
	s.Component = naming.DatabaseSetupComponent
	return kubeObject(s, TypeSecret, naming.DatabaseAdminSecret(), naming.PlatformNamespace(s.Environment), nil,
		[]mutation{set("type", "Opaque"), set("stringData", fixture{"password": secret("admin-password")})})
}

// sqlAdminUser is the cluster stack's one Cloud SQL user.
func sqlAdminUser(mods ...mutation) Resource {
	return build(clusterStack, TypeSQLUser, naming.SQLInstance(testCluster)+"-"+naming.DatabaseAdminUser, fixture{
		"name": naming.DatabaseAdminUser, "instance": naming.SQLInstance(testCluster), "password": secret("hunter2"),
	}, mods)
}

// networkPolicy is a policy of the space's namespace over all its pods.
func networkPolicy(s naming.Scope, purpose string, spec fixture, mods ...mutation) Resource {
	spec["podSelector"] = fixture{}
	return kubeObject(s, TypeNetworkPolicy, naming.NetworkPolicy(purpose), NamesOf(s).Namespace, spec, mods)
}

func allowFromSpaces(s naming.Scope, mods ...mutation) Resource {
	return networkPolicy(s, naming.PolicyAllowFromSpaces, fixture{
		"policyTypes": []any{"Ingress"},
		"ingress": []any{fixture{"from": []any{fixture{"namespaceSelector": fixture{"matchLabels": fixture{
			naming.LabelEnvironment: s.Environment, naming.LabelSpace: "claims"}}}}}},
	}, mods...)
}

func allowDNS(s naming.Scope, mods ...mutation) Resource {
	return networkPolicy(s, naming.PolicyAllowDNS, fixture{
		"policyTypes": []any{"Egress"},
		"egress": []any{fixture{
			"to": []any{fixture{
				"namespaceSelector": fixture{"matchLabels": fixture{"kubernetes.io/metadata.name": "kube-system"}},
				"podSelector":       fixture{"matchLabels": fixture{"k8s-app": "kube-dns"}},
			}},
			"ports": []any{fixture{"protocol": "UDP", "port": 53}},
		}},
	}, mods...)
}

func allowDatabase(s naming.Scope, mods ...mutation) Resource {
	return networkPolicy(s, naming.PolicyAllowDatabase, fixture{
		"policyTypes": []any{"Egress"},
		"egress": []any{
			fixture{"to": []any{fixture{"ipBlock": fixture{"cidr": "10.100.0.3/32"}}}, "ports": []any{fixture{"protocol": "TCP", "port": 5432}}},
			fixture{"to": []any{fixture{"ipBlock": fixture{"cidr": "199.36.153.8/30"}}}, "ports": []any{fixture{"protocol": "TCP", "port": 443}}},
		},
	}, mods...)
}

// clusterNamespace is a namespace of the cluster stack's own (naming.ClusterObjectNames).
func clusterNamespace(name string) Resource {
	meta := objectMeta(name, "", naming.KubernetesLabels(naming.Scope{Space: naming.ReservedSpace, Module: naming.ReservedSpace}))
	return build(clusterStack, TypeNamespace, name, fixture{"apiVersion": "v1", "kind": "Namespace", "metadata": meta}, nil)
}
