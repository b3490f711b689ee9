package rules

import (
	"strings"
	"testing"

	"github.com/conveyor-paas/conveyor/components/dbsetup"
)

func TestDatabaseRules(t *testing.T) { runCases(t, databaseCases()) }

func databaseCases() []ruleCase {
	m := moduleScope()
	user, db, admin := sqlUser(m), sqlDatabase(m), sqlAdminUser()
	secret, job := databaseSecret(m), setupJob(m)
	script := "spec.template.spec.containers.0.command.2"
	weakened := func(old, replacement string) mutation {
		return set(script, strings.Replace(dbsetup.Setup, old, replacement, 1))
	}
	return []ruleCase{
		{rule: "CONV-SQL-006", name: "module user made through the API", resources: stack(user),
			want: []outcome{mandatory(user.URN, `"dev_quotes" is made through Cloud SQL's API: an API user, a member of cloudsqlsuperuser with CREATEROLE and CREATEDB`)}},
		{rule: "CONV-SQL-006", name: "module database made through the API", resources: stack(db),
			want: []outcome{mandatory(db.URN, `"dev_quotes" is made through Cloud SQL's API: an API database, owned by cloudsqlsuperuser with CONNECT for every role`)}},
		{rule: "CONV-SQL-006", name: "cluster stack user that is not the admin", env: clusterStack,
			resources: stack(sqlAdminUser(set("name", "reporting"))),
			want:      []outcome{mandatory(admin.URN, `Cloud SQL user "reporting" is not the cluster's admin "conveyor_admin": a user made through the API is a member of cloudsqlsuperuser`)}},
		{rule: "CONV-SQL-006", name: "user name not known during preview", resources: stack(sqlUser(m, set("name", computed))),
			want: []outcome{cannotDecide(user.URN, "name")}},
		{rule: "CONV-SQL-006", name: "the cluster's admin", env: clusterStack, resources: stack(admin)},
		{rule: "CONV-NAME-001", name: "cluster stack user not named as the admin", env: clusterStack,
			resources: stack(sqlAdminUser(set("name", "admin"))),
			want:      []outcome{mandatory(admin.URN, `cloud sql admin user "admin" does not follow the naming convention: it should be "conveyor_admin"`)}},
		{rule: "CONV-NAME-001", name: "the cluster's admin user", env: clusterStack, resources: stack(admin)},

		{rule: "CONV-SQL-007", name: "credentials without a setup job", resources: stack(secret),
			want: []outcome{mandatory(secret.URN, "module quotes has database credentials but no setup job dev-conveyor/quotes-database-setup: nothing makes its role and database private")}},
		{rule: "CONV-SQL-007", name: "setup job in a space's namespace", resources: stack(secret, setupJob(m, set("metadata.namespace", "dev-sales"))),
			want: []outcome{mandatory(secret.URN, "module quotes has database credentials but no setup job dev-conveyor/quotes-database-setup: nothing makes its role and database private")}},
		{rule: "CONV-SQL-007", name: "PUBLIC keeps CONNECT", resources: stack(secret, setupJob(m, weakened("REVOKE ALL ON DATABASE", "-- REVOKE"))),
			want: []outcome{mandatory(job.URN, `the setup SQL of container "database-setup" lacks REVOKE ALL ON DATABASE ... FROM PUBLIC`)}},
		{rule: "CONV-SQL-007", name: "role may create databases", resources: stack(secret, setupJob(m, weakened("NOCREATEDB", "CREATEDB"))),
			want: []outcome{
				mandatory(job.URN, `the setup SQL of container "database-setup" lacks NOCREATEDB`),
				mandatory(job.URN, `the setup SQL of container "database-setup" gives a role attribute beyond LOGIN`),
			}},
		{rule: "CONV-SQL-007", name: "role made a cloudsqlsuperuser", resources: stack(secret, setupJob(m, weakened("ALTER SCHEMA public", "GRANT cloudsqlsuperuser TO :\"user\";\nALTER SCHEMA public"))),
			want: []outcome{mandatory(job.URN, `the setup SQL of container "database-setup" gives cloudsqlsuperuser`)}},
		{rule: "CONV-SQL-007", name: "password instead of verifier", resources: stack(secret, setupJob(m,
			set("spec.template.spec.containers.0.env.6", fixture{"name": "DB_PASSWORD", "value": "hunter2"}))),
			want: []outcome{
				mandatory(job.URN, `spec.template.spec.containers[0].env[6] gives the setup "DB_PASSWORD": the setup needs the role's verifier, never its password`),
				mandatory(job.URN, "spec.template.spec.containers[0].env does not give the setup DB_PASSWORD_VERIFIER"),
			}},
		{rule: "CONV-SQL-007", name: "verifier in plain text", resources: stack(secret, setupJob(m,
			set("spec.template.spec.containers.0.env.6", fixture{"name": "DB_PASSWORD_VERIFIER", "value": "SCRAM-SHA-256$..."}))),
			want: []outcome{mandatory(job.URN, "DB_PASSWORD_VERIFIER of spec.template.spec.containers[0].env[6] is not read from a Secret")}},
		{rule: "CONV-SQL-007", name: "script not known during preview", resources: stack(secret, setupJob(m, set(script, computed))),
			want: []outcome{cannotDecide(job.URN, "spec.template.spec.containers[0].command[2]")}},
		{rule: "CONV-SQL-007", name: "credentials with their setup", resources: stack(secret, job)},
	}
}
