// Command conveyor is the one command developers and CI pipelines share: it validates
// catalogs, checks policy offline, and drives environments through the Pulumi Automation API
// with the same program `pulumi up` runs.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Execute(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
