package harness

import (
	"context"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// PostgresSuperuser is the bootstrap superuser of the test server. It plays Cloud SQL's
// cloudsqladmin: the one role that is really a superuser, which no customer ever holds.
const PostgresSuperuser = "cloudsqladmin"

// CloudSQLSuperuserRole is the role Cloud SQL makes every user created through its API a
// member of: CREATEROLE and CREATEDB, but not a superuser.
const CloudSQLSuperuserRole = "cloudsqlsuperuser"

// PostgresOptions configure StartPostgres. The zero value is a usable default.
type PostgresOptions struct {
	// TB, if set, receives progress through Logf and has Stop registered with Cleanup.
	TB testing.TB
	// Logf receives progress; it defaults to TB.Logf, or to the standard logger.
	Logf Logf
	// StartTimeout bounds initdb and the start; the default is two minutes.
	StartTimeout time.Duration
}

// Postgres is a running PostgreSQL server on loopback: TLS on, password (SCRAM) authentication
// over TCP for every role, and every statement logged (Log), so that a test can check what
// reached the server's log.
type Postgres struct {
	// Host and Port are where it listens for TCP connections (TLS, as Cloud SQL requires).
	Host string
	Port int
	// Major is the server's major version, MinPostgresMajor or later.
	Major int
	// BinDir holds the server's binaries (initdb, postgres), as its user runs them.
	BinDir string
	// ClientDir holds psql and pg_isready, for tests that run the platform's own scripts.
	ClientDir string
	// Dir holds the data directory, the socket, the certificate and the log. Stop removes it.
	Dir string

	socketDir string
	proc      *process
	tb        testing.TB
	logf      Logf
	stopOnce  sync.Once
	stopErr   error
}

// PostgresForTest starts a server for tb, stopped by tb's Cleanup. It skips tb if
// CONVEYOR_SKIP_POSTGRES=1, and fails it if the PostgreSQL binaries are missing or the server
// does not start.
func PostgresForTest(tb testing.TB) *Postgres {
	tb.Helper()
	SkipUnlessPostgres(tb)
	pg, err := StartPostgres(tb.Context(), PostgresOptions{TB: tb})
	if err != nil {
		tb.Fatalf("starting PostgreSQL: %v", err)
	}
	return pg
}

// StartPostgres runs initdb into a new temporary directory and starts the server on a free
// loopback port. It returns once the server accepts connections. The caller must call Stop,
// unless opts.TB is set.
func StartPostgres(ctx context.Context, opts PostgresOptions) (*Postgres, error) {
	logf := logfFor(opts.TB, opts.Logf)
	install, err := defaultPostgresSearch().postgresBinaries()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "conveyor-postgres-")
	if err != nil {
		return nil, fmt.Errorf("creating the server's directory: %w", err)
	}
	pg := &Postgres{Host: "127.0.0.1", Major: install.major, BinDir: install.serverDir, ClientDir: install.clientDir,
		Dir: dir, socketDir: filepath.Join(dir, "socket"), tb: opts.TB, logf: logf}
	took, err := launch(ctx, opts.TB, "PostgreSQL", opts.StartTimeout, 2*time.Minute, pg.start, pg.Stop, nil)
	if err != nil {
		return nil, err
	}
	logf("harness: PostgreSQL %d ready at %s:%d in %s", pg.Major, pg.Host, pg.Port, took)
	return pg, nil
}

func (pg *Postgres) start(ctx context.Context) error {
	cred, err := serverCredential()
	if err != nil {
		return err
	}
	data := filepath.Join(pg.Dir, "data")
	for _, d := range []string{pg.socketDir, filepath.Join(pg.Dir, "tls")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return fmt.Errorf("creating %s: %w", d, err)
		}
	}
	cert, key, err := pg.serverCertificate()
	if err != nil {
		return err
	}
	if err := chownTree(pg.Dir, cred); err != nil {
		return err
	}
	// After the chown: the mirror's files are the tool cache's, by hard links.
	if pg.BinDir, err = serverDirFor(pg.BinDir, cred, filepath.Join(pg.Dir, "install")); err != nil {
		return err
	}
	initdb := exec.CommandContext(ctx, filepath.Join(pg.BinDir, "initdb"),
		"-D", data, "-U", PostgresSuperuser, "--no-locale", "-E", "UTF8",
		"--auth-local=trust", "--auth-host=scram-sha-256")
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := initdb.CombinedOutput(); err != nil {
		return fmt.Errorf("initdb: %w\n%s", err, out)
	}
	// Only the superuser may use the socket, without a password; every other role connects
	// over TCP with TLS and its password, as clients of Cloud SQL's private address do.
	hba := "local all " + PostgresSuperuser + " trust\nhostssl all all 127.0.0.1/32 scram-sha-256\n"
	if err := os.WriteFile(filepath.Join(data, "pg_hba.conf"), []byte(hba), 0o600); err != nil {
		return fmt.Errorf("writing pg_hba.conf: %w", err)
	}
	if err := chownTree(data, cred); err != nil {
		return err
	}
	ports, err := freePorts(1)
	if err != nil {
		return err
	}
	pg.Port = ports[0]
	pg.proc, err = startProcessAs(pg.Dir, "postgres", cred, nil, filepath.Join(pg.BinDir, "postgres"),
		"-D", data,
		"-c", "listen_addresses="+pg.Host,
		"-c", "port="+strconv.Itoa(pg.Port),
		"-c", "unix_socket_directories="+pg.socketDir,
		"-c", "ssl=on",
		"-c", "ssl_cert_file="+cert,
		"-c", "ssl_key_file="+key,
		"-c", "password_encryption=scram-sha-256",
		"-c", "log_statement=all",
		"-c", "log_connections=on",
		// A throw-away server: durability costs time and buys nothing.
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		"-c", "shared_buffers=32MB", "-c", "max_connections=60",
	)
	if err != nil {
		return err
	}
	return waitUntil(ctx, "PostgreSQL", []*process{pg.proc}, func(ctx context.Context) error {
		conn, err := pg.Superuser(ctx, "postgres")
		if err != nil {
			return err
		}
		return conn.Close(ctx)
	})
}

