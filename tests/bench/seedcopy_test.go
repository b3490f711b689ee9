package bench

import (
	"fmt"
	"testing"

	"github.com/conveyor-paas/conveyor/tests/harness"
)

// seedTemplateMB is the size of the template BenchmarkSeedCopy copies: issue 29's goal is a
// preview of 10 modules with 100 MB seeded databases each.
const seedTemplateMB = 100

// BenchmarkSeedCopy is what an ad-hoc environment's setup spends on one seeded module's
// database: CREATE DATABASE ... TEMPLATE of a 100 MB template (a table with an index, as a
// module's would be), on the test PostgreSQL 16 (tests/harness), with each of the two
// strategies PostgreSQL 16 offers: WAL_LOG (the default, which components/dbsetup.Setup uses)
// writes the copy through the WAL block by block; FILE_COPY checkpoints and copies the files.
// The seeding job's copy of its source is the same statement. One operation is one copy; the
// copies are dropped outside the timer.
func BenchmarkSeedCopy(b *testing.B) {
	pg := harness.PostgresForTest(b)
	ctx := b.Context()
	admin, err := pg.Superuser(ctx, "postgres")
	if err != nil {
		b.Fatal(err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE DATABASE tpl"); err != nil {
		b.Fatal(err)
	}
	tpl, err := pg.Superuser(ctx, "tpl")
	if err != nil {
		b.Fatal(err)
	}
	// Rows of about 200 bytes, with an index on a text column: 100 MB in all.
	for _, stmt := range []string{
		`CREATE TABLE customers (id bigint PRIMARY KEY, email text, note text)`,
		fmt.Sprintf(`INSERT INTO customers SELECT i, 'user-' || md5(i::text) || '@example.com', repeat(md5((-i)::text), 4)
			FROM generate_series(1, %d) i`, seedTemplateMB*1<<20/330),
		`CREATE INDEX ON customers (email)`,
		`VACUUM ANALYZE customers`,
	} {
		if _, err := tpl.Exec(ctx, stmt); err != nil {
			b.Fatal(err)
		}
	}
	tpl.Close(ctx)
	var size int64
	if err := admin.QueryRow(ctx, `SELECT pg_database_size('tpl')`).Scan(&size); err != nil {
		b.Fatal(err)
	}
	if _, err := admin.Exec(ctx, "ALTER DATABASE tpl IS_TEMPLATE true ALLOW_CONNECTIONS false"); err != nil {
		b.Fatal(err)
	}
	b.Logf("template: %.0f MiB", float64(size)/(1<<20))
	for _, strategy := range []string{"wal_log", "file_copy"} {
		b.Run("strategy="+strategy, func(b *testing.B) {
			n := 0
			for b.Loop() {
				n++
				if _, err := admin.Exec(ctx, fmt.Sprintf("CREATE DATABASE copy_%d TEMPLATE tpl STRATEGY %s", n, strategy)); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			for i := 1; i <= n; i++ {
				if _, err := admin.Exec(ctx, fmt.Sprintf("DROP DATABASE copy_%d", i)); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(size)/(1<<20), "MiB/op")
			b.ReportMetric(float64(size)*float64(b.N)/(1<<20)/b.Elapsed().Seconds(), "MiB/s")
		})
	}
}
