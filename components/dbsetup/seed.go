package dbsetup

import (
	"fmt"
	"slices"
	"strings"
)

// The variables the seeding job (Seed) reads, besides libpq's connection settings.
const (
	// EnvSeedSource is the long-lived environment's database the template is made from.
	EnvSeedSource = "SEED_SOURCE"
	// EnvSeedTemplate is the masked template database (naming.SeedTemplate).
	EnvSeedTemplate = "SEED_TEMPLATE"
	// EnvSeedBuild is where the next template is built (naming.SeedBuild).
	EnvSeedBuild = "SEED_BUILD"
	// EnvSeedRetired is the name the replaced template has until it is dropped
	// (naming.SeedRetired).
	EnvSeedRetired = "SEED_RETIRED"
	// EnvSeedOwner is the role that owns what is inside the template (naming.SeedOwner).
	EnvSeedOwner = "SEED_OWNER"
	// EnvSeedCopier is the ad-hoc tier's admin, which takes over the template's contents in
	// each copy it makes.
	EnvSeedCopier = "SEED_COPIER"
	// EnvSeedMasks are the masks, one "<kind> <schema>.<table>.<column>" a line (Masks).
	EnvSeedMasks = "SEED_MASKS"
)

// The variables the setup (Setup) reads for a seeded module; both are empty for any other.
const (
	// EnvTemplate is the template the module's database is created from, when it exists.
	EnvTemplate = "DB_TEMPLATE"
	// EnvTemplateOwner owns the template's contents; the setup hands them to the module's role.
	EnvTemplateOwner = "DB_TEMPLATE_OWNER"
)

// SeedOwnerComment marks the role that owns the templates' contents: the seeding job never
// takes over a role without it.
const SeedOwnerComment = "conveyor:seed-owner"

// The masks a module may ask for, by the name the manifest gives them.
const (
	// MaskNullify sets the column to NULL.
	MaskNullify = "nullify"
	// MaskHash replaces a text value with the hex SHA-256 of the value and a secret that
	// lives only in the seeding job's session: equal values stay equal (joins, uniqueness),
	// and no one can hash guesses to find a value.
	MaskHash = "hash"
	// MaskEmail replaces a text value with a unique address at example.com (RFC 2606), from
	// the same keyed hash.
	MaskEmail = "email"
)

// MaskKinds lists the masks, in the order the manifest documents them.
var MaskKinds = []string{MaskNullify, MaskHash, MaskEmail}

// Mask is one column to mask and how.
type Mask struct {
	Kind string
	// Column is "<schema>.<table>.<column>", or "<table>.<column>" in schema public.
	Column string
}

