package harness

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// PubSubOptions configure StartPubSub. The zero value is a usable default.
type PubSubOptions struct {
	// TB, if set, receives progress through Logf and has Stop registered with Cleanup.
	TB testing.TB
	// Logf receives progress; it defaults to TB.Logf, or to the standard logger.
	Logf Logf
	// Project is the project the emulator serves; the default is "conveyor-test". The
	// emulator accepts any project in resource names, but clients need one to be named.
	Project string
	// StartTimeout bounds the start; the default is two minutes, as java starts slowly on a
	// loaded machine.
	StartTimeout time.Duration
}

// PubSub is a running Pub/Sub emulator.
type PubSub struct {
	// Host is the emulator's host:port, the value for PUBSUB_EMULATOR_HOST.
	Host    string
	Project string
	// Dir holds the emulator's data and log (logs/pubsub.log).
	Dir string

	proc     *process
	tb       testing.TB
	logf     Logf
	stopOnce sync.Once
	stopErr  error
}

// PubSubForTest starts an emulator for tb, stopped by tb's Cleanup. It skips tb if
// CONVEYOR_SKIP_PUBSUB=1, and fails it if gcloud or java is missing or the emulator does not
// start.
func PubSubForTest(tb testing.TB) *PubSub {
	tb.Helper()
	SkipUnlessPubSub(tb)
	ps, err := StartPubSub(tb.Context(), PubSubOptions{TB: tb})
	if err != nil {
		tb.Fatalf("starting the Pub/Sub emulator: %v", err)
	}
	return ps
}

// StartPubSub starts `gcloud beta emulators pubsub start` on a free loopback port and
// returns once it answers requests. The caller must call Stop, unless opts.TB is set.
func StartPubSub(ctx context.Context, opts PubSubOptions) (*PubSub, error) {
	logf := logfFor(opts.TB, opts.Logf)
	if err := pubSubPrerequisites(); err != nil {
		return nil, err
	}
	project := opts.Project
	if project == "" {
		project = "conveyor-test"
	}
	dir, err := os.MkdirTemp("", "conveyor-pubsub-")
	if err != nil {
		return nil, fmt.Errorf("creating the emulator's directory: %w", err)
	}
	ps := &PubSub{Project: project, Dir: dir, tb: opts.TB, logf: logf}
	took, err := launch(ctx, opts.TB, "the Pub/Sub emulator", opts.StartTimeout, 2*time.Minute, ps.start, ps.Stop, nil)
	if err != nil {
		return nil, err
	}
	logf("harness: Pub/Sub emulator ready at %s in %s", ps.Host, took)
	return ps, nil
}

func (ps *PubSub) start(ctx context.Context) error {
	ports, err := freePorts(1)
	if err != nil {
		return err
	}
	ps.Host = net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[0]))
	dataDir := filepath.Join(ps.Dir, "data")
	// gcloud writes env.yaml into the data directory but does not create it.
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return fmt.Errorf("creating the emulator's data directory: %w", err)
	}
	ps.proc, err = startProcess(ps.Dir, "pubsub", []string{
		// No prompt can be answered here, and a private gcloud configuration keeps the
		// developer's own (account, project, properties) out of the test, and parallel
		// emulators out of each other's way.
		"CLOUDSDK_CORE_DISABLE_PROMPTS=1",
		"CLOUDSDK_CONFIG=" + filepath.Join(ps.Dir, "gcloud-config"),
		"CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK=1",
	}, "gcloud", "beta", "emulators", "pubsub", "start",
		"--host-port="+ps.Host,
		"--project="+ps.Project,
		"--data-dir="+dataDir,
	)
	if err != nil {
		return err
	}
	// The emulator answers "Ok" on its HTTP root once its server, gRPC included, listens.
	return waitUntil(ctx, "the Pub/Sub emulator", []*process{ps.proc}, func(ctx context.Context) error {
		body, err := httpGet(ctx, http.DefaultClient, "http://"+ps.Host+"/")
		if err == nil && strings.TrimSpace(body) != "Ok" {
			err = fmt.Errorf("unexpected answer %q", body)
		}
		return err
	})
}

// ClientOptions point a Google Cloud client at the emulator, as PUBSUB_EMULATOR_HOST would,
// but without changing the environment of the whole test binary, so tests using different
// emulators can run in parallel.
func (ps *PubSub) ClientOptions() []option.ClientOption {
	return []option.ClientOption{
		option.WithEndpoint(ps.Host),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())),
		option.WithoutAuthentication(),
		option.WithTelemetryDisabled(),
	}
}

// Stop stops the emulator, the gcloud wrapper and its java child, and removes Dir. It is safe
// to call more than once.
func (ps *PubSub) Stop() error {
	ps.stopOnce.Do(func() {
		if ps.proc != nil {
			if ps.tb != nil && ps.tb.Failed() {
				ps.logf("harness: end of Pub/Sub emulator log:\n%s", ps.proc.logTail(40))
			}
			ps.proc.stop(5 * time.Second)
		}
		if err := os.RemoveAll(ps.Dir); err != nil {
			ps.stopErr = fmt.Errorf("removing %s: %w", ps.Dir, err)
		}
	})
	return ps.stopErr
}

func pubSubPrerequisites() error {
	for _, bin := range []string{"gcloud", "java"} {
		if _, err := exec.LookPath(bin); err != nil {
			return fmt.Errorf("the Pub/Sub emulator needs %s on PATH (install google-cloud-cli, "+
				"google-cloud-cli-pubsub-emulator and a Java runtime, or set CONVEYOR_SKIP_PUBSUB=1 "+
				"to skip this tier explicitly): %w", bin, err)
		}
	}
	return nil
}
