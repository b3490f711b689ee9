// Package database is the database tier: the SQL the platform runs to set up and tear down
// its modules' databases (components/dbsetup), run exactly as the environments' jobs run it,
// on a real PostgreSQL server with Cloud SQL's role model (tests/harness). Its tests show that
// a module's credentials open its own database and nothing else, in every environment of a
// shared server.
package database
