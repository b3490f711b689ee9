package cli

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/oauth2/google"
	"k8s.io/client-go/kubernetes"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/status"
	"github.com/conveyor-paas/conveyor/evaluation/kube"
	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/stacks/appsecrets"
)

// statusOptions are the flags of `conveyor status`.
type statusOptions struct {
	env, module       string
	watch             bool
	timeout, interval time.Duration
	json              bool
}

func newStatus(d *deps) *cobra.Command {
	var o statusOptions
	cmd := &cobra.Command{
		Use:   "status --env <env>",
		Short: "Show what runs in an environment, read from the live cluster",
		Long: `Status reads the environment's cluster (not the state file) and shows, per module and
component: the image the next update deploys against the image that runs; the rollout state
(available, progressing, failed; a job's or cron's last run: succeeded, running, failed) and
why; ready and desired pods, and restarts; the last warning events; the endpoint of an api
and how many pods serve it; and whether the module's database, topics and subscriptions
exist.

The desired state is the program evaluated offline with the images the environment's last
deployment recorded (what the next 'conveyor up' would run). A local environment's cluster is
reached through its kubeconfig context (conveyor:kubeContext, or the current one); any other
through the kubeconfig its cluster stack exports, read from the backend and kept in memory.

Whether a database, topic or subscription exists: on a local cluster, from the setup Jobs in
<env>-conveyor that create them (a completed Job made them); on GCP, from the Cloud SQL Admin
and Pub/Sub APIs, with application default credentials (gcloud auth application-default login,
or the pipeline's workload identity); what cannot be asked is listed as not checked.

--watch follows the environment until it settles (everything healthy, or something failed),
printing each change on standard error, then prints the report; --timeout bounds the wait.

Exits 0 when everything is healthy, 1 when something is degraded (standard error says what),
3 on a bad command line, 4 when the cluster or the backend cannot be reached.`,
		Example: `  # is dev healthy? (a pipeline gates on the exit code)
  conveyor status --env dev

  # one module, as JSON for a tool
  conveyor status --env staging --module quotes --json

  # after 'conveyor up', wait until the rollout settles, at most 10 minutes
  conveyor status --env pr-123 --watch --timeout 10m`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runStatus(cmd, d, o)
		},
	}
	requireEnv(cmd, &o.env)
	cmd.Flags().StringVar(&o.module, "module", "", "only this module")
	cmd.Flags().BoolVarP(&o.watch, "watch", "w", false, "follow the environment until it settles, then print the report")
	cmd.Flags().DurationVar(&o.timeout, "timeout", 10*time.Minute, "with --watch, how long to wait for the environment to settle")
	cmd.Flags().DurationVar(&o.interval, "interval", 2*time.Second, "with --watch, how often to read the cluster")
	cmd.Flags().BoolVar(&o.json, "json", false, "print the report as a JSON document on standard output")
	return cmd
}

// statusSource is what a status needs between two reads of the cluster.
type statusSource struct {
	desired   *status.Desired
	client    kubernetes.Interface
	existence status.Existence
	cluster   *cluster
	// missingSecrets are the secrets the catalog requires that have no value.
	missingSecrets []stackops.SecretRef
}

func runStatus(cmd *cobra.Command, d *deps, o statusOptions) error {
	ctx := cmd.Context()
	src, err := prepareStatus(ctx, cmd, d, o.env, o.module)
	if err != nil {
		return err
	}
	read := func() (*status.Report, error) {
		snap, err := status.Read(ctx, src.client, src.desired.Namespaces(), d.now())
		if err != nil {
			return nil, withCode(ExitSetup, fmt.Errorf("reading the cluster (%s): %w", src.cluster.describe, err))
		}
		return status.Assess(ctx, src.desired, snap, src.existence, src.cluster.describe), nil
	}
	r, err := read()
	if err != nil {
		return err
	}
	if o.watch {
		if r, err = watchStatus(ctx, cmd, d, o, r, read); err != nil {
			return err
		}
	}
	// A secret without a value is a problem the cluster cannot show: the next deploy stops.
	for _, m := range src.missingSecrets {
		r.Problems = append(r.Problems, fmt.Sprintf("%s/%s has no value for secret %s: %s",
			o.env, m.Module, m.Name, appsecrets.SetCommand(o.env, m.Module, m.Name)))
		r.Healthy = false
	}
	if o.json {
		err = status.WriteJSON(cmd.OutOrStdout(), r)
	} else {
		err = status.WriteText(cmd.OutOrStdout(), r)
	}
	if err != nil {
		return err
	}
	if !r.Healthy {
		return withCode(ExitFailed, fmt.Errorf("%s is degraded:\n  %s", o.env, strings.Join(r.Problems, "\n  ")))
	}
	return nil
}

