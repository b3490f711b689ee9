package dbsetup

// The variables the scripts read. Connection settings are libpq's own (PGHOST, PGPORT, PGUSER,
// PGPASSWORD, PGSSLMODE); these say what to set up.
const (
	// EnvDatabase is the module's database.
	EnvDatabase = "DB_NAME"
	// EnvUser is the module's role, which owns the database.
	EnvUser = "DB_USER"
	// EnvVerifier is the role's SCRAM-SHA-256 verifier (see Verifier): the setup never sees
	// the module's password itself.
	EnvVerifier = "DB_PASSWORD_VERIFIER"
	// EnvMarker is the comment that marks a role as its environment's
	// (naming.DatabaseRoleComment); teardown drops exactly the roles that carry it.
	EnvMarker = "DB_MARKER"
	// EnvConnectionLimit is the most connections the module's role may hold at once.
	EnvConnectionLimit = "DB_CONNECTION_LIMIT"

	// EnvAdmin is the scope's admin role that Admin makes.
	EnvAdmin = "ADMIN_USER"
	// EnvAdminVerifier is the admin's SCRAM-SHA-256 verifier.
	EnvAdminVerifier = "ADMIN_PASSWORD_VERIFIER"
	// EnvAdminMarker marks the role as the platform's admin of its scope (AdminComment).
	EnvAdminMarker = "ADMIN_MARKER"
)

// AdminConnectionLimit bounds a scope admin's sessions: its jobs run one at a time per
// module, and an admin must not starve the instance's other scopes.
const AdminConnectionLimit = "10"

// AdminComment marks a role as the database admin of a scope (COMMENT ON ROLE): Admin never
// takes over a role that does not carry it.
func AdminComment(scope string) string { return "conveyor:admin=" + scope }

// waitForServer gives the server three minutes to answer: a local PostgreSQL may still be
// starting when the first setup job runs.
const waitForServer = `set -eu
i=0
until pg_isready -q; do
  i=$((i+1))
  [ "$i" -lt 90 ] || { echo "the database server $PGHOST does not answer" >&2; exit 1; }
  sleep 2
done
`

// Setup creates a module's role and database, and makes them private. It is idempotent: a
// second run finds everything as the first left it and changes nothing.
//
// Why each statement is there:
//   - The role is created by SQL, not through Cloud SQL's API: an API user is a member of
//     cloudsqlsuperuser, with CREATEROLE and CREATEDB. Created here it is a member of nothing.
//   - A role of that name that is not marked as this environment's is never taken over.
//   - ALTER ROLE states the role's rights every run: it logs in, creates neither roles nor
//     databases, and holds at most DB_CONNECTION_LIMIT sessions, so one module cannot take
//     every connection of a shared instance. The password is a SCRAM verifier, so the
//     plaintext never reaches the server or its log.
//   - The admin is its scope's (Admin), not the instance's root. On PostgreSQL 16 its
//     creating the role gave it ADMIN OPTION on it, which is what lets it alter, comment on
//     and drop the role; the admin of another scope has none, and is refused all three.
//   - The admin grants itself the role: PostgreSQL 16 lets a CREATEROLE user create a
//     database owned by another role only when it may SET ROLE to it, which ADMIN OPTION
//     alone does not give. The grant is what lets the admin run this setup again and run the
//     teardown; it gives the module nothing.
//   - A seeded module's database (DB_TEMPLATE, set for ad-hoc environments only) is a copy of
//     its masked template (Seed), when that exists, else empty. The copy's contents belong
//     to the seed owner (DB_TEMPLATE_OWNER), which the ad-hoc admin inherits: its schemas
//     first (a new owner of a table needs CREATE on its schema), then REASSIGN OWNED hand
//     them to the module's role, which then migrates them. The seed owner owns no
//     database, so nothing else moves. A database that exists is never copied again.
//   - The database is owned by the module's role, so the module can migrate it.
//   - PUBLIC loses CONNECT and TEMPORARY on the database, and every right on its public
//     schema: by default every role may connect to every database and, before 15, create
//     objects in public.
const Setup = waitForServer + `psql -X -q -v ON_ERROR_STOP=1 --dbname=postgres \
  -v db="$DB_NAME" -v user="$DB_USER" -v verifier="$DB_PASSWORD_VERIFIER" -v marker="$DB_MARKER" \
  -v limit="$DB_CONNECTION_LIMIT" -v template="${DB_TEMPLATE:-}" -v towner="${DB_TEMPLATE_OWNER:-}" <<'SQL'
SELECT format('DO $$BEGIN RAISE EXCEPTION %L; END$$',
    format('role %s exists and is not marked "%s": refusing to take it over', r.rolname, :'marker'))
  FROM pg_roles r
  LEFT JOIN pg_shdescription c ON c.objoid = r.oid AND c.classoid = 'pg_authid'::regclass
 WHERE r.rolname = :'user' AND c.description IS DISTINCT FROM :'marker'
   AND NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db' AND datdba = r.oid) \gexec
SELECT format('CREATE ROLE %I', :'user') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'user') \gexec
ALTER ROLE :"user" WITH LOGIN NOCREATEDB NOCREATEROLE CONNECTION LIMIT :limit PASSWORD :'verifier';
COMMENT ON ROLE :"user" IS :'marker';
GRANT :"user" TO CURRENT_USER;
SELECT NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') AS fresh,
       EXISTS (SELECT FROM pg_database WHERE datname = :'template' AND datistemplate) AS seeded \gset
SELECT format('CREATE DATABASE %I TEMPLATE %I OWNER %I', :'db', :'template', :'user') WHERE :'fresh' AND :'seeded' \gexec
SELECT format('DO $$BEGIN RAISE WARNING %L; END$$',
    format('the template %s of %s does not exist yet (main''s seeding job makes it): the database starts empty', :'template', :'db'))
 WHERE :'fresh' AND NOT :'seeded' AND :'template' <> '' \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'user') WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') \gexec
ALTER DATABASE :"db" OWNER TO :"user";
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
\connect :"db"
SELECT format('ALTER SCHEMA %I OWNER TO %I', nspname, :'user') FROM pg_namespace
 WHERE :'towner' <> '' AND nspowner = (SELECT oid FROM pg_roles WHERE rolname = :'towner') ORDER BY nspname \gexec
SELECT format('REASSIGN OWNED BY %I TO %I', :'towner', :'user')
 WHERE :'towner' <> '' AND EXISTS (SELECT FROM pg_roles WHERE rolname = :'towner') \gexec
REVOKE ALL ON SCHEMA public FROM PUBLIC;
ALTER SCHEMA public OWNER TO :"user";
SQL
`

