package rules

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/conveyor-paas/conveyor/naming"
)

// The database rules keep each module's credentials to its own database. Cloud SQL's API is
// the wrong tool for module credentials: the users it makes are members of cloudsqlsuperuser
// (CREATEROLE, CREATEDB), the databases it makes belong to cloudsqlsuperuser with CONNECT for
// every role. Module roles and databases are made by the platform's setup SQL instead
// (components/dbsetup), whose shape these rules check.
func databaseRules() []Rule {
	return []Rule{
		{
			ID: "CONV-SQL-006", Severity: SeverityCritical, Types: []string{TypeSQLUser, TypeSQLDatabase},
			Description: "No module database or user is made through Cloud SQL's API; the cluster's one API user is its " +
				"admin (naming.DatabaseAdminUser).",
			Remediation: "Remove the gcp:sql Database or User: a module's role and database are made by its setup job in " +
				"the environment's platform namespace (components/dbsetup.Setup). Only the cluster stack creates a Cloud " +
				"SQL user, named naming.DatabaseAdminUser.",
			Check: checkNoAPIDatabases,
		},
		{
			ID: "CONV-SQL-007", Severity: SeverityCritical,
			Description: "Every module's database credentials come with the platform's setup job, whose SQL makes the role " +
				"log in only, own its database, and leaves PUBLIC no right on it; the job reads a verifier, never a password.",
			Remediation: "Give each module database Secret the job naming.DatabaseSetupJob(module) in " +
				"naming.PlatformNamespace(env), running components/dbsetup.Setup with DB_PASSWORD_VERIFIER from a Secret " +
				"(components.Module does).",
			CheckStack: checkDatabaseSetup,
		},
	}
}

func checkNoAPIDatabases(r Resource) []Finding {
	name := physicalName(r)
	if name.unknown() {
		return []Finding{undecided(name)}
	}
	if _, cluster := naming.ClusterOfStack(r.Environment); cluster && r.Type == TypeSQLUser {
		if name.str() == naming.DatabaseAdminUser {
			return nil
		}
		return []Finding{violationf("Cloud SQL user %s is not the cluster's admin %q: a user made through the API is a member of cloudsqlsuperuser",
			name.show(), naming.DatabaseAdminUser)}
	}
	what := map[string]string{
		TypeSQLUser:     "user, a member of cloudsqlsuperuser with CREATEROLE and CREATEDB",
		TypeSQLDatabase: "database, owned by cloudsqlsuperuser with CONNECT for every role",
	}[r.Type]
	return []Finding{violationf("%s is made through Cloud SQL's API: an API %s", name.show(), what)}
}

// setupRequired are the clauses of a setup script that keep a module's role to its database;
// setupForbidden are clauses that would give the role more, or open the database.
var (
	setupRequired = []struct {
		pattern *regexp.Regexp
		what    string
	}{
		{regexp.MustCompile(`(?i)\bNOCREATEDB\b`), "NOCREATEDB"},
		{regexp.MustCompile(`(?i)\bNOCREATEROLE\b`), "NOCREATEROLE"},
		{regexp.MustCompile(`(?i)\bALTER\s+DATABASE\s+\S+\s+OWNER\s+TO\b`), "ALTER DATABASE ... OWNER TO (the module's role)"},
		{regexp.MustCompile(`(?i)\bREVOKE\s+ALL\s+ON\s+DATABASE\s+\S+\s+FROM\s+PUBLIC\b`), "REVOKE ALL ON DATABASE ... FROM PUBLIC"},
		{regexp.MustCompile(`(?i)\bREVOKE\s+ALL\s+ON\s+SCHEMA\s+public\s+FROM\s+PUBLIC\b`), "REVOKE ALL ON SCHEMA public FROM PUBLIC"},
	}
	setupForbidden = []struct {
		pattern *regexp.Regexp
		what    string
	}{
		{regexp.MustCompile(`(?i)(^|[^a-z])(CREATEDB|CREATEROLE|SUPERUSER|REPLICATION|BYPASSRLS)\b`), "a role attribute beyond LOGIN"},
		{regexp.MustCompile(`(?i)\bcloudsqlsuperuser\b`), "cloudsqlsuperuser"},
		{regexp.MustCompile(`(?i)\bTO\s+PUBLIC\b`), "a grant to PUBLIC"},
	}
)

