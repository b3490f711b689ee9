package harness

import (
	"context"
	"time"
)

// launch starts what the harness runs (a control plane, the emulator, PostgreSQL) the one
// way they all start: stop is registered with tb's Cleanup before anything starts, so that a
// failure half-way still cleans up; start gets timeout (fallback when zero); a failed start
// is stopped at once, after onFail (when set) has shown why while the logs still exist. It
// returns how long the start took.
func launch(ctx context.Context, tb owner, what string, timeout, fallback time.Duration,
	start func(context.Context) error, stop func() error, onFail func()) (time.Duration, error) {
	if tb != nil {
		tb.Cleanup(func() {
			if err := stop(); err != nil {
				tb.Errorf("stopping %s: %v", what, err)
			}
		})
	}
	if timeout == 0 {
		timeout = fallback
	}
	began := time.Now()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := start(ctx); err != nil {
		if onFail != nil {
			onFail()
		}
		_ = stop()
		return 0, err
	}
	return time.Since(began).Round(100 * time.Millisecond), nil
}
