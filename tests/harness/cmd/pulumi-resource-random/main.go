// Command pulumi-resource-random is a TEST DOUBLE of the Pulumi random provider plugin,
// implementing only RandomPassword (see package randomdouble). The tests build it and put it
// on PATH, where the Pulumi engine finds it; it is never a substitute for the real provider
// outside Conveyor's tests.
//
// It speaks the plugin protocol the way the SDK's provider.Main does (which it does not use,
// because that pulls a tracing bridge into the root module's dependencies): serve the
// provider on a free loopback port, print the port, and stop when the engine's health check
// fails, so that a killed engine never leaves the plugin behind.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"

	"github.com/conveyor-paas/conveyor/tests/harness/randomdouble"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-resource-random (test double): %v\n", err)
		os.Exit(1)
	}
}

func run() error {
	// The engine passes its own address as the one argument (after flags such as --tracing,
	// which the double ignores), and sends SIGINT when it is done with the plugin.
	var engine string
	for _, a := range os.Args[1:] {
		if len(a) > 0 && a[0] != '-' {
			engine = a
		}
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
	defer cancel()
	if engine != "" {
		if err := rpcutil.Healthcheck(ctx, engine, 5*time.Minute, cancel); err != nil {
			return fmt.Errorf("watching the engine at %s: %w", engine, err)
		}
	}
	stop := make(chan bool)
	go func() {
		<-ctx.Done()
		close(stop)
	}()
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: stop,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterResourceProviderServer(srv, randomdouble.New())
			return nil
		},
	})
	if err != nil {
		return err
	}
	// The plugin protocol: the first line on standard output is the port.
	fmt.Printf("%d\n", handle.Port)
	return <-handle.Done
}
