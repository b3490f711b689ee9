// Package dbsetup is the one home of the SQL that makes a module's database private: the
// setup that creates a module's role and database, and the teardown that drops an
// environment's. The same scripts run on Cloud SQL and on a local cluster's PostgreSQL, in a
// Job of the environment's platform namespace, as the server's admin; the policy pack checks
// their shape, and the database tier (tests/database) runs them on a real server.
//
// # Why SQL run by a setup job
//
// Cloud SQL's API is the wrong tool for module credentials: every user it makes is a member
// of cloudsqlsuperuser, with CREATEROLE and CREATEDB, and every database it makes belongs to
// cloudsqlsuperuser with CONNECT for PUBLIC, so any module's credentials open every
// environment's databases. On PostgreSQL 16, which Cloud SQL runs, a CREATEROLE user can only
// alter the roles it has ADMIN OPTION on, the ones it created, so the API's users cannot be
// de-privileged afterwards either. Cloud SQL IAM database authentication would spare the
// passwords, but its users still need this SQL (ownership, PUBLIC's rights) and a local
// PostgreSQL has no IAM. So the cluster stack makes one API user, the admin, and everything
// else is made by this SQL as the admin: the same statements on Cloud SQL and locally.
//
// # PostgreSQL 15 and 16
//
// The scripts are written for both (Debian bookworm, where the tests run, has 15; Cloud SQL
// runs 16). What differs is what the admin may do, not what the scripts do:
//   - 16 gives the creator of a role ADMIN OPTION on it, without SET or INHERIT
//     (createrole_self_grant is empty by default); CREATE DATABASE ... OWNER and ALTER ...
//     OWNER TO need SET on the owner. The script's GRANT <role> TO CURRENT_USER gives the
//     admin SET and INHERIT on 16 and the membership 15 asks for.
//   - 16 lets a CREATEROLE user alter or drop only roles it has ADMIN OPTION on, and change
//     CREATEDB only if it has CREATEDB itself; the admin has both for its own roles. 15 lets
//     it alter any role that is not a superuser. A role that the admin did not make (an old
//     API user) is refused by the script's mark check on both, before 16 would refuse it.
//   - On 15 and later, PUBLIC already has no CREATE on a new database's public schema; the
//     script revokes it anyway, for databases whose template says otherwise.
//
// The package has no dependency beyond the standard library, so that the policy pack can
// import it without the Pulumi providers.
package dbsetup
