package rules

import (
	"regexp"
	"slices"
	"strconv"

	"github.com/conveyor-paas/conveyor/components/dbsetup"
	"github.com/conveyor-paas/conveyor/naming"
)

// maxModuleConnections is the highest connection limit a module's role may have: the smallest
// Cloud SQL tier the platform uses allows 100 connections in all, shared by every environment
// on the instance.
const maxModuleConnections = 100

// The tier rules keep an environment's database jobs to its own tier's admin, and each module's
// role to a share of the instance's connections.
func databaseTierRules() []Rule {
	return []Rule{
		{
			ID: "CONV-SQL-008", Severity: SeverityCritical, Types: []string{TypeJob},
			Description: "An environment's database jobs connect as the admin of its own scope (naming.DatabaseAdminScope): " +
				"prod, dev and staging their own, every ad-hoc environment the ad-hoc tier's; never as the instance's root " +
				"or another scope's admin, whose password the environment would then hold.",
			Remediation: "Connect the job as naming.DatabaseAdmin(naming.DatabaseAdminScope(env)) with the password the cluster " +
				"stack hands the scope (components.NewPlatform does).",
			Check: checkJobAdmin,
		},
		{
			ID: "CONV-SQL-009", Severity: SeverityHigh, Types: []string{TypeJob},
			Description: "Every module's role has a connection limit (CONNECTION LIMIT, 1 to 100), so that one module " +
				"cannot take every connection of an instance that environments share.",
			Remediation: "Run components/dbsetup.Setup, which sets CONNECTION LIMIT from DB_CONNECTION_LIMIT, and give the " +
				"job DB_CONNECTION_LIMIT (components.Module does).",
			Check: checkConnectionLimit,
		},
	}
}

// databaseJobs are the components of an environment's jobs that connect as its admin.
var databaseJobs = []string{naming.DatabaseSetupComponent, naming.DatabaseTeardownComponent}

func checkJobAdmin(r Resource) []Finding {
	if kind, err := naming.ClassifyStack(r.Environment); err != nil || kind == naming.StackCluster || kind == naming.StackLocal {
		return nil // the cluster's own jobs connect as the root; a local server has no tiers
	}
	scope, _, pending := scopeOf(r)
	if pending != nil {
		return []Finding{undecided(*pending)}
	}
	if !slices.Contains(databaseJobs, scope.Component) {
		return nil
	}
	want := naming.DatabaseAdmin(naming.DatabaseAdminScope(r.Environment))
	return forContainers(r, func(_ pod, c container) []Finding {
		if isSQLProxy(c) {
			return nil // the proxy connects as the pod's workload identity, not as a role
		}
		user, found := variable(c, "PGUSER")
		switch {
		case user.unknown():
			return []Finding{undecided(user)}
		case !found:
			return []Finding{violationf("%s sets no PGUSER: it must connect as %q", c.label, want)}
		case user.str() != want:
			return []Finding{violationf("%s connects as %s, not as %q, the admin of environment %s's scope", c.label, user.show(), want, r.Environment)}
		}
		return nil
	})
}

// connectionLimitClause is what the setup SQL must say of the module's role.
var connectionLimitClause = regexp.MustCompile(`(?i)\bCONNECTION\s+LIMIT\b`)

func checkConnectionLimit(r Resource) []Finding {
	scope, _, pending := scopeOf(r)
	if pending != nil {
		return []Finding{undecided(*pending)}
	}
	if scope.Component != naming.DatabaseSetupComponent {
		return nil
	}
	return forContainers(r, func(_ pod, c container) []Finding {
		if isSQLProxy(c) {
			return nil // the proxy beside the setup runs no SQL
		}
		var out []Finding
		for _, part := range c.key("command").items() {
			if part.unknown() {
				return []Finding{undecided(part)}
			}
		}
		if !slices.ContainsFunc(c.key("command").items(), func(part value) bool { return connectionLimitClause.MatchString(part.str()) }) {
			out = append(out, violationf("the setup SQL of %s sets no CONNECTION LIMIT on the module's role", c.label))
		}
		limit, found := variable(c, dbsetup.EnvConnectionLimit)
		if limit.unknown() {
			return append(out, undecided(limit))
		}
		n, err := strconv.Atoi(limit.str())
		switch {
		case !found:
			out = append(out, violationf("%s does not set %s", c.label, dbsetup.EnvConnectionLimit))
		case err != nil || n < 1 || n > maxModuleConnections:
			out = append(out, violationf("%s of %s is %s, not a number from 1 to %d", dbsetup.EnvConnectionLimit, c.label, limit.show(), maxModuleConnections))
		}
		return out
	})
}

// variable is the plain value of a container's environment variable, and whether it is set.
func variable(c container, name string) (value, bool) {
	for _, e := range c.key("env").items() {
		n := e.key("name")
		if n.unknown() {
			return n, true
		}
		if n.str() == name {
			return e.key("value"), true
		}
	}
	return value{}, false
}
