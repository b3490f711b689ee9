// Package dbsetup is the one home of the SQL that makes a module's database private: the
// setup that creates a module's role and database, and the teardown that drops an
// environment's. The same scripts run on Cloud SQL and on a local cluster's PostgreSQL, in a
// Job of the environment's platform namespace, as the server's admin user; the policy pack
// checks their shape, and the database tier runs them on a real server.
//
// The package has no dependency beyond the standard library, so that the policy pack can
// import it without the Pulumi providers.
package dbsetup
