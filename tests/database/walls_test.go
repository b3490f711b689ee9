package database

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/tests/harness"
)

// modules are the catalog's modules with a database, by space.
var modules = []struct{ space, module string }{
	{"sales", "quotes"}, {"sales", "policies"}, {"claims", "claims"}, {"claims", "payments"},
}

// insufficientPrivilege is PostgreSQL's SQLSTATE for a permission denied.
const insufficientPrivilege = "42501"

// TestModuleCredentialsOpenTheirOwnDatabaseOnly runs the setup jobs of dev and pr-123, as
// their programs declare them, on one server with Cloud SQL's role model, as the two share
// cluster-nonprod's instance, after cluster-nonprod's own jobs made their admins. Then every
// module's credentials are tried against every database of both environments, and against
// what only an admin may do.
func TestModuleCredentialsOpenTheirOwnDatabaseOnly(t *testing.T) {
	pg := harness.PostgresForTest(t)
	ctx := t.Context()
	dev, pr := devBesidePR123(ctx, t, pg)
	var all []credentials
	for _, e := range []environment{dev, pr} {
		for _, m := range modules {
			all = append(all, e.credentials(t, m.space, m.module))
		}
	}

	t.Run("a module works in its own database", func(t *testing.T) {
		for _, c := range all {
			conn := connect(ctx, t, pg, c, c.database)
			for _, stmt := range []string{"CREATE TABLE migrated (id int PRIMARY KEY, note text)", "CREATE INDEX ON migrated (note)"} {
				if _, err := conn.Exec(ctx, stmt); err != nil {
					t.Errorf("%s/%s cannot migrate its own database: %s: %v", c.env, c.module, stmt, err)
				}
			}
			if _, err := conn.Exec(ctx, "INSERT INTO migrated VALUES (1, $1)", c.env); err != nil {
				t.Errorf("%s/%s cannot write its own table: %v", c.env, c.module, err)
			}
			var note string
			if err := conn.QueryRow(ctx, "SELECT note FROM migrated WHERE id = 1").Scan(&note); err != nil || note != c.env {
				t.Errorf("%s/%s reads %q, %v from its own table", c.env, c.module, note, err)
			}
			conn.Close(ctx)
		}
	})

	t.Run("a module cannot connect to any other database", func(t *testing.T) {
		for _, c := range all {
			for _, other := range all {
				if other.database == c.database {
					continue
				}
				conn, err := pg.Connect(ctx, c.user, c.password, other.database)
				if err == nil {
					conn.Close(ctx)
					t.Errorf("%s/%s connects to %s", c.env, c.module, other.database)
					continue
				}
				if code := sqlState(err); code != insufficientPrivilege {
					t.Errorf("%s/%s connecting to %s: %v (SQLSTATE %s), want a permission denied", c.env, c.module, other.database, err, code)
				}
			}
		}
	})

	t.Run("a module cannot create roles or databases", func(t *testing.T) {
		for _, c := range all {
			conn := connect(ctx, t, pg, c, c.database)
			for _, stmt := range []string{
				"CREATE ROLE intruder LOGIN PASSWORD 'x'",
				"CREATE DATABASE intruder",
				"GRANT " + harness.CloudSQLSuperuserRole + " TO CURRENT_USER",
				"SET ROLE " + harness.CloudSQLSuperuserRole,
				"ALTER ROLE CURRENT_USER CREATEDB",
			} {
				if _, err := conn.Exec(ctx, stmt); sqlState(err) != insufficientPrivilege {
					t.Errorf("%s/%s: %s: %v, want a permission denied", c.env, c.module, stmt, err)
				}
			}
			var createRole, createDB, member bool
			if err := conn.QueryRow(ctx, `SELECT rolcreaterole, rolcreatedb, pg_has_role(current_user, $1, 'MEMBER')
				FROM pg_roles WHERE rolname = current_user`, harness.CloudSQLSuperuserRole).Scan(&createRole, &createDB, &member); err != nil {
				t.Fatal(err)
			}
			if createRole || createDB || member {
				t.Errorf("%s/%s: CREATEROLE %v, CREATEDB %v, member of cloudsqlsuperuser %v", c.env, c.module, createRole, createDB, member)
			}
			conn.Close(ctx)
		}
	})

	t.Run("each database is its module's, and PUBLIC has nothing on it", func(t *testing.T) {
		admin := superuser(ctx, t, pg, "postgres")
		defer admin.Close(ctx)
		for _, c := range all {
			var owner string
			var publicConnect bool
			if err := admin.QueryRow(ctx, `SELECT pg_get_userbyid(datdba),
				EXISTS (SELECT FROM aclexplode(COALESCE(datacl, acldefault('d', datdba))) WHERE grantee = 0)
				FROM pg_database WHERE datname = $1`, c.database).Scan(&owner, &publicConnect); err != nil {
				t.Fatal(err)
			}
			if owner != c.user || publicConnect {
				t.Errorf("database %s: owner %s, PUBLIC has rights %v; want %s and none", c.database, owner, publicConnect, c.user)
			}
			conn := superuser(ctx, t, pg, c.database)
			var schemaOwner string
			var publicCreate bool
			if err := conn.QueryRow(ctx, `SELECT pg_get_userbyid(nspowner), has_schema_privilege('public', 'public', 'CREATE')
				FROM pg_namespace WHERE nspname = 'public'`).Scan(&schemaOwner, &publicCreate); err != nil {
				t.Fatal(err)
			}
			if schemaOwner != c.user || publicCreate {
				t.Errorf("schema public of %s: owner %s, PUBLIC may create %v; want %s and no", c.database, schemaOwner, publicCreate, c.user)
			}
			conn.Close(ctx)
		}
	})

	t.Run("a second run changes nothing", func(t *testing.T) {
		before := snapshot(ctx, t, pg)
		for _, e := range []environment{dev, pr} {
			e.runAll(ctx, t, pg, naming.DatabaseSetupComponent)
		}
		if after := snapshot(ctx, t, pg); !reflect.DeepEqual(before, after) {
			t.Errorf("the second run changed the server:\nbefore %v\nafter  %v", before, after)
		}
	})

	t.Run("no module password reaches the server's log", func(t *testing.T) {
		log, err := pg.Log()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(log, "ALTER ROLE") {
			t.Fatalf("the server log does not show the setup's statements; the check would prove nothing")
		}
		for _, c := range all {
			if strings.Contains(log, c.password) {
				t.Errorf("the password of %s/%s is in the server's log", c.env, c.module)
			}
		}
	})

	t.Run("tearing down pr-123 drops its databases and roles and nothing of dev", func(t *testing.T) {
		// A session of pr-123 still open, as a running pod's would be.
		held := connect(ctx, t, pg, all[len(all)-1], all[len(all)-1].database)
		defer held.Close(ctx)
		teardown := evaluate(t, "pr-123", true)
		teardown.runAll(ctx, t, pg, naming.DatabaseTeardownComponent)
		admin := superuser(ctx, t, pg, "postgres")
		defer admin.Close(ctx)
		for _, c := range all {
			var databases, roles int
			if err := admin.QueryRow(ctx, `SELECT (SELECT count(*) FROM pg_database WHERE datname = $1),
				(SELECT count(*) FROM pg_roles WHERE rolname = $2)`, c.database, c.user).Scan(&databases, &roles); err != nil {
				t.Fatal(err)
			}
			if c.env == "pr-123" {
				if databases != 0 || roles != 0 {
					t.Errorf("after the teardown, %s/%s still has %d database and %d role", c.env, c.module, databases, roles)
				}
				continue
			}
			if databases != 1 || roles != 1 {
				t.Errorf("the teardown of pr-123 took %s/%s's database or role", c.env, c.module)
				continue
			}
			conn := connect(ctx, t, pg, c, c.database)
			var note string
			if err := conn.QueryRow(ctx, "SELECT note FROM migrated WHERE id = 1").Scan(&note); err != nil || note != c.env {
				t.Errorf("%s/%s lost its data in pr-123's teardown: %q, %v", c.env, c.module, note, err)
			}
			conn.Close(ctx)
		}
		// Run again (a retried destroy): nothing left to drop, nothing fails.
		teardown.runAll(ctx, t, pg, naming.DatabaseTeardownComponent)
	})
}

