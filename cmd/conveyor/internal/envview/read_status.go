package envview

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"k8s.io/client-go/kubernetes"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/status"
	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/stacks/appsecrets"
)

// StatusRequest asks what runs in an environment.
type StatusRequest struct {
	Env naming.Stack
	// Module, when set, is the only module reported.
	Module string
	// Watch reads the cluster every Interval until the report settles or Timeout passes.
	Watch             bool
	Timeout, Interval time.Duration
}

// statusSource is what a status needs between two reads of the cluster.
type statusSource struct {
	desired   *status.Desired
	client    kubernetes.Interface
	existence status.Existence
	cluster   *Cluster
}

// Status reads the environment's cluster against its desired state (View.Desired) and
// assesses it. A secret the catalog requires without a value is a problem too, which the
// cluster cannot show: the next deploy stops on it.
func (r *Reader) Status(ctx context.Context, req StatusRequest) (*status.Report, error) {
	v, err := r.online(ctx, req.Env)
	if err != nil {
		return nil, err
	}
	src, err := r.statusSource(ctx, v, req.Module)
	if err != nil {
		return nil, err
	}
	// What an update would check first: the catalog of the stack file, not the backend's.
	offline, err := Open(ctx, Source{Root: r.opts.Root, Stack: req.Env})
	if err != nil {
		return nil, err
	}
	required, err := offline.requiredSecrets(req.Module)
	if err != nil {
		return nil, err
	}
	secrets, err := v.Backend.ListSecrets(ctx, req.Env.Name(), required)
	if err != nil {
		return nil, err
	}
	read := func() (*status.Report, error) {
		snap, err := status.Read(ctx, src.client, src.desired.Namespaces(), r.opts.Now())
		if err != nil {
			return nil, setup(fmt.Errorf("reading the cluster (%s): %w", src.cluster.Describe, err))
		}
		return status.Assess(ctx, src.desired, snap, src.existence, src.cluster.Describe), nil
	}
	report, err := read()
	if err != nil {
		return nil, err
	}
	if req.Watch {
		if report, err = r.watch(ctx, req, report, read); err != nil {
			return nil, err
		}
	}
	for _, m := range MissingSecrets(secrets) {
		report.Problems = append(report.Problems, fmt.Sprintf("%s/%s has no value for secret %s: %s",
			req.Env, m.Module, m.Name, appsecrets.SetCommand(req.Env.Name(), m.Module, m.Name)))
		report.Healthy = false
	}
	return report, nil
}

// statusSource evaluates the environment's desired state and reaches its cluster.
func (r *Reader) statusSource(ctx context.Context, v *View, module string) (*statusSource, error) {
	desired, err := v.Desired(ctx, module)
	if err != nil {
		return nil, err
	}
	cl, err := v.Reach(ctx)
	if err != nil {
		return nil, err
	}
	client, err := cl.Client()
	if err != nil {
		return nil, err
	}
	src := &statusSource{desired: desired, client: client, cluster: cl}
	if cl.Local {
		src.existence = status.LocalExistence{PlatformNamespace: desired.PlatformNamespace}
	} else {
		src.existence = r.cloudExistence(ctx, cl)
	}
	return src, nil
}

// watch reads the cluster until the report settles or the timeout passes, saying on the log
// what it waits for whenever that changes.
func (r *Reader) watch(ctx context.Context, req StatusRequest, report *status.Report, read func() (*status.Report, error)) (*status.Report, error) {
	deadline := r.opts.Now().Add(req.Timeout)
	said := ""
	for !report.Settled() {
		if waiting := strings.Join(report.Waiting(), "; "); waiting != said {
			fmt.Fprintf(r.opts.Log, "conveyor: waiting for %s\n", waiting)
			said = waiting
		}
		if !r.opts.Now().Before(deadline) {
			report.Problems = append(report.Problems, fmt.Sprintf("still not settled after %s: %s", req.Timeout, said))
			report.Healthy = false
			return report, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("stopped watching %s: %w", req.Env, ctx.Err())
		case <-time.After(req.Interval):
		}
		var err error
		if report, err = read(); err != nil {
			return nil, err
		}
	}
	return report, nil
}

// cloudExistence asks Google's APIs (Options.Google, with application default credentials).
// Without credentials every database and topic is reported as not checked, with the reason;
// the Pub/Sub emulator ($PUBSUB_EMULATOR_HOST) needs none.
func (r *Reader) cloudExistence(ctx context.Context, cl *Cluster) status.Existence {
	client := http.DefaultClient
	if r.opts.Google != nil {
		client = r.opts.Google(ctx)
	}
	ex := status.CloudExistence{
		Project: cl.Project, SQLInstance: cl.SQLInstance,
		SQLAdmin: status.API{URL: status.SQLAdminURL, HTTP: client},
		PubSub:   status.API{URL: status.PubSubURL, HTTP: client},
	}
	if host := os.Getenv("PUBSUB_EMULATOR_HOST"); host != "" {
		ex.PubSub = status.API{URL: "http://" + host, HTTP: http.DefaultClient}
	}
	return ex
}