// Masks writes masks as the seeding job reads them (EnvSeedMasks), sorted, each column in full
// ("public." added), so the same masks always give the same text. A mask whose kind or
// column is not one the manifest allows is an error: the job would refuse it later, at night.
func Masks(masks []Mask) (string, error) {
	var lines []string
	for _, m := range masks {
		if !slices.Contains(MaskKinds, m.Kind) {
			return "", fmt.Errorf("mask %q of %s is none of %s", m.Kind, m.Column, strings.Join(MaskKinds, ", "))
		}
		parts := strings.Split(m.Column, ".")
		if len(parts) == 2 {
			parts = append([]string{"public"}, parts...)
		}
		if len(parts) != 3 || slices.ContainsFunc(parts, func(p string) bool { return !plainIdentifier(p) }) {
			return "", fmt.Errorf("mask column %q is not [<schema>.]<table>.<column> of lowercase SQL names", m.Column)
		}
		lines = append(lines, m.Kind+" "+strings.Join(parts, "."))
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n"), nil
}

// plainIdentifier is a lowercase SQL name that needs no quoting: what the seeding job's split
// on "." and " " can take apart unambiguously.
func plainIdentifier(s string) bool {
	if s == "" || len(s) > 63 || (s[0] >= '0' && s[0] <= '9') {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '_' {
			return false
		}
	}
	return true
}

// Seed makes a module's masked template from a long-lived environment's database, on the
// instance that environment shares with the ad-hoc tier. It runs as that environment's scope
// admin, nightly, in a CronJob of that environment's platform namespace
// (components/module_seed.go), which only main deploys; pull requests never run it. It is
// idempotent, and a run killed at any step leaves the source open and nothing an ad-hoc
// credential can read unmasked.
//
// Why each step is there:
//   - The source is copied by CREATE DATABASE ... TEMPLATE, on the server, as files: fast,
//     exact (schema, data, sequences), and needs neither a superuser nor an extension, which
//     Cloud SQL would not give. PostgreSQL copies a database only while no one else is
//     connected to it, so the source refuses connections and its module's sessions are ended
//     for the moment of the copy (about a second per 100 MB, tests/bench); its pools
//     reconnect. The shell's trap, and the next run's first statement, let connections in
//     again whatever happens.
//   - The build gets no rights for PUBLIC at once, refuses connections while it is unmasked,
//     and is given up if anyone else connected in the instant before: it never becomes a
//     template from a copy another session has seen.
//   - Everything the source's role owns in the build becomes the seed owner's (SeedOwner), a
//     role that owns no database: the ad-hoc setup can then hand a copy's contents to its
//     module's role with REASSIGN OWNED BY the seed owner, which moves nothing else. What
//     cannot be handed over (large objects, and anything not listed) fails the run.
//   - The seed owner is made by this scope's admin, which alone holds ADMIN OPTION on it. The
//     admin may SET ROLE to it but does not inherit it; the ad-hoc admin inherits it (so it
//     may reassign a copy's contents) but may not SET ROLE to it, nor alter or grant it.
//   - The masks run as the seed owner, without user triggers (they would run code as it),
//     with row security off (a row a policy hides would stay unmasked: the statement fails
//     instead); materialized views are refreshed after.
//   - ANALYZE, then VACUUM FULL of every table the admin may vacuum (the database's owner may
//     vacuum all but the shared catalogs): statistics are made again from masked values, and
//     the old versions of masked rows and statistics, which a copy of the files would carry,
//     are gone.
//   - The template refuses every connection, even its owner's (ALLOW_CONNECTIONS false), and
//     PUBLIC has no right on it: it can be copied, never opened. PostgreSQL 16 lets a role
//     with CREATEDB copy a database marked IS_TEMPLATE; any other database only its owner.
//   - The new template replaces the old one by two renames, so that a setup running at the
//     same time finds one or the other; a setup that finds none starts the module empty.
const Seed = waitForServer + `src="$SEED_SOURCE"
reopen() {
  psql -X -q --dbname=postgres -v src="$src" <<'SQL' || true
ALTER DATABASE :"src" ALLOW_CONNECTIONS true;
SQL
}
trap reopen EXIT
psql -X -q -v ON_ERROR_STOP=1 --dbname=postgres -v src="$SEED_SOURCE" -v build="$SEED_BUILD" \
  -v template="$SEED_TEMPLATE" -v retired="$SEED_RETIRED" -v owner="$SEED_OWNER" -v copier="$SEED_COPIER" \
  -v masks="$SEED_MASKS" -v marker='` + SeedOwnerComment + `' <<'SQL'
ALTER DATABASE :"src" ALLOW_CONNECTIONS true;
SELECT format('DO $$BEGIN RAISE EXCEPTION %L; END$$',
    format('the admin %s does not hold the role that owns %s: run that environment''s database setup first', current_user, :'src'))
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'src' AND pg_has_role(datdba, 'USAGE')) \gexec
SELECT format('DO $$BEGIN RAISE EXCEPTION %L; END$$',
    format('role %s exists and is not marked "%s": refusing to take it over', r.rolname, :'marker'))
  FROM pg_roles r
  LEFT JOIN pg_shdescription c ON c.objoid = r.oid AND c.classoid = 'pg_authid'::regclass
 WHERE r.rolname = :'owner' AND c.description IS DISTINCT FROM :'marker' \gexec
SELECT format('CREATE ROLE %I', :'owner') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'owner') \gexec
ALTER ROLE :"owner" WITH NOLOGIN NOCREATEDB NOCREATEROLE;
COMMENT ON ROLE :"owner" IS :'marker';
GRANT :"owner" TO CURRENT_USER WITH INHERIT FALSE, SET TRUE;
GRANT :"owner" TO :"copier" WITH INHERIT TRUE, SET FALSE;
SELECT format('DROP DATABASE %I WITH (FORCE)', :'build') WHERE EXISTS (SELECT FROM pg_database WHERE datname = :'build') \gexec
SELECT format('ALTER DATABASE %I IS_TEMPLATE false', :'retired') WHERE EXISTS (SELECT FROM pg_database WHERE datname = :'retired') \gexec
SELECT format('DROP DATABASE %I', :'retired') WHERE EXISTS (SELECT FROM pg_database WHERE datname = :'retired') \gexec
ALTER DATABASE :"src" ALLOW_CONNECTIONS false;
SELECT count(pg_terminate_backend(pid, 5000)) AS ended FROM pg_stat_activity
 WHERE datname = :'src' AND pid <> pg_backend_pid() AND pg_has_role(usesysid, 'USAGE') \gset
CREATE DATABASE :"build" TEMPLATE :"src";
ALTER DATABASE :"build" ALLOW_CONNECTIONS false;
REVOKE ALL ON DATABASE :"build" FROM PUBLIC;
ALTER DATABASE :"src" ALLOW_CONNECTIONS true;
SELECT format('DO $$BEGIN RAISE EXCEPTION %L; END$$',
    format('%s sessions opened the unmasked copy %s before its rights were revoked: refusing to mask it', count(*), :'build'))
  FROM pg_stat_activity WHERE datname = :'build' HAVING count(*) > 0 \gexec
ALTER DATABASE :"build" ALLOW_CONNECTIONS true;
GRANT CREATE, TEMPORARY ON DATABASE :"build" TO :"owner";
\connect :"build"
SELECT oid AS srcrole FROM pg_roles WHERE oid = (SELECT datdba FROM pg_database WHERE datname = :'src') \gset
SET search_path = pg_catalog;
SELECT format('GRANT CREATE ON SCHEMA %I TO %I', nspname, :'owner') FROM pg_namespace
 WHERE nspowner = :srcrole ORDER BY nspname \gexec
SELECT format('ALTER %s %s OWNER TO %I',
    CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'f' THEN 'FOREIGN TABLE'
                   WHEN 'S' THEN 'SEQUENCE' WHEN 'c' THEN 'TYPE' ELSE 'TABLE' END,
    c.oid::regclass, :'owner')
  FROM pg_class c
 WHERE c.relowner = :srcrole AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S', 'c')
   AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                   AND d.deptype IN ('a', 'i', 'e'))
 ORDER BY c.relkind = 'S', c.oid \gexec
SELECT format('ALTER TYPE %s OWNER TO %I', t.oid::regtype, :'owner')
  FROM pg_type t
 WHERE t.typowner = :srcrole AND t.typtype IN ('d', 'e', 'r') AND t.typrelid = 0
   AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
 ORDER BY t.oid \gexec
SELECT format('ALTER %s %s OWNER TO %I',
    CASE p.prokind WHEN 'p' THEN 'PROCEDURE' WHEN 'a' THEN 'AGGREGATE' ELSE 'FUNCTION' END, p.oid::regprocedure, :'owner')
  FROM pg_proc p
 WHERE p.proowner = :srcrole
   AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
 ORDER BY p.oid \gexec
SELECT format('ALTER SCHEMA %I OWNER TO %I', nspname, :'owner') FROM pg_namespace
 WHERE nspowner = :srcrole ORDER BY nspname \gexec
SELECT format('DO $$BEGIN RAISE EXCEPTION %L; END$$',
    format('the seeding hands the source''s objects to %s and cannot hand over: %s', :'owner',
           string_agg(pg_describe_object(classid, objid, objsubid), ', ' ORDER BY 1)))
  FROM pg_shdepend
 WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
   AND refclassid = 'pg_authid'::regclass AND refobjid = :srcrole AND deptype = 'o'
   AND classid <> 'pg_extension'::regclass
   AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = pg_shdepend.classid AND d.objid = pg_shdepend.objid AND d.deptype = 'e')
HAVING count(*) > 0 \gexec
RESET search_path;
SET ROLE :"owner";
SET row_security = off;
DO $$BEGIN PERFORM set_config('conveyor.seed_key', gen_random_uuid()::text || gen_random_uuid()::text, false); END$$;
CREATE TEMPORARY TABLE masks AS
  SELECT split_part(line, ' ', 1) AS kind, split_part(split_part(line, ' ', 2), '.', 1) AS nsp,
         split_part(split_part(line, ' ', 2), '.', 2) AS rel, split_part(split_part(line, ' ', 2), '.', 3) AS col
    FROM regexp_split_to_table(:'masks', '\n') AS line WHERE line <> '';
SELECT format('DO $$BEGIN RAISE EXCEPTION %L; END$$', format('no column %I.%I.%I to mask', nsp, rel, col))
  FROM masks m
 WHERE NOT EXISTS (SELECT FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                   WHERE n.nspname = m.nsp AND c.relname = m.rel AND a.attname = m.col AND NOT a.attisdropped AND a.attnum > 0)
 LIMIT 1 \gexec
SELECT format('ALTER TABLE %I.%I DISABLE TRIGGER USER', nsp, rel) FROM masks GROUP BY nsp, rel ORDER BY nsp, rel \gexec
SELECT format('UPDATE %I.%I SET %s', nsp, rel, string_agg(format('%I = %s', col,
    CASE kind
      WHEN '` + MaskNullify + `' THEN 'NULL'
      WHEN '` + MaskHash + `' THEN format('encode(sha256(convert_to(current_setting(''conveyor.seed_key'') || %I::text, ''UTF8'')), ''hex'')', col)
      WHEN '` + MaskEmail + `' THEN format('''user-'' || left(encode(sha256(convert_to(current_setting(''conveyor.seed_key'') || %I::text, ''UTF8'')), ''hex''), 16) || ''@example.com''', col)
    END), ', ' ORDER BY col))
  FROM masks GROUP BY nsp, rel ORDER BY nsp, rel \gexec
SELECT format('ALTER TABLE %I.%I ENABLE TRIGGER USER', nsp, rel) FROM masks GROUP BY nsp, rel ORDER BY nsp, rel \gexec
SELECT format('REFRESH MATERIALIZED VIEW %s', oid::regclass) FROM pg_class WHERE relkind = 'm' AND relispopulated ORDER BY oid \gexec
DROP TABLE masks;
RESET ROLE;
DO $$BEGIN PERFORM set_config('conveyor.seed_key', '', false); END$$;
SET client_min_messages = error;
ANALYZE;
VACUUM FULL;
\connect postgres
REVOKE ALL ON DATABASE :"build" FROM :"owner";
ALTER DATABASE :"build" ALLOW_CONNECTIONS false;
ALTER DATABASE :"build" IS_TEMPLATE true;
SELECT format('ALTER DATABASE %I RENAME TO %I', :'template', :'retired') WHERE EXISTS (SELECT FROM pg_database WHERE datname = :'template') \gexec
ALTER DATABASE :"build" RENAME TO :"template";
SELECT format('ALTER DATABASE %I IS_TEMPLATE false', :'retired') WHERE EXISTS (SELECT FROM pg_database WHERE datname = :'retired') \gexec
SELECT format('DROP DATABASE %I', :'retired') WHERE EXISTS (SELECT FROM pg_database WHERE datname = :'retired') \gexec
SQL
`
