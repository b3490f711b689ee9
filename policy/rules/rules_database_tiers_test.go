package rules

import (
	"strings"
	"testing"

	"github.com/conveyor-paas/conveyor/components/dbsetup"
)

func TestDatabaseTierRules(t *testing.T) { runCases(t, databaseTierCases()) }

func databaseTierCases() []ruleCase {
	m := moduleScope()
	job := setupJob(m)
	user := "spec.template.spec.containers.0.env.1"
	limit := "spec.template.spec.containers.0.env.7"
	return []ruleCase{
		{rule: "CONV-SQL-008", name: "setup as the instance's root", resources: stack(setupJob(m, set(user, fixture{"name": "PGUSER", "value": "conveyor_admin"}))),
			want: []outcome{mandatory(job.URN, `container "database-setup" connects as "conveyor_admin", not as "conveyor_admin_dev", the admin of environment dev's scope`)}},
		{rule: "CONV-SQL-008", name: "dev's setup as the ad-hoc tier's admin", resources: stack(setupJob(m, set(user, fixture{"name": "PGUSER", "value": "conveyor_admin_adhoc"}))),
			want: []outcome{mandatory(job.URN, `container "database-setup" connects as "conveyor_admin_adhoc", not as "conveyor_admin_dev", the admin of environment dev's scope`)}},
		{rule: "CONV-SQL-008", name: "user not known during preview", resources: stack(setupJob(m, set(user, fixture{"name": "PGUSER", "value": computed}))),
			want: []outcome{cannotDecide(job.URN, "spec.template.spec.containers[0].env[1].value")}},
		{rule: "CONV-SQL-008", name: "setup as its own scope's admin", resources: stack(job)},

		{rule: "CONV-SQL-009", name: "no connection limit given", resources: stack(setupJob(m, set(limit, fixture{"name": "LOG_LEVEL", "value": "debug"}))),
			want: []outcome{mandatory(job.URN, `container "database-setup" does not set DB_CONNECTION_LIMIT`)}},
		{rule: "CONV-SQL-009", name: "a limit of no limit", resources: stack(setupJob(m, set(limit, fixture{"name": "DB_CONNECTION_LIMIT", "value": "-1"}))),
			want: []outcome{mandatory(job.URN, `DB_CONNECTION_LIMIT of container "database-setup" is "-1", not a number from 1 to 100`)}},
		{rule: "CONV-SQL-009", name: "SQL that sets no limit", resources: stack(setupJob(m, set("spec.template.spec.containers.0.command.2",
			strings.Replace(dbsetup.Setup, "CONNECTION LIMIT :limit ", "", 1)))),
			want: []outcome{mandatory(job.URN, `the setup SQL of container "database-setup" sets no CONNECTION LIMIT on the module's role`)}},
		{rule: "CONV-SQL-009", name: "a module role with its limit", resources: stack(job)},
	}
}
