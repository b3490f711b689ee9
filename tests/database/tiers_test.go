package database

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/conveyor-paas/conveyor/evaluation/evaluationtest"
	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/tests/harness"
)

// TestAPullRequestCannotTouchDevsDatabase is the wall between the tiers, tried from the
// pull request's side: pr-123 and dev share cluster-nonprod's instance, and whoever controls
// a pull request holds every credential pr-123's program puts in a Secret of any of its
// namespaces, the platform namespace's database admin included. With each, on PostgreSQL 16,
// dev's role and database must be out of reach; and pr-123's own teardown, run as rendered,
// must leave them as they were.
func TestAPullRequestCannotTouchDevsDatabase(t *testing.T) {
	pg := harness.PostgresForTest(t)
	ctx := t.Context()
	dev, pr := devBesidePR123(ctx, t, pg)
	victim := dev.credentials(t, "sales", "quotes")
	conn := connect(ctx, t, pg, victim, victim.database)
	if _, err := conn.Exec(ctx, "CREATE TABLE quotes (id int PRIMARY KEY, note text); INSERT INTO quotes VALUES (1, 'dev data')"); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)

	held := pr.heldCredentials(ctx, t, pg)
	users := make([]string, 0, len(held))
	for _, c := range held {
		users = append(users, c.user)
	}
	// The strongest credential a pull request holds must be among those tried, or the test
	// proves nothing: the ad-hoc tier's admin, from pr-123's platform namespace.
	if !slices.Contains(users, naming.DatabaseAdmin(naming.AdHocAdminScope)) || len(held) < 1+len(modules) {
		t.Fatalf("pr-123's Secrets open the server as %v; want its admin %s and its %d modules' roles",
			users, naming.DatabaseAdmin(naming.AdHocAdminScope), len(modules))
	}
	role := pgx.Identifier{victim.user}.Sanitize()
	attacks := []string{
		"SET ROLE " + role,
		"ALTER ROLE " + role + " PASSWORD 'x'",
		"COMMENT ON ROLE " + role + " IS " + quote(naming.DatabaseRoleComment("pr-123")),
		"DROP DATABASE " + pgx.Identifier{victim.database}.Sanitize(),
		"GRANT " + role + " TO CURRENT_USER",
	}
	for _, c := range held {
		c.wantRefused(ctx, t, pg, attacks)
	}

	pr.runAll(ctx, t, pg, naming.DatabaseSetupComponent) // nothing above changed what it sees
	evaluate(t, "pr-123", true).runAll(ctx, t, pg, naming.DatabaseTeardownComponent)
	conn = connect(ctx, t, pg, victim, victim.database)
	defer conn.Close(ctx)
	var note, comment string
	if err := conn.QueryRow(ctx, "SELECT note FROM quotes WHERE id = 1").Scan(&note); err != nil || note != "dev data" {
		t.Errorf("after pr-123's teardown, dev's quotes reads %q, %v", note, err)
	}
	if err := conn.QueryRow(ctx, "SELECT shobj_description(oid, 'pg_authid') FROM pg_roles WHERE rolname = current_user").Scan(&comment); err != nil ||
		comment != naming.DatabaseRoleComment("dev") {
		t.Errorf("dev's role is marked %q, %v; want %q", comment, err, naming.DatabaseRoleComment("dev"))
	}
}

// heldCredential is a user and password that log in, found in an environment's Secrets.
type heldCredential struct {
	user, password string
	from           string // the Secret that held the password
}

// heldCredentials are every user and password pair, both found in what the environment's
// program puts in Secrets of its namespaces (and the users its Jobs connect as), that logs in
// to the server: not a hand-written list, so a credential a later change adds is tried too.
func (e environment) heldCredentials(ctx context.Context, t *testing.T, pg *harness.Postgres) []heldCredential {
	t.Helper()
	users := map[string]bool{}
	passwords := map[string]string{} // value -> Secret
	for _, r := range evaluationtest.OfType(e.rec, typeSecret) {
		ns := evaluationtest.String(r.Inputs, "metadata.namespace")
		if !strings.HasPrefix(ns, e.name+"-") {
			t.Fatalf("%s's program makes Secret %s in namespace %s, not one of its own", e.name, r.Name, ns)
		}
		data, _ := evaluationtest.Lookup(r.Inputs, "stringData")
		for key, v := range plainObject(data) {
			value := plainString(v)
			passwords[value] = ns + "/" + evaluationtest.String(r.Inputs, "metadata.name")
			if key == "user" {
				users[value] = true
			}
			if u, err := url.Parse(value); err == nil && u.User != nil {
				users[u.User.Username()] = true
				if p, ok := u.User.Password(); ok {
					passwords[p] = passwords[value]
				}
			}
		}
	}
	for _, r := range e.rec.Resources {
		if r.Type != typeJob {
			continue
		}
		for i := 0; ; i++ {
			prefix := fmt.Sprintf("spec.template.spec.containers[0].env[%d]", i)
			if _, ok := evaluationtest.Lookup(r.Inputs, prefix); !ok {
				break
			}
			if evaluationtest.String(r.Inputs, prefix+".name") == "PGUSER" {
				users[evaluationtest.String(r.Inputs, prefix+".value")] = true
			}
		}
	}
	var held []heldCredential
	for user := range users {
		for password, from := range passwords {
			if user == "" || password == "" {
				continue
			}
			if conn, err := pg.Connect(ctx, user, password, "postgres"); err == nil {
				conn.Close(ctx)
				held = append(held, heldCredential{user: user, password: password, from: from})
			}
		}
	}
	slices.SortFunc(held, func(a, b heldCredential) int { return strings.Compare(a.user, b.user) })
	return held
}

// login opens a session as c on database: c logged in a moment ago (heldCredentials), so a
// refusal now ends the test.
func (c heldCredential) login(ctx context.Context, t *testing.T, pg *harness.Postgres, database string) *pgx.Conn {
	t.Helper()
	conn, err := pg.Connect(ctx, c.user, c.password, database)
	if err != nil {
		t.Fatalf("%s logged in a moment ago and now cannot: %v", c.user, err)
	}
	return conn
}

// wantRefused runs each of stmts as c and wants each refused for want of privilege. Each
// runs in a session of its own: one that succeeded (SET ROLE) must not decide what the next
// is tried as.
func (c heldCredential) wantRefused(ctx context.Context, t *testing.T, pg *harness.Postgres, stmts []string) {
	t.Helper()
	for _, stmt := range stmts {
		conn := c.login(ctx, t, pg, "postgres")
		if _, err := conn.Exec(ctx, stmt); sqlState(err) != insufficientPrivilege {
			t.Errorf("as %s (from %s): %s: %v (SQLSTATE %q), want a permission denied (42501)", c.user, c.from, stmt, err, sqlState(err))
		}
		conn.Close(ctx)
	}
}

func plainObject(v resource.PropertyValue) resource.PropertyMap {
	for v.IsSecret() {
		v = v.SecretValue().Element
	}
	if !v.IsObject() {
		return nil
	}
	return v.ObjectValue()
}

func plainString(v resource.PropertyValue) string {
	for v.IsSecret() {
		v = v.SecretValue().Element
	}
	if !v.IsString() {
		return ""
	}
	return v.StringValue()
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