// TestSetupNeverTakesOverAnotherRole: a role that has a module's name but is not marked as
// the environment's (a user made through Cloud SQL's API by an earlier version, with
// cloudsqlsuperuser membership) makes the setup fail, rather than be handed to the module.
func TestSetupNeverTakesOverAnotherRole(t *testing.T) {
	pg := harness.PostgresForTest(t)
	ctx := t.Context()
	evaluate(t, naming.NonprodCluster, false).setUpServer(ctx, t, pg, naming.SQLInstance("nonprod"))
	pr := evaluate(t, "pr-7", false)
	admin := superuser(ctx, t, pg, "postgres")
	defer admin.Close(ctx)
	apiUser := naming.DatabaseUser("pr-7", "quotes")
	if _, err := admin.Exec(ctx, fmt.Sprintf("CREATE ROLE %s LOGIN CREATEROLE CREATEDB IN ROLE %s", apiUser, harness.CloudSQLSuperuserRole)); err != nil {
		t.Fatal(err)
	}
	for _, job := range pr.jobs(t, naming.DatabaseSetupComponent) {
		out, err := pr.run(ctx, t, pg, job)
		if job.Name != naming.PlatformNamespace("pr-7")+"/"+naming.DatabaseSetupJob("quotes") {
			if err != nil {
				t.Errorf("%s failed: %v\n%s", job.Name, err, out)
			}
			continue
		}
		if err == nil || !strings.Contains(out, "refusing to take it over") {
			t.Errorf("the setup of quotes took over a role it did not make: %v\n%s", err, out)
		}
	}
	var createRole bool
	if err := admin.QueryRow(ctx, "SELECT rolcreaterole FROM pg_roles WHERE rolname = $1", apiUser).Scan(&createRole); err != nil || !createRole {
		t.Errorf("the refused role was changed anyway (CREATEROLE %v, %v)", createRole, err)
	}
}

