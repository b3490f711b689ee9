package harness

import (
	"strings"
	"testing"
)

// TestPostgres starts a server, gives it Cloud SQL's role model, and checks what the database
// tier relies on: the admin logs in over TLS with its password, is no superuser but has
// CREATEROLE and CREATEDB and is a member of cloudsqlsuperuser, a wrong password is refused,
// and statements reach the server's log.
func TestPostgres(t *testing.T) {
	pg := PostgresForTest(t)
	ctx := t.Context()
	if pg.Major < 15 {
		t.Fatalf("PostgreSQL %d: the platform's SQL needs 15 or later", pg.Major)
	}
	if err := pg.CloudSQLRoleModel(ctx, "conveyor_admin", "s3cret-admin"); err != nil {
		t.Fatal(err)
	}
	conn, err := pg.Connect(ctx, "conveyor_admin", "s3cret-admin", "postgres")
	if err != nil {
		t.Fatalf("the admin cannot log in: %v", err)
	}
	defer conn.Close(ctx)
	var super, createRole, createDB, member, ssl bool
	if err := conn.QueryRow(ctx, `SELECT rolsuper, rolcreaterole, rolcreatedb,
		pg_has_role(current_user, 'cloudsqlsuperuser', 'MEMBER'),
		(SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid())
		FROM pg_roles WHERE rolname = current_user`).Scan(&super, &createRole, &createDB, &member, &ssl); err != nil {
		t.Fatal(err)
	}
	if super || !createRole || !createDB || !member {
		t.Errorf("admin: superuser %v, createrole %v, createdb %v, cloudsqlsuperuser member %v; want false, true, true, true",
			super, createRole, createDB, member)
	}
	if !ssl {
		t.Errorf("the admin's connection is not encrypted")
	}
	if c, err := pg.Connect(ctx, "conveyor_admin", "wrong", "postgres"); err == nil {
		c.Close(ctx)
		t.Errorf("a wrong password was accepted")
	}
	if _, err := conn.Exec(ctx, "SELECT 'marker-statement'"); err != nil {
		t.Fatal(err)
	}
	log, err := pg.Log()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log, "marker-statement") {
		t.Errorf("the server log does not record statements")
	}
}

// A machine without the binaries fails with a message that says what to do; it never skips.
func TestPostgresWithoutBinariesSaysWhatToInstall(t *testing.T) {
	t.Setenv("CONVEYOR_POSTGRES_BIN", t.TempDir())
	_, err := StartPostgres(t.Context(), PostgresOptions{TB: t})
	if err == nil || !strings.Contains(err.Error(), ".ci/install-postgres") {
		t.Fatalf("err = %v, want one that names .ci/install-postgres", err)
	}
}
