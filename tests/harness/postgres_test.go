package harness

import (
	"os"
	"path/filepath"
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
	if pg.Major < MinPostgresMajor {
		t.Fatalf("PostgreSQL %d: the database tier needs %d or later", pg.Major, MinPostgresMajor)
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

// A server older than 16 is refused, by name, rather than run: the walls rest on 16's
// CREATEROLE rules. The "server" is a test double that only answers --version.
func TestPostgresRefusesAServerOlderThan16(t *testing.T) {
	for _, tc := range []struct {
		version string
		refused bool
	}{
		{"postgres (PostgreSQL) 15.10 (Debian 15.10-0+deb12u1)", true},
		{"postgres (PostgreSQL) 16.14", false},
	} {
		dir := fakePostgresBin(t, tc.version)
		_, err := postgresSearch{explicit: dir}.postgresBinaries()
		if refused := err != nil && strings.Contains(err.Error(), "PostgreSQL 15"); refused != tc.refused {
			t.Errorf("%s: err = %v, want refused %v", tc.version, err, tc.refused)
		}
	}
}

// fakePostgresBin is a bin directory of test doubles: postgres prints version, and initdb,
// psql and pg_isready exist.
func fakePostgresBin(t *testing.T, version string) string {
	t.Helper()
	dir := t.TempDir()
	for name, script := range map[string]string{
		"postgres": "#!/bin/sh\necho '" + version + "'\n", "initdb": "#!/bin/sh\n", "psql": "#!/bin/sh\n", "pg_isready": "#!/bin/sh\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