func checkDatabaseSetup(s Stack) []Finding {
	idx := indexObjects(s)
	var out []Finding
	for _, secret := range idx.of(TypeSecret).all {
		scope, _, pending := scopeOf(secret.Resource)
		switch {
		case pending != nil:
			out = append(out, Finding{URN: secret.URN, Undecided: true, Message: undecided(*pending).Message})
			continue
		case scope.Module == "" || scope.Component != "" || scope.Space == naming.ReservedSpace:
			continue // not a module's database credentials
		}
		ns, job := naming.PlatformNamespace(s.Environment), naming.DatabaseSetupJob(scope.Module)
		found, waiting := idx.findIn(TypeJob, ns, func(o object) (bool, *value) {
			if o.name.unknown() {
				return false, &o.name
			}
			return o.name.str() == job, nil
		})
		switch {
		case waiting != nil:
			out = append(out, Finding{URN: secret.URN, Undecided: true, Message: undecided(*waiting).Message})
		case !found:
			out = append(out, Finding{URN: secret.URN, Message: fmt.Sprintf(
				"module %s has database credentials but no setup job %s/%s: nothing makes its role and database private", scope.Module, ns, job)})
		}
	}
	for _, j := range idx.of(TypeJob).all {
		scope, _, pending := scopeOf(j.Resource)
		if pending != nil || scope.Component != naming.DatabaseSetupComponent {
			continue
		}
		for _, f := range checkSetupJob(j) {
			f.URN = j.URN
			out = append(out, f)
		}
	}
	return out
}

// checkSetupJob checks what a database setup job runs and what it is given.
func checkSetupJob(j object) []Finding {
	p, _ := podOf(j.Resource)
	cs, pending := p.containers()
	if pending != nil {
		return []Finding{undecided(*pending)}
	}
	var out []Finding
	for _, c := range cs {
		if isSQLProxy(c) {
			continue // the proxy beside the setup runs no SQL (CONV-SQL-010 checks it)
		}
		var script []string
		for _, key := range []string{"command", "args"} {
			for _, part := range c.key(key).items() {
				if part.unknown() {
					return []Finding{undecided(part)}
				}
				script = append(script, part.str())
			}
		}
		text := strings.Join(script, " ")
		for _, r := range setupRequired {
			if !r.pattern.MatchString(text) {
				out = append(out, violationf("the setup SQL of %s lacks %s", c.label, r.what))
			}
		}
		for _, f := range setupForbidden {
			if f.pattern.MatchString(text) {
				out = append(out, violationf("the setup SQL of %s gives %s", c.label, f.what))
			}
		}
		out = append(out, checkSetupEnv(c.key("env"))...)
	}
	return out
}

// verifierVariable is the variable the setup reads the role's SCRAM verifier from.
const verifierVariable = "DB_PASSWORD_VERIFIER"

// checkSetupEnv: the verifier comes from a Secret, and no plain value is a password.
func checkSetupEnv(env value) []Finding {
	var out []Finding
	hasVerifier := false
	for _, e := range env.items() {
		name := e.key("name")
		if name.unknown() {
			return []Finding{undecided(name)}
		}
		fromSecret := e.at("valueFrom.secretKeyRef").set()
		if name.str() == verifierVariable {
			hasVerifier = true
			if !fromSecret {
				out = append(out, violationf("%s of %s is not read from a Secret", verifierVariable, e.path))
			}
		}
		if strings.Contains(strings.ToUpper(name.str()), "PASSWORD") && name.str() != "PGPASSWORD" && name.str() != verifierVariable {
			out = append(out, violationf("%s gives the setup %s: the setup needs the role's verifier, never its password", e.path, name.show()))
		}
		if name.str() == "PGPASSWORD" && !fromSecret {
			out = append(out, violationf("the admin's password (%s) is not read from a Secret", e.path))
		}
	}
	if !hasVerifier {
		out = append(out, violationf("%s does not give the setup %s", env.path, verifierVariable))
	}
	return out
}
