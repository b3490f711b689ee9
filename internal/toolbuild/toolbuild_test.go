package toolbuild

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLockWaitsForItsHolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lock")
	unlock, err := Lock(context.Background(), path, func() { t.Fatal("a free lock made its taker wait") })
	if err != nil {
		t.Fatal(err)
	}
	waited := make(chan struct{}, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	go func() {
		time.Sleep(300 * time.Millisecond)
		unlock()
	}()
	second, err := Lock(ctx, path, func() { waited <- struct{}{} })
	if err != nil {
		t.Fatalf("the second taker did not get the lock once it was released: %v", err)
	}
	second()
	if len(waited) != 1 {
		t.Error("the second taker was not told it waits")
	}
	held, _ := Lock(context.Background(), path, func() {})
	defer held()
	short, cancelShort := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancelShort()
	if _, err := Lock(short, path, func() {}); err == nil || !strings.Contains(err.Error(), "waiting for lock") {
		t.Errorf("a wait past its context = %v", err)
	}
}

func TestTail(t *testing.T) {
	if got := Tail([]byte("short"), 10); got != "short" {
		t.Errorf("Tail of a short output = %q", got)
	}
	if got := Tail([]byte("line one\nline two\nline three\n"), 15); got != "...\nline three\n" {
		t.Errorf("Tail = %q", got)
	}
}

func TestWaitSaysItIsStillGoing(t *testing.T) {
	cmd := exec.Command("sleep", "0.3")
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ticks := 0
	if err := Wait(cmd, start, 50*time.Millisecond, func(time.Duration) { ticks++ }); err != nil {
		t.Fatalf("Wait: %v", err)
	}
	if ticks == 0 {
		t.Error("a 300 ms command waited on every 50 ms never said it was still going")
	}
	failing := exec.Command("false")
	if err := failing.Start(); err != nil {
		t.Fatal(err)
	}
	if err := Wait(failing, time.Now(), time.Minute, func(time.Duration) {}); err == nil {
		t.Error("Wait of a command that exits 1 returned no error")
	}
}
