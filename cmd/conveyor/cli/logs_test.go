package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/logs"
	"github.com/conveyor-paas/conveyor/stacks"
)

// syncBuffer is a buffer a command writes while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testLogs reads the logs of the world's deployed environment env. kwok serves each
// container name's file (harness.Kube.ContainerLogFile) as the log of every container of that
// name, and the API server reads them from kwok as it reads a kubelet's.
func testLogs(t *testing.T, w *world, env string) {
	t.Helper()
	base := time.Now().Add(-10 * time.Minute).Truncate(time.Second)
	if err := w.kube.AppendContainerLog("", base.Add(-3*time.Hour), "old line of every other container"); err != nil {
		t.Fatal(err)
	}
	if err := w.kube.AppendContainerLog("api", base, "api started", "api listening"); err != nil {
		t.Fatal(err)
	}
	if err := w.kube.AppendContainerLog("", base.Add(time.Second), "migrated"); err != nil {
		t.Fatal(err)
	}
	if err := w.kube.AppendContainerLog("api", base.Add(2*time.Second), "api served GET /"); err != nil {
		t.Fatal(err)
	}
	if err := w.kube.AppendContainerLog("handler", base, "handler subscribed"); err != nil {
		t.Fatal(err)
	}
	apiLine := regexp.MustCompile(`^\[orders-api-[a-z0-9]+-[a-z0-9]+/api\] `)
	migrateLine := regexp.MustCompile(`^\[orders-migrate-[a-z0-9]+/migrate\] `)

	t.Run("one component", func(t *testing.T) {
		w := w.in(t)
		out := w.must(ExitOK, "logs", "--env", env, "--module", "orders", "--component", "api")
		lines := strings.Split(strings.TrimSpace(out), "\n")
		want := []string{"api started", "api listening", "api served GET /"}
		if len(lines) != len(want) {
			t.Fatalf("lines:\n%s", out)
		}
		for i, l := range lines {
			if !apiLine.MatchString(l) || !strings.HasSuffix(l, "] "+want[i]) {
				t.Errorf("line %d = %q, want [<pod>/api] %s", i, l, want[i])
			}
		}
	})

	t.Run("a module's pods merged in time order, since a time", func(t *testing.T) {
		w := w.in(t)
		out := w.must(ExitOK, "logs", "--env", env, "--module", "orders", "--since", "1h")
		lines := strings.Split(strings.TrimSpace(out), "\n")
		var texts []string
		for _, l := range lines {
			_, text, _ := strings.Cut(l, "] ")
			texts = append(texts, text)
		}
		if got, want := strings.Join(texts, "|"), "api started|api listening|migrated|api served GET /"; got != want {
			t.Fatalf("merged lines = %s, want %s:\n%s", got, want, out)
		}
		if !migrateLine.MatchString(lines[2]) {
			t.Errorf("the migration's line = %q, want the Job's pod", lines[2])
		}
		// Without --since the old line of the job's container shows too, first.
		all := w.must(ExitOK, "logs", "--env", env, "--module", "orders")
		first, _, _ := strings.Cut(all, "\n")
		runChecks(t, []check{
			{"without --since, the first line is the old one", true, strings.HasSuffix(first, "old line of every other container")},
			{"without --since, the first line is the Job's pod's", true, migrateLine.MatchString(first)},
		})
	})

	t.Run("json", func(t *testing.T) {
		w := w.in(t)
		out := w.must(ExitOK, "logs", "--env", env, "--module", "billing", "--json")
		var l logs.Line
		if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &l); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		runChecks(t, []check{
			{"the container", "handler", l.Container},
			{"the text", "handler subscribed", l.Text},
			{"the time", base, l.Time},
			{"the pod is billing-handler's", "billing-handler-", l.Pod[:min(len(l.Pod), len("billing-handler-"))]},
		})
	})

	t.Run("follow", func(t *testing.T) {
		w := w.in(t)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var out, errOut syncBuffer
		done := make(chan int, 1)
		go func() {
			done <- execute(ctx, []string{"logs", "--env", env, "--module", "orders", "--component", "api", "--follow", "--since", "1h"}, &out, &errOut, w.deps)
		}()
		waitFor := func(text string) {
			t.Helper()
			deadline := time.Now().Add(time.Minute)
			for !strings.Contains(out.String(), text) {
				if time.Now().After(deadline) {
					t.Fatalf("%q never arrived:\n%s%s", text, &out, &errOut)
				}
				time.Sleep(100 * time.Millisecond)
			}
		}
		waitFor("api served GET /")
		if err := w.kube.AppendContainerLog("api", time.Now(), "api served POST /orders"); err != nil {
			t.Fatal(err)
		}
		waitFor("api served POST /orders")
		cancel()
		select {
		case code := <-done:
			if code != ExitOK {
				t.Errorf("interrupted --follow: exit %d\n%s", code, &errOut)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("--follow did not stop when interrupted")
		}
		if n := strings.Count(out.String(), "api served GET /"); n != 1 {
			t.Errorf("a line printed %d times:\n%s", n, &out)
		}
	})

	t.Run("what does not exist", func(t *testing.T) {
		w := w.in(t)
		w.must(ExitUsage, "logs", "--env", env, "--module", "nosuch")
		w.must(ExitUsage, "logs", "--env", env, "--module", "orders", "--component", "nosuch")
		// An environment of the same catalog that was never deployed has no pods.
		if err := os.WriteFile(stacks.StackConfigFile(w.root, "local-elsewhere"), []byte("config:\n  conveyor:catalog: catalog\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		_, stderr, code := w.run("logs", "--env", "local-elsewhere", "--module", "orders")
		if code != ExitFailed || !strings.Contains(stderr, "orders has no pods in local-elsewhere-shop") {
			t.Errorf("exit %d: %s", code, stderr)
		}
	})
}
