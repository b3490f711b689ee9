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
//
// A probe that gets no answer within three seconds (a dropped connection) says "no answer".
//
// It listens on $PORT (8080 by default).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strings"
	"time"
)

// probeTimeout bounds one probe: a dropped connection is seen as this timeout.
const probeTimeout = 3 * time.Second

func main() {
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
	host, _ := os.Hostname()
	log.Printf("testservice: %s listening on :%s", host, port)
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
	var netErr net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &netErr) && netErr.Timeout() {
		// What a dropped connection looks like from here.
		err = fmt.Errorf("no answer within %s: %w", probeTimeout, err)
	}
	if err != nil {
		log.Printf("testservice: probe %s: %v", target, err)
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	log.Printf("testservice: probe %s: %s", target, result)
	_, _ = fmt.Fprintln(w, result)
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
