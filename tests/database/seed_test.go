package database

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/conveyor-paas/conveyor/components"
	"github.com/conveyor-paas/conveyor/components/dbsetup"
	"github.com/conveyor-paas/conveyor/evaluation"
	"github.com/conveyor-paas/conveyor/evaluation/evaluationtest"
	"github.com/conveyor-paas/conveyor/manifest"
	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/tests/harness"
)

// The catalog's seeded module (stacks/catalog/sales/quotes.conveyor.yaml): its manifest says
// database.seed.from dev, with these masks.
const (
	seededModule = "quotes"
	seedSource   = "dev"
)

// devCustomers are the rows dev's quotes holds: what no ad-hoc credential may read.
var devCustomers = []struct{ name, email, phone, note string }{
	{"Alice Secret", "alice.secret@corp.test", "+41 79 555 01 01", "prefers mornings"},
	{"Bob Hidden", "bob.hidden@corp.test", "+41 79 555 02 02", "two policies"},
	{"Carol Private", "carol.private@corp.test", "+41 79 555 03 03", "prefers mornings"},
}

// seedDev gives dev's quotes a schema and rows, as its migrations and users would,
// with statistics (ANALYZE), which hold sample values of every column.
func seedDev(ctx context.Context, t *testing.T, pg *harness.Postgres, dev environment) credentials {
	t.Helper()
	c := dev.credentials(t, "sales", seededModule)
	conn := connect(ctx, t, pg, c, c.database)
	defer conn.Close(ctx)
	for _, stmt := range []string{
		`CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL, email text UNIQUE, phone text, note text)`,
		`CREATE INDEX customers_phone ON customers (phone)`,
		`CREATE MATERIALIZED VIEW contacts AS SELECT email, phone FROM customers`,
		`CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN NEW.note := NEW.note || ' (touched)'; RETURN NEW; END$$`,
		`CREATE TRIGGER customers_touch BEFORE UPDATE ON customers FOR EACH ROW EXECUTE FUNCTION touch()`,
	} {
		if _, err := conn.Exec(ctx, stmt); err != nil {
			t.Fatalf("dev's quotes: %s: %v", stmt, err)
		}
	}
	for _, r := range devCustomers {
		if _, err := conn.Exec(ctx, `INSERT INTO customers (name, email, phone, note) VALUES ($1, $2, $3, $4)`, r.name, r.email, r.phone, r.note); err != nil {
			t.Fatal(err)
		}
	}
	for _, stmt := range []string{`REFRESH MATERIALIZED VIEW contacts`, `ANALYZE`} {
		if _, err := conn.Exec(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// seedJob runs the seeding CronJob of the catalog's seeded module as dev's program declares
// it (dbsetup.Seed, as dev's admin, with the masks of its manifest); extra variables, last,
// change what a test needs changed.
func seedJob(ctx context.Context, t *testing.T, pg *harness.Postgres, source environment, extra ...string) (string, error) {
	t.Helper()
	want := naming.PlatformNamespace(source.name) + "/" + naming.SetupJob(seededModule, naming.DatabaseSeedComponent)
	for i, r := range source.rec.Resources {
		if r.Type == typeCronJob && r.Name == want {
			return source.run(ctx, t, pg, &source.rec.Resources[i], extra...)
		}
	}
	t.Fatalf("%s declares no CronJob %s", source.name, want)
	return "", nil
}

// quotesMasks are the masks of the catalog's quotes manifest, as the job gets them.
func quotesMasks(t *testing.T) string {
	t.Helper()
	catalog, err := manifest.Load(filepath.Join(root, "stacks", "catalog"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := components.SeedMasks(catalog.Module(seededModule))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestSeededPreviewDatabases is issue 29's seeded databases on one server with Cloud SQL's role
// model, as cluster-nonprod's instance holds dev and pr-123: dev's quotes has customers,
// the long-lived tier's seeding job makes its masked template, and pr-123's setup, as rendered,
// creates pr-123's quotes from it. Then every credential pr-123 holds tries the source, the
// template and an unmasked build left by a failed run, and fails.
func TestSeededPreviewDatabases(t *testing.T) {
	pg := harness.PostgresForTest(t)
	ctx := t.Context()
	evaluate(t, naming.NonprodCluster, false).setUpServer(ctx, t, pg, naming.SQLInstance("nonprod"))
	dev, pr := evaluate(t, seedSource, false), evaluate(t, "pr-123", false)
	dev.runAll(ctx, t, pg, naming.DatabaseSetupComponent)
	source := seedDev(ctx, t, pg, dev)
	// A session of dev's quotes open through the seeding, as a pod's pool holds one.
	pool := connect(ctx, t, pg, source, source.database)
	defer pool.Close(ctx)

	if out, err := seedJob(ctx, t, pg, dev); err != nil {
		t.Fatalf("the seeding job failed: %v\n%s", err, out)
	}
	pr.runAll(ctx, t, pg, naming.DatabaseSetupComponent)
	copied := pr.credentials(t, "sales", seededModule)

	t.Run("the copy has dev's rows, masked", func(t *testing.T) {
		conn := connect(ctx, t, pg, copied, copied.database)
		defer conn.Close(ctx)
		rows, err := conn.Query(ctx, `SELECT name, coalesce(email, ''), phone IS NULL, note FROM customers ORDER BY id`)
		if err != nil {
			t.Fatalf("pr-123's quotes has no customers: %v", err)
		}
		type row struct {
			name, email string
			phoneNull   bool
			note        string
		}
		got, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
			var x row
			return x, r.Scan(&x.name, &x.email, &x.phoneNull, &x.note)
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(devCustomers) {
			t.Fatalf("pr-123's quotes has %d customers, want dev's %d", len(got), len(devCustomers))
		}
		hashed := regexp.MustCompile(`^[0-9a-f]{64}$`)
		fake := regexp.MustCompile(`^user-[0-9a-f]{16}@example\.com$`)
		seen := map[string]bool{}
		for i, r := range got {
			want := devCustomers[i]
			if !hashed.MatchString(r.name) || !fake.MatchString(r.email) || !r.phoneNull {
				t.Errorf("customer %d is (%q, %q, phone null %v): want a hashed name, a fake email and no phone", i+1, r.name, r.email, r.phoneNull)
			}
			// Unmasked columns are copied as they are: the masks ran without dev's trigger.
			if r.note != want.note {
				t.Errorf("customer %d's note is %q, want dev's %q", i+1, r.note, want.note)
			}
			if seen[r.email] {
				t.Errorf("two customers share the fake email %s: the unique index would not hold", r.email)
			}
			seen[r.email] = true
		}
		var contacts int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM contacts WHERE phone IS NULL AND email LIKE 'user-%@example.com'`).Scan(&contacts); err != nil ||
			contacts != len(devCustomers) {
			t.Errorf("the materialized view contacts has %d masked rows (%v), want %d", contacts, err, len(devCustomers))
		}
	})

	t.Run("the module owns the copy and migrates it", func(t *testing.T) {
		conn := connect(ctx, t, pg, copied, copied.database)
		defer conn.Close(ctx)
		for _, stmt := range []string{
			`ALTER TABLE customers ADD COLUMN segment text`,
			`INSERT INTO customers (name, email) VALUES ('new', 'new@example.com')`,
			`DROP MATERIALIZED VIEW contacts`,
			`CREATE TABLE quotes (id int PRIMARY KEY, customer int REFERENCES customers)`,
		} {
			if _, err := conn.Exec(ctx, stmt); err != nil {
				t.Errorf("pr-123's quotes cannot migrate its copy: %s: %v", stmt, err)
			}
		}
		var foreign []string
		rows, err := conn.Query(ctx, `SELECT format('%s owned by %s', oid::regclass, pg_get_userbyid(relowner)) FROM pg_class
			WHERE relnamespace = 'public'::regnamespace AND relowner <> (SELECT oid FROM pg_roles WHERE rolname = current_user)`)
		if err == nil {
			foreign, err = pgx.CollectRows(rows, pgx.RowTo[string])
		}
		if err != nil || len(foreign) > 0 {
			t.Errorf("objects of pr-123's quotes its role does not own: %v, %v", foreign, err)
		}
	})

	t.Run("no file of the template or the copy holds an unmasked value", func(t *testing.T) {
		admin := superuser(ctx, t, pg, "postgres")
		defer admin.Close(ctx)
		if _, err := admin.Exec(ctx, "CHECKPOINT"); err != nil {
			t.Fatal(err)
		}
		files := func(db string) []byte {
			var oid uint32
			if err := admin.QueryRow(ctx, `SELECT oid FROM pg_database WHERE datname = $1`, db).Scan(&oid); err != nil {
				t.Fatalf("no database %s: %v", db, err)
			}
			var all []byte
			dir := filepath.Join(pg.Dir, "data", "base", fmt.Sprint(oid))
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				data, err := os.ReadFile(filepath.Join(dir, e.Name()))
				if err != nil {
					t.Fatal(err)
				}
				all = append(all, data...)
			}
			return all
		}
		// The source's files hold them, or the search below would prove nothing.
		if src := files(source.database); !bytes.Contains(src, []byte(devCustomers[0].email)) {
			t.Fatalf("dev's files do not hold %s: the search cannot see a value in a file", devCustomers[0].email)
		}
		for _, db := range []string{naming.SeedTemplate(seededModule), copied.database} {
			data := files(db)
			for _, r := range devCustomers {
				for _, secret := range []string{r.name, r.email, r.phone} {
					if bytes.Contains(data, []byte(secret)) {
						t.Errorf("the files of %s hold %q: a masked value survives in a dead row, an index or the statistics", db, secret)
					}
				}
			}
		}
	})

	t.Run("the template can be copied, never opened", func(t *testing.T) {
		admin := superuser(ctx, t, pg, "postgres")
		defer admin.Close(ctx)
		var isTemplate, allowConn, public bool
		if err := admin.QueryRow(ctx, `SELECT datistemplate, datallowconn,
			EXISTS (SELECT FROM aclexplode(COALESCE(datacl, acldefault('d', datdba))) WHERE grantee = 0)
			FROM pg_database WHERE datname = $1`, naming.SeedTemplate(seededModule)).Scan(&isTemplate, &allowConn, &public); err != nil {
			t.Fatal(err)
		}
		if !isTemplate || allowConn || public {
			t.Errorf("template %s: IS_TEMPLATE %v, ALLOW_CONNECTIONS %v, PUBLIC has rights %v; want true, false, false",
				naming.SeedTemplate(seededModule), isTemplate, allowConn, public)
		}
	})

	t.Run("dev is as it was, and open again", func(t *testing.T) {
		conn := connect(ctx, t, pg, source, source.database)
		defer conn.Close(ctx)
		var email string
		if err := conn.QueryRow(ctx, `SELECT email FROM customers ORDER BY id LIMIT 1`).Scan(&email); err != nil || email != devCustomers[0].email {
			t.Errorf("dev's first customer reads %q, %v; want %q", email, err, devCustomers[0].email)
		}
	})

	t.Run("a module without seed starts empty", func(t *testing.T) {
		c := pr.credentials(t, "sales", "policies")
		conn := connect(ctx, t, pg, c, c.database)
		defer conn.Close(ctx)
		var tables int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace`).Scan(&tables); err != nil || tables != 0 {
			t.Errorf("pr-123's policies has %d relations (%v), want none", tables, err)
		}
	})

	// A run that fails after the copy (here: a mask names a column dev does not have)
	// leaves the unmasked build behind, as a killed job would.
	out, err := seedJob(ctx, t, pg, dev, dbsetup.EnvSeedMasks+"="+quotesMasks(t)+"\nnullify public.customers.fax")
	if err == nil || !strings.Contains(out, "no column public.customers.fax to mask") {
		t.Fatalf("a seeding with a mask of a missing column: %v\n%s", err, out)
	}

	t.Run("no ad-hoc credential opens or copies the source or an unmasked copy", func(t *testing.T) {
		held := pr.heldCredentials(ctx, t, pg)
		users := make([]string, 0, len(held))
		for _, c := range held {
			users = append(users, c.user)
		}
		adhocAdmin := naming.DatabaseAdmin(naming.AdHocAdminScope)
		if !slices.Contains(users, adhocAdmin) {
			t.Fatalf("pr-123's Secrets open the server as %v, without its admin %s: the test would prove nothing", users, adhocAdmin)
		}
		template, build := naming.SeedTemplate(seededModule), naming.SeedBuild(seededModule)
		owner := pgx.Identifier{naming.SeedOwner(seedSource)}.Sanitize()
		for _, c := range held {
			// A GRANT by a role without the grant option grants nothing, with a warning: what
			// it did not give shows in the connections below.
			for _, db := range []string{source.database, build, template} {
				conn := c.login(ctx, t, pg, "postgres")
				_, _ = conn.Exec(ctx, "GRANT CONNECT ON DATABASE "+pgx.Identifier{db}.Sanitize()+" TO CURRENT_USER")
				conn.Close(ctx)
			}
			for _, db := range []string{source.database, build, template} {
				conn, err := pg.Connect(ctx, c.user, c.password, db)
				if err == nil {
					conn.Close(ctx)
					t.Errorf("as %s (from %s): connected to %s", c.user, c.from, db)
					continue
				}
				// The template refuses every connection before anyone's rights are looked at.
				if code := sqlState(err); code != insufficientPrivilege && (db != template || code != objectNotInPrerequisiteState) {
					t.Errorf("as %s (from %s): connecting to %s: %v (SQLSTATE %s), want a permission denied", c.user, c.from, db, err, code)
				}
			}
			attacks := []string{
				"CREATE DATABASE stolen TEMPLATE " + pgx.Identifier{source.database}.Sanitize(),
				"CREATE DATABASE stolen TEMPLATE " + pgx.Identifier{build}.Sanitize(),
				"ALTER DATABASE " + pgx.Identifier{template}.Sanitize() + " ALLOW_CONNECTIONS true",
				"ALTER DATABASE " + pgx.Identifier{template}.Sanitize() + " IS_TEMPLATE false",
				"ALTER DATABASE " + pgx.Identifier{build}.Sanitize() + " IS_TEMPLATE true",
				"DROP DATABASE " + pgx.Identifier{template}.Sanitize(),
				"SET ROLE " + owner,
				"ALTER ROLE " + owner + " LOGIN PASSWORD 'x'",
				"GRANT " + owner + " TO " + pgx.Identifier{copied.user}.Sanitize(),
			}
			c.wantRefused(ctx, t, pg, attacks)
		}
	})

	t.Run("the ad-hoc admin copies the masked template", func(t *testing.T) {
		// The positive side of the wall: what the ad-hoc setup does, by hand.
		password := pr.secretValue(t, naming.PlatformNamespace("pr-123"), naming.DatabaseAdminSecret(), "password")
		conn, err := pg.Connect(ctx, naming.DatabaseAdmin(naming.AdHocAdminScope), password, "postgres")
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "CREATE DATABASE pr_9_copy TEMPLATE "+naming.SeedTemplate(seededModule)); err != nil {
			t.Errorf("the ad-hoc admin cannot copy the masked template: %v", err)
		}
		if _, err := conn.Exec(ctx, "DROP DATABASE pr_9_copy"); err != nil {
			t.Error(err)
		}
	})

	t.Run("the failed run left the template and dev as they were", func(t *testing.T) {
		conn := connect(ctx, t, pg, source, source.database) // open again: the trap let it in
		conn.Close(ctx)
		if out, err := seedJob(ctx, t, pg, dev); err != nil {
			t.Fatalf("the next night's seeding failed: %v\n%s", err, out)
		}
		admin := superuser(ctx, t, pg, "postgres")
		defer admin.Close(ctx)
		var left []string
		rows, err := admin.Query(ctx, `SELECT datname FROM pg_database WHERE datname LIKE 'conveyor\_seed\_%' ORDER BY 1`)
		if err == nil {
			left, err = pgx.CollectRows(rows, pgx.RowTo[string])
		}
		if err != nil || !slices.Equal(left, []string{naming.SeedTemplate(seededModule)}) {
			t.Errorf("after the next run the server has seed databases %v (%v), want only %s", left, err, naming.SeedTemplate(seededModule))
		}
	})
}

// objectNotInPrerequisiteState is the SQLSTATE of a connection to a database that allows none.
const objectNotInPrerequisiteState = "55000"

// TestOnlyAdHocSetupsCopyATemplate: of the catalog's environments, only an ad-hoc one's setup
// of the seeded module names the template; dev's, staging's and every unseeded module's
// start empty, whatever exists on the server.
func TestOnlyAdHocSetupsCopyATemplate(t *testing.T) {
	for _, env := range []string{"dev", "staging", "pr-123"} {
		e := evaluate(t, env, false)
		for _, job := range e.jobs(t, naming.DatabaseSetupComponent) {
			template := jobVariable(job, dbsetup.EnvTemplate)
			want := ""
			if env == "pr-123" && job.Name == naming.PlatformNamespace(env)+"/"+naming.DatabaseSetupJob(seededModule) {
				want = naming.SeedTemplate(seededModule)
			}
			if template != want {
				t.Errorf("%s: job %s has %s=%q, want %q", env, job.Name, dbsetup.EnvTemplate, template, want)
			}
		}
	}
}

// jobVariable is the value of a Job's variable ("" when it has none).
func jobVariable(job *evaluation.Resource, variable string) string {
	for i := 0; ; i++ {
		prefix := fmt.Sprintf("spec.template.spec.containers[0].env[%d]", i)
		if _, ok := evaluationtest.Lookup(job.Inputs, prefix); !ok {
			return ""
		}
		if evaluationtest.String(job.Inputs, prefix+".name") == variable {
			return evaluationtest.String(job.Inputs, prefix+".value")
		}
	}
}
