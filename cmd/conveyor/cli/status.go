package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/envview"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/status"
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

func runStatus(cmd *cobra.Command, d *deps, o statusOptions) error {
	stack, err := parseStack("", o.env)
	if err != nil {
		return err
	}
	root, err := d.workDir()
	if err != nil {
		return err
	}
	r, err := d.reader(cmd, root).Status(cmd.Context(), envview.StatusRequest{
		Env: stack, Module: o.module, Watch: o.watch, Timeout: o.timeout, Interval: o.interval,
	})
	if err != nil {
		return viewExit(err)
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