// Teardown drops every database owned by a role marked as the environment's, then those roles.
// It finds them by the mark, not by name, so it drops what an earlier catalog set up too, and
// nothing of another environment. DROP DATABASE ... WITH (FORCE) ends the module's sessions,
// and drops whatever its migrations created, so the role owns nothing left when it is dropped.
const Teardown = waitForServer + `psql -X -q -v ON_ERROR_STOP=1 --dbname=postgres -v marker="$DB_MARKER" <<'SQL'
SELECT format('DROP DATABASE %I WITH (FORCE)', d.datname)
  FROM pg_database d
  JOIN pg_shdescription c ON c.objoid = d.datdba AND c.classoid = 'pg_authid'::regclass
 WHERE c.description = :'marker'
 ORDER BY d.datname \gexec
SELECT format('DROP ROLE %I', r.rolname)
  FROM pg_roles r
  JOIN pg_shdescription c ON c.objoid = r.oid AND c.classoid = 'pg_authid'::regclass
 WHERE c.description = :'marker'
 ORDER BY r.rolname \gexec
SQL
`

// Admin makes a scope's database admin, as the instance's root (the Cloud SQL API user), in the
// cluster stack's own job: pull requests cannot run it, and no environment holds the root's
// password. It is idempotent, like Setup.
//
// Why each statement is there:
//   - The role is made by SQL, so it is a member of nothing: not of cloudsqlsuperuser, as a
//     user made through Cloud SQL's API would be. It has CREATEROLE and CREATEDB, which is
//     what Setup needs, and on PostgreSQL 16 CREATEROLE reaches only the roles it makes.
//   - A role of that name that is not marked as the scope's admin is never taken over.
//   - The password is a SCRAM verifier: the plaintext never reaches the server or its log.
const Admin = waitForServer + `psql -X -q -v ON_ERROR_STOP=1 --dbname=postgres \
  -v admin="$ADMIN_USER" -v verifier="$ADMIN_PASSWORD_VERIFIER" -v marker="$ADMIN_MARKER" <<'SQL'
SELECT format('DO $$BEGIN RAISE EXCEPTION %L; END$$',
    format('role %s exists and is not marked "%s": refusing to take it over', r.rolname, :'marker'))
  FROM pg_roles r
  LEFT JOIN pg_shdescription c ON c.objoid = r.oid AND c.classoid = 'pg_authid'::regclass
 WHERE r.rolname = :'admin' AND c.description IS DISTINCT FROM :'marker' \gexec
SELECT format('CREATE ROLE %I', :'admin') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'admin') \gexec
ALTER ROLE :"admin" WITH LOGIN CREATEROLE CREATEDB CONNECTION LIMIT ` + AdminConnectionLimit + ` PASSWORD :'verifier';
COMMENT ON ROLE :"admin" IS :'marker';
SQL
`
