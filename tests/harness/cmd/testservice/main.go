// Command testservice is the project's own service for the runtime checks on the harness's
// node: a static binary that answers health checks, writes a log line a test can read back
// through the API server, and, asked over HTTP, tries a connection from where it runs, so
// that a test can see what a pod may reach and what is dropped, or reads a file of its own
// filesystem, so that a test can see what the pod was given (a secret's file, a token).
//
//	GET /healthz                         200 "ok"
//	GET /probe?target=http://host:port/p  GET from here: 200 with the answer's status, or 502
//	GET /probe?target=host:port           TCP connect from here: 200, or 502 with the error
//	GET /file?path=/abs/path              200 with the file's bytes, or 404 with the error
//	GET /version                          200 with $TESTSERVICE_VERSION ("v1" when unset)
//	GET /db?database=name&host=host:port  opens a PostgreSQL database with this pod's
//	                                      $DATABASE_USER and $DATABASE_PASSWORD: 200
//	                                      "opened <database> as <user>", or 502 with the error.
//	                                      Both default to $DATABASE_NAME, $DATABASE_HOST:$DATABASE_PORT.
//	GET /publish?event=name&data=text     publishes text to the event's topic through the
//	                                      Pub/Sub emulator: 200 "published <id> to <topic>"
//	GET /received                         200 with every message its subscriptions brought,
//	                                      "<subscription> <data>" a line
//
// With $PUBSUB_EMULATOR_HOST set, it pulls from every subscription Conveyor gives it
// ($CONVEYOR_SUBSCRIPTION_*) as long as it runs, as a handler does (events.go).
//
// A probe that gets no answer within three seconds (a dropped connection) says "no answer".
//
// It listens on $PORT (8080 by default). Two other ways to run it stand in for what a team's
// image does besides serving:
//
//   - with $TESTSERVICE_CRASH set (the image conveyor.test/testservice:crashing sets it), it
//     writes why and exits 3 at once: an image that crashes at start, as a bad release does;
//   - as `testservice migrate`, it writes a line, works for migrateTime and exits 0: a
//     migration job, whose completion a test compares with the api's pods' start.
package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// probeTimeout bounds one probe: a dropped connection is seen as this timeout.
const probeTimeout = 3 * time.Second

// crashExit is the exit code of an image told to crash, for a test to find in a pod's status.
const crashExit = 3

// migrateTime is how long a migration works: long enough that a pod started while it ran
// would show in the timestamps, which the API server keeps to the second.
const migrateTime = 3 * time.Second

func main() {
	version := cmp.Or(os.Getenv("TESTSERVICE_VERSION"), "v1")
	if why := os.Getenv("TESTSERVICE_CRASH"); why != "" {
		log.Printf("testservice %s: crashing at start, as TESTSERVICE_CRASH=%s asks", version, why)
		os.Exit(crashExit)
	}
	if len(os.Args) > 1 && os.Args[1] == "migrate" {
		log.Printf("testservice %s: migrating", version)
		time.Sleep(migrateTime)
		log.Printf("testservice %s: migrated", version)
		return
	}
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /probe", probe)
	mux.HandleFunc("GET /file", file)
	mux.HandleFunc("GET /db", openDatabase)
	mux.HandleFunc("GET /publish", publish)
	var received inbox
	mux.HandleFunc("GET /received", received.serve)
	if api := emulator(); api != "" {
		for _, sub := range subscriptions() {
			go received.consume(context.Background(), api, sub)
		}
	}
	mux.HandleFunc("GET /version", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, version+"\n")
	})
	host, _ := os.Hostname()
	log.Printf("testservice: %s listening on :%s (%s)", host, port, version)
	server := &http.Server{Addr: ":" + port, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(server.ListenAndServe())
}

func probe(w http.ResponseWriter, r *http.Request) {
	target := r.URL.Query().Get("target")
	if target == "" {
		http.Error(w, "missing ?target=", http.StatusBadRequest)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), probeTimeout)
	defer cancel()
	result, err := try(ctx, target)
	if err = dropped(err); err != nil {
		log.Printf("testservice: probe %s: %v", target, err)
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	log.Printf("testservice: probe %s: %s", target, result)
	_, _ = fmt.Fprintln(w, result)
}

// dropped says "no answer" of an error that is a timeout: what a dropped connection looks
// like from here.
func dropped(err error) error {
	var netErr net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &netErr) && netErr.Timeout() {
		return fmt.Errorf("no answer within %s: %w", probeTimeout, err)
	}
	return err
}

// fresh opens a new connection for every probe: a connection kept alive from an earlier
// probe is already established, and a NetworkPolicy agent only judges new ones.
var fresh = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}

// file answers with the bytes of a file as this pod sees it, at most 64 KiB. It never logs
// them: a test reads secrets' files this way.
func file(w http.ResponseWriter, r *http.Request) {
	data, err := os.ReadFile(r.URL.Query().Get("path"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	_, _ = w.Write(data[:min(len(data), 64<<10)])
}

// openDatabase connects to a database with the pod's own credentials, as a team's service
// does with what Conveyor gives it, and asks the server which database it opened. Neither
// the password nor the connection string is ever logged or answered.
func openDatabase(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	database := cmp.Or(q.Get("database"), os.Getenv("DATABASE_NAME"))
	host := cmp.Or(q.Get("host"), net.JoinHostPort(os.Getenv("DATABASE_HOST"), os.Getenv("DATABASE_PORT")))
	user := os.Getenv("DATABASE_USER")
	u := url.URL{
		Scheme: "postgres", Host: host, Path: "/" + database,
		User:     url.UserPassword(user, os.Getenv("DATABASE_PASSWORD")),
		RawQuery: "sslmode=disable&connect_timeout=3",
	}
	ctx, cancel := context.WithTimeout(r.Context(), probeTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, u.String())
	var opened string
	if err == nil {
		err = conn.QueryRow(ctx, "select current_database()").Scan(&opened)
		_ = conn.Close(context.Background())
	}
	err = dropped(err)
	if err != nil {
		log.Printf("testservice: opening database %s at %s as %s: %v", database, host, user, err)
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	log.Printf("testservice: opened database %s at %s as %s", opened, host, user)
	_, _ = fmt.Fprintf(w, "opened %s as %s\n", opened, user)
}

// try connects to target: an HTTP GET for a URL, a TCP connection for host:port.
func try(ctx context.Context, target string) (string, error) {
	if !strings.HasPrefix(target, "http://") {
		var d net.Dialer
		conn, err := d.DialContext(ctx, "tcp", target)
		if err != nil {
			return "", err
		}
		_ = conn.Close()
		return "connected", nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return "", err
	}
	resp, err := fresh.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	return fmt.Sprintf("%s: %s", resp.Status, strings.TrimSpace(string(body))), nil
}