// serverCertificate writes a self-signed certificate for the loopback address: clients that
// require TLS (sslmode=require, what the platform's setup jobs ask of Cloud SQL) get it, and
// do not verify it, as sslmode=require does not.
func (pg *Postgres) serverCertificate() (certFile, keyFile string, err error) {
	ca, err := newPKI(filepath.Join(pg.Dir, "tls"), "conveyor-postgres-ca")
	if err != nil {
		return "", "", err
	}
	kp, err := ca.issue("server", &x509.Certificate{
		Subject:     pkix.Name{CommonName: "localhost"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:    []string{"localhost"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
	})
	if err != nil {
		return "", "", err
	}
	return kp.certFile, kp.keyFile, nil
}

// Superuser connects to db as the bootstrap superuser, over the socket.
func (pg *Postgres) Superuser(ctx context.Context, db string) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig("")
	if err != nil {
		return nil, err
	}
	cfg.Host, cfg.Port, cfg.User, cfg.Database, cfg.TLSConfig = pg.socketDir, uint16(pg.Port), PostgresSuperuser, db, nil
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connecting to %s as %s: %w", db, PostgresSuperuser, err)
	}
	return conn, nil
}

// Connect connects to db as user over TCP, with TLS and the password, as an application does.
func (pg *Postgres) Connect(ctx context.Context, user, password, db string) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig(fmt.Sprintf("host=%s port=%d sslmode=require", pg.Host, pg.Port))
	if err != nil {
		return nil, err
	}
	cfg.User, cfg.Password, cfg.Database = user, password, db
	return pgx.ConnectConfig(ctx, cfg)
}

// CloudSQLRoleModel gives the server Cloud SQL's role model: the cloudsqlsuperuser role with
// CREATEROLE and CREATEDB, and admin as a user made through Cloud SQL's API is, a member of it
// with CREATEROLE and CREATEDB of its own, and no superuser.
func (pg *Postgres) CloudSQLRoleModel(ctx context.Context, admin, password string) error {
	conn, err := pg.Superuser(ctx, "postgres")
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	for _, stmt := range []string{
		`CREATE ROLE ` + CloudSQLSuperuserRole + ` NOLOGIN CREATEROLE CREATEDB`,
		fmt.Sprintf(`CREATE ROLE %s LOGIN CREATEROLE CREATEDB PASSWORD %s`, pgx.Identifier{admin}.Sanitize(), quoteLiteral(password)),
		fmt.Sprintf(`GRANT %s TO %s`, CloudSQLSuperuserRole, pgx.Identifier{admin}.Sanitize()),
	} {
		if _, err := conn.Exec(ctx, stmt); err != nil {
			return fmt.Errorf("making Cloud SQL's role model: %s: %w", strings.SplitN(stmt, " PASSWORD", 2)[0], err)
		}
	}
	return nil
}

// ClientEnv is the environment that points libpq's tools (psql, pg_isready) at the server:
// their directory first on PATH, and PGHOST and PGPORT.
func (pg *Postgres) ClientEnv() []string {
	return []string{
		"PATH=" + pg.ClientDir + string(os.PathListSeparator) + os.Getenv("PATH"),
		"PGHOST=" + pg.Host,
		"PGPORT=" + strconv.Itoa(pg.Port),
	}
}

// Log returns what the server has logged so far (every statement, every connection).
func (pg *Postgres) Log() (string, error) {
	data, err := os.ReadFile(pg.proc.logPath)
	return string(data), err
}

// Stop stops the server and removes Dir. It is safe to call more than once.
func (pg *Postgres) Stop() error {
	pg.stopOnce.Do(func() {
		if pg.proc != nil {
			if pg.tb != nil && pg.tb.Failed() {
				pg.logf("harness: end of PostgreSQL log:\n%s", pg.proc.logTail(40))
			}
			// SIGTERM is PostgreSQL's "smart" shutdown; the grace then kills what is left.
			pg.proc.stop(10 * time.Second)
		}
		if err := os.RemoveAll(pg.Dir); err != nil {
			pg.stopErr = fmt.Errorf("removing %s: %w", pg.Dir, err)
		}
	})
	return pg.stopErr
}

// serverCredential is who the server runs as: PostgreSQL refuses to run as root, so a root
// test binary runs it as the postgres user (or nobody, on a machine without one).
func serverCredential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
	}
	return nil, errors.New("running as root, and there is neither a postgres nor a nobody user to run PostgreSQL as")
}

// chownTree gives the server's user its directory; nothing to do when it is the test's own.
func chownTree(dir string, cred *syscall.Credential) error {
	if cred == nil {
		return nil
	}
	return filepath.Walk(dir, func(path string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(path, int(cred.Uid), int(cred.Gid))
	})
}

// quoteLiteral quotes s as an SQL string literal.
func quoteLiteral(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
