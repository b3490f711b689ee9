package naming

import "strings"

// MaxPostgresIdentifier is Postgres' limit on identifiers (NAMEDATALEN - 1).
const MaxPostgresIdentifier = 63

// Database is a module's database in an environment: "<env>_<module>", lowercase, with the
// environment's dashes turned into underscores so the name is a plain Postgres identifier that
// needs no quoting.
func Database(env, module string) string {
	return Fit(strings.ReplaceAll(env, "-", "_")+"_"+module, MaxPostgresIdentifier, '_')
}

// DatabaseUser is the user that owns a module's database; it has the database's name.
func DatabaseUser(env, module string) string {
	return Database(env, module)
}
