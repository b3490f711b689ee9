package cli

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/envview"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/logs"
)

type logsOptions struct {
	env, module, component string
	follow, timestamps     bool
	since                  time.Duration
	json                   bool
}

func newLogs(d *deps) *cobra.Command {
	var o logsOptions
	cmd := &cobra.Command{
		Use:   "logs --env <env> --module <module>",
		Short: "Print the logs of a module's pods, merged, each line tagged with its pod",
		Long: `Logs prints the logs of every pod of a module (or of one of its components), read
through the Kubernetes log API, each line prefixed with [<pod>/<container>]. The lines of all
pods are merged in time order; --follow keeps printing them as they come, and picks up the
pods of a rollout as they start, until interrupted.

A container that has no logs yet (its image cannot be pulled, its pod waits for a node) is
said on standard error; the others are printed.

The cluster is reached as 'conveyor status' reaches it: a local environment's kubeconfig
context, or the kubeconfig of the environment's cluster stack.

Exits 0 when logs were printed (or --follow was interrupted), 1 when the module has no pods,
3 on a bad command line, 4 when the cluster cannot be reached.`,
		Example: `  # the last hour of the quotes api in dev
  conveyor logs --env dev --module quotes --component api --since 1h

  # every component of claims, as it happens
  conveyor logs --env pr-123 --module claims --follow

  # one JSON object per line, for jq
  conveyor logs --env staging --module payments --json | jq -r 'select(.text | test("ERROR"))'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runLogs(cmd, d, o) },
	}
	requireEnv(cmd, &o.env)
	cmd.Flags().StringVar(&o.module, "module", "", "the module whose pods to read")
	cmd.Flags().StringVar(&o.component, "component", "", "only this component's pods")
	cmd.Flags().BoolVarP(&o.follow, "follow", "f", false, "keep printing new lines, and the pods that start, until interrupted")
	cmd.Flags().DurationVar(&o.since, "since", 0, "only lines newer than this, e.g. 10m or 2h")
	cmd.Flags().BoolVar(&o.timestamps, "timestamps", false, "start each line with its time")
	cmd.Flags().BoolVar(&o.json, "json", false, "print one JSON object per line: time, pod, container, text")
	_ = cmd.MarkFlagRequired("module")
	return cmd
}

func runLogs(cmd *cobra.Command, d *deps, o logsOptions) error {
	stack, err := parseStack("", o.env)
	if err != nil {
		return err
	}
	root, err := d.workDir()
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	enc := json.NewEncoder(out)
	var werr error
	sink := func(l logs.Line) {
		if werr != nil {
			return
		}
		switch {
		case o.json:
			werr = enc.Encode(l)
		case o.timestamps:
			_, werr = fmt.Fprintf(out, "%s [%s/%s] %s\n", l.Time.Format(time.RFC3339Nano), l.Pod, l.Container, l.Text)
		default:
			_, werr = fmt.Fprintf(out, "[%s/%s] %s\n", l.Pod, l.Container, l.Text)
		}
	}
	err = d.reader(cmd, root).Logs(cmd.Context(), envview.LogsRequest{
		Env: stack, Module: o.module, Component: o.component, Since: o.since, Follow: o.follow,
	}, sink)
	if err != nil {
		return viewExit(err)
	}
	return werr
}