// watchStatus reads the cluster until the report settles or the timeout passes, saying on
// standard error what it waits for whenever that changes.
func watchStatus(ctx context.Context, cmd *cobra.Command, d *deps, o statusOptions, r *status.Report, read func() (*status.Report, error)) (*status.Report, error) {
	deadline := d.now().Add(o.timeout)
	said := ""
	for !r.Settled() {
		if waiting := strings.Join(r.Waiting(), "; "); waiting != said {
			fmt.Fprintf(cmd.ErrOrStderr(), "conveyor: waiting for %s\n", waiting)
			said = waiting
		}
		if !d.now().Before(deadline) {
			r.Problems = append(r.Problems, fmt.Sprintf("still not settled after %s: %s", o.timeout, said))
			r.Healthy = false
			return r, nil
		}
		select {
		case <-ctx.Done():
			return nil, withCode(ExitFailed, fmt.Errorf("stopped watching %s: %w", o.env, ctx.Err()))
		case <-time.After(o.interval):
		}
		var err error
		if r, err = read(); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// prepareStatus evaluates the environment's desired state and reaches its cluster.
func prepareStatus(ctx context.Context, cmd *cobra.Command, d *deps, env, module string) (*statusSource, error) {
	stack, err := parseStack("", env)
	if err != nil {
		return nil, err
	}
	// A local environment's kubeconfig is looked at first, as `up` and `logs` do: without a
	// cluster, no passphrase or Pulumi CLI is worth asking for.
	r, err := d.runnerFor(ctx, cmd.ErrOrStderr(), env)
	if err != nil {
		return nil, runnerExit(err)
	}
	desired, config, err := desiredState(ctx, r, env, stack.Kind(), module)
	if err != nil {
		return nil, err
	}
	cl, err := reachCluster(ctx, r, stack, config)
	if err != nil {
		return nil, err
	}
	client, err := kubernetes.NewForConfig(cl.config)
	if err != nil {
		return nil, withCode(ExitSetup, fmt.Errorf("a client for %s: %w", cl.describe, err))
	}
	required, err := requiredSecretsOf(r.WorkDir(), env, module)
	if err != nil {
		return nil, err
	}
	secrets, err := r.ListSecrets(ctx, env, required)
	if err != nil {
		return nil, runnerExit(err)
	}
	src := &statusSource{desired: desired, client: client, cluster: cl, missingSecrets: missingOf(secrets)}
	if cl.local {
		src.existence = status.LocalExistence{PlatformNamespace: desired.PlatformNamespace}
	} else {
		src.existence = cloudExistence(ctx, cl)
	}
	return src, nil
}

// desiredState is what env should run as its next update would run it (envConfig,
// envRecording), of module only when it is set, and the environment's config.
func desiredState(ctx context.Context, r *stackops.Runner, env string, kind naming.StackKind, module string) (*status.Desired, map[string]string, error) {
	root := r.WorkDir()
	config, overrides, err := envConfig(ctx, r, root, env)
	if err != nil {
		return nil, nil, err
	}
	cat, err := envCatalog(root, config)
	if err != nil {
		return nil, nil, err
	}
	if module != "" {
		if _, err := moduleOf(cat, env, module); err != nil {
			return nil, nil, err
		}
	}
	rec, err := envRecording(ctx, r, root, env, overrides)
	if err != nil {
		return nil, nil, err
	}
	objects, err := kube.Objects(rec)
	if err != nil {
		return nil, nil, withCode(ExitFailed, err)
	}
	desired, err := status.NewDesired(env, kind == naming.StackLocal, cat, objects)
	if err != nil {
		return nil, nil, withCode(ExitFailed, err)
	}
	if module != "" {
		desired.Modules = slices.DeleteFunc(desired.Modules, func(m status.DesiredModule) bool { return m.Name != module })
		desired.Platform = nil
	}
	return desired, config, nil
}

// cloudExistence asks Google's APIs with application default credentials. Without them
// every database and topic is reported as not checked, with the reason; the Pub/Sub
// emulator ($PUBSUB_EMULATOR_HOST) needs none.
func cloudExistence(ctx context.Context, cl *cluster) status.Existence {
	client := googleClient(ctx)
	ex := status.CloudExistence{
		Project: cl.project, SQLInstance: cl.sqlInstance,
		SQLAdmin: status.API{URL: status.SQLAdminURL, HTTP: client},
		PubSub:   status.API{URL: status.PubSubURL, HTTP: client},
	}
	if host := os.Getenv("PUBSUB_EMULATOR_HOST"); host != "" {
		ex.PubSub = status.API{URL: "http://" + host, HTTP: http.DefaultClient}
	}
	return ex
}

// googleClient calls Google's APIs with application default credentials; without them,
// every call fails saying how to get them.
func googleClient(ctx context.Context) *http.Client {
	client, err := google.DefaultClient(ctx, "https://www.googleapis.com/auth/cloud-platform")
	if err != nil {
		return &http.Client{Transport: failing{errors.New("no Google application default credentials (run `gcloud auth application-default login`)")}}
	}
	return client
}

// failing is a transport that fails every request with err.
type failing struct{ err error }

func (f failing) RoundTrip(*http.Request) (*http.Response, error) { return nil, f.err }
