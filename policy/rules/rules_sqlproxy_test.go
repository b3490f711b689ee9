package rules

import "testing"

func TestSQLProxyRule(t *testing.T) { runCases(t, sqlProxyCases()) }

func sqlProxyCases() []ruleCase {
	m := moduleScope()
	api, local := apiScope(), apiScope()
	local.Environment = "local"
	d, setup, creds := deployment(api, withProxy(podSpecPath)), setupJob(m), databaseSecret(m)
	podSpec := "spec.template.spec."
	proxy := podSpec + "initContainers.0."
	const noProxy = `container "api" connects to Cloud SQL with no Cloud SQL Auth Proxy beside it (an init container "cloud-sql-proxy" ` +
		`with restartPolicy Always) and PGSSLMODE (unset), not "verify-full": nothing verifies the server`
	return []ruleCase{
		{rule: "CONV-SQL-010", name: "module pod and setup job through the proxy on loopback", resources: stack(d, setup, creds)},
		{rule: "CONV-SQL-010", name: "module pod without the proxy", resources: stack(deployment(api)),
			want: []outcome{mandatory(d.URN, noProxy)}},
		{rule: "CONV-SQL-010", name: "proxy that is not a native sidecar", resources: stack(deployment(api, withProxy(podSpecPath), del(proxy+"restartPolicy"))),
			want: []outcome{
				mandatory(d.URN, `init container "cloud-sql-proxy" has restartPolicy (unset), not "Always": it is no sidecar, so the pod's containers would start only after it ended`),
				mandatory(d.URN, noProxy),
			}},
		{rule: "CONV-SQL-010", name: "another image named as the proxy", resources: stack(deployment(api, withProxy(podSpecPath), set(proxy+"image", "ghcr.io/attacker/tcp-relay:1.0"))),
			want: []outcome{mandatory(d.URN, noProxy)}},
		{rule: "CONV-SQL-010", name: "proxy listening beyond loopback", resources: stack(deployment(api, withProxy(podSpecPath), set(proxy+"args.1", "--address=0.0.0.0"))),
			want: []outcome{mandatory(d.URN, `init container "cloud-sql-proxy" listens on "--address=0.0.0.0", beyond the pod's loopback: every pod that reaches it connects to Cloud SQL as the pod's identity`)}},
		{rule: "CONV-SQL-010", name: "setup job connecting past its proxy with sslmode require", resources: stack(setupJob(m,
			set("spec.template.spec.containers.0.env.0", fixture{"name": "PGHOST", "value": "10.100.0.3"}),
			set("spec.template.spec.containers.0.env.5", fixture{"name": "PGSSLMODE", "value": "require"}))),
			want: []outcome{mandatory(setup.URN, `container "database-setup" connects to PGHOST "10.100.0.3" past its proxy, with PGSSLMODE "require": nothing verifies the server`)}},
		{rule: "CONV-SQL-010", name: "setup job without a proxy but verify-full", resources: stack(setupJob(m,
			del(podSpec+"initContainers"),
			set("spec.template.spec.containers.0.env.0", fixture{"name": "PGHOST", "value": "10.100.0.3"}),
			set("spec.template.spec.containers.0.env.5", fixture{"name": "PGSSLMODE", "value": "verify-full"})))},
		{rule: "CONV-SQL-010", name: "module Secret naming the instance", resources: stack(databaseSecret(m,
			set("stringData", fixture{"host": "10.100.0.3", "url": secret("postgres://dev_quotes:hunter2@10.100.0.3:5432/dev_quotes?sslmode=require")}))),
			want: []outcome{
				mandatory(creds.URN, `stringData.url connects past the proxy (to no loopback address) with sslmode "require", not "verify-full": nothing verifies the server`),
				mandatory(creds.URN, `stringData.host is "10.100.0.3", not the proxy on loopback: the module's components would connect past it`),
			}},
		{rule: "CONV-SQL-010", name: "module Secret naming the instance with verify-full", resources: stack(databaseSecret(m,
			set("stringData", fixture{"host": "10.100.0.3", "url": secret("postgres://dev_quotes:hunter2@10.100.0.3:5432/dev_quotes?sslmode=verify-full")})))},
		{rule: "CONV-SQL-010", name: "a local cluster's PostgreSQL needs no proxy", env: "local",
			resources: stack(deployment(local))},
		{rule: "CONV-SQL-010", name: "PGHOST not known during preview", resources: stack(setupJob(m,
			set("spec.template.spec.containers.0.env.0", fixture{"name": "PGHOST", "value": computed}))),
			want: []outcome{cannotDecide(setup.URN, "spec.template.spec.containers[0].env[0].value")}},
	}
}
