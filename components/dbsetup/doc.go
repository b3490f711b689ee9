// Package dbsetup is the one home of the SQL that makes the platform's databases private: the
// admin that each scope of environments connects as (Admin), the setup that creates a module's
// role and database (Setup), the teardown that drops an environment's (Teardown), and the
// seeding that keeps a module's masked template for ad-hoc environments (Seed). Admin
// runs in the cluster stack's own job as the instance's root; Setup and Teardown run on Cloud
// SQL and on a local cluster's PostgreSQL alike, in a Job of the environment's platform
// namespace, as the environment's admin. The policy pack checks their shape, and the database
// tier (tests/database) runs them on a real PostgreSQL 16 server.
//
// # Why SQL run by jobs
//
// Cloud SQL's API is the wrong tool for credentials: every user it makes is a member of
// cloudsqlsuperuser, with CREATEROLE and CREATEDB, and every database it makes belongs to
// cloudsqlsuperuser with CONNECT for PUBLIC, so any module's credentials would open every
// environment's databases. Cloud SQL IAM database authentication would spare the passwords,
// but its users still need this SQL (ownership, PUBLIC's rights) and a local PostgreSQL has no
// IAM. So the cluster stack makes one API user per instance, its root, and everything else is
// made by SQL: the scopes' admins by the root, module roles by their scope's admin.
//
// # Why PostgreSQL 16
//
// The wall between the tiers rests on 16's CREATEROLE rules. A CREATEROLE role may alter,
// comment on, grant or drop only the roles it holds ADMIN OPTION on, and 16 gives that to the
// creator of a role (without SET or INHERIT: createrole_self_grant is empty by default). So the
// ad-hoc tier's admin, which every pull request's environment holds, reaches the roles it made
// and no role of dev, staging or prod; and the root, which made the admins, holds ADMIN OPTION
// on them but on no module role. 15 lets a CREATEROLE role alter any role that is not a
// superuser, which is why the database tier refuses to run on it. Also:
//   - CREATE DATABASE ... OWNER and ALTER ... OWNER TO need SET on the owner: Setup's GRANT
//     <role> TO CURRENT_USER gives the admin SET and INHERIT on its own role.
//   - A CREATEROLE role gives CREATEDB only if it has CREATEDB itself.
//   - A role that the admin did not make (an API user, another scope's role) is refused by the
//     scripts' mark check before 16 would refuse it.
//   - PUBLIC has no CREATE on a new database's public schema since 15; Setup revokes it anyway,
//     for databases whose template says otherwise.
//
// The package has no dependency beyond the standard library, so that the policy pack can
// import it without the Pulumi providers.
package dbsetup