func connect(ctx context.Context, t *testing.T, pg *harness.Postgres, c credentials, db string) *pgx.Conn {
	t.Helper()
	conn, err := pg.Connect(ctx, c.user, c.password, db)
	if err != nil {
		t.Fatalf("%s/%s cannot connect to %s: %v", c.env, c.module, db, err)
	}
	return conn
}

func superuser(ctx context.Context, t *testing.T, pg *harness.Postgres, db string) *pgx.Conn {
	t.Helper()
	conn, err := pg.Superuser(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	return conn
}

func sqlState(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}

// snapshot is everything the setup decides, as the server has it: the roles with their
// attributes, password verifiers, comments and memberships; the databases with their owners
// and rights, and their public schemas'.
func snapshot(ctx context.Context, t *testing.T, pg *harness.Postgres) []string {
	t.Helper()
	admin := superuser(ctx, t, pg, "postgres")
	defer admin.Close(ctx)
	var out []string
	add := func(query string) []string {
		rows, err := admin.Query(ctx, query)
		if err != nil {
			t.Fatal(err)
		}
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, lines...)
		return lines
	}
	add(`SELECT format('role %s super=%s createrole=%s createdb=%s login=%s inherit=%s password=%s comment=%s',
		a.rolname, a.rolsuper, a.rolcreaterole, a.rolcreatedb, a.rolcanlogin, a.rolinherit, a.rolpassword,
		shobj_description(a.oid, 'pg_authid')) FROM pg_authid a ORDER BY 1`)
	add(`SELECT format('member %s of %s admin=%s grantor=%s', pg_get_userbyid(member), pg_get_userbyid(roleid),
		admin_option, pg_get_userbyid(grantor)) FROM pg_auth_members ORDER BY 1`)
	databases := add(`SELECT datname FROM pg_database WHERE datname LIKE '%\_%' ESCAPE '\' ORDER BY 1`)
	add(`SELECT format('database %s owner=%s acl=%s', datname, pg_get_userbyid(datdba), datacl) FROM pg_database ORDER BY 1`)
	for _, db := range databases {
		conn := superuser(ctx, t, pg, db)
		var line string
		if err := conn.QueryRow(ctx, `SELECT format('%s.public owner=%s acl=%s', current_database(), pg_get_userbyid(nspowner), nspacl)
			FROM pg_namespace WHERE nspname = 'public'`).Scan(&line); err != nil {
			t.Fatal(err)
		}
		out = append(out, line)
		conn.Close(ctx)
	}
	return out
}
