package database

import (
	"strconv"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/tests/harness"
)

// tooManyConnections is PostgreSQL's SQLSTATE for a role past its CONNECTION LIMIT.
const tooManyConnections = "53300"

// TestAModuleRoleHoldsAtMostItsConnectionLimit: the instance is shared by every environment of
// its tier, so one module (a leak, or an attacker with its credentials) must not take every
// connection. dev's setup job, as rendered, gives dev_quotes its limit: that many sessions
// open, the next is refused with 53300, and one closes to let another in. Another module's
// role is not counted against it.
func TestAModuleRoleHoldsAtMostItsConnectionLimit(t *testing.T) {
	pg := harness.PostgresForTest(t)
	ctx := t.Context()
	dev, _ := devBesidePR123(ctx, t, pg)
	var setup string
	for _, job := range dev.jobs(t, naming.DatabaseSetupComponent) {
		if job.Name == naming.PlatformNamespace("dev")+"/"+naming.DatabaseSetupJob("quotes") {
			setup = jobVariable(job, "DB_CONNECTION_LIMIT")
		}
	}
	limit, err := strconv.Atoi(setup)
	if err != nil || limit < 1 {
		t.Fatalf("dev's quotes setup job sets DB_CONNECTION_LIMIT %q, not a positive number", setup)
	}
	quotes, policies := dev.credentials(t, "sales", "quotes"), dev.credentials(t, "sales", "policies")
	var open []*pgx.Conn
	defer func() {
		for _, c := range open {
			c.Close(ctx)
		}
	}()
	for i := range limit {
		conn, err := pg.Connect(ctx, quotes.user, quotes.password, quotes.database)
		if err != nil {
			t.Fatalf("session %d of %d: %v", i+1, limit, err)
		}
		open = append(open, conn)
	}
	conn, err := pg.Connect(ctx, quotes.user, quotes.password, quotes.database)
	if err == nil {
		conn.Close(ctx)
		t.Fatalf("%s opens session %d, past its limit of %d", quotes.user, limit+1, limit)
	}
	if code := sqlState(err); code != tooManyConnections {
		t.Fatalf("session %d of %s: %v (SQLSTATE %s), want %s", limit+1, quotes.user, err, code, tooManyConnections)
	}
	other, err := pg.Connect(ctx, policies.user, policies.password, policies.database)
	if err != nil {
		t.Fatalf("%s cannot connect while %s holds its %d: %v", policies.user, quotes.user, limit, err)
	}
	other.Close(ctx)
	open[0].Close(ctx)
	open = open[1:]
	again, err := pg.Connect(ctx, quotes.user, quotes.password, quotes.database)
	if err != nil {
		t.Fatalf("%s cannot reconnect after closing a session: %v", quotes.user, err)
	}
	open = append(open, again)
}
