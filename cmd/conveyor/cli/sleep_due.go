package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"

	"github.com/spf13/cobra"
	"k8s.io/client-go/kubernetes"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/envview"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
	"github.com/conveyor-paas/conveyor/internal/sleeper"
	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/stacks"
)

// dueKind is which schedule a --due run applies: sleep's or wake's.
type dueKind int

const (
	sleepDue dueKind = iota
	wakeDue
)

// DueResult is what a --due run did with one environment.
type DueResult struct {
	sleeper.Decision
	// Done: the sleep or wake it was due for happened (false on --dry-run).
	Done bool `json:"done,omitempty"`
	// Workloads are what the sleeper scaled down or suspended on the cluster.
	Workloads []sleeper.Workload `json:"workloads,omitempty"`
	Error     string             `json:"error,omitempty"`
}

// runDue decides for every environment of the backend, and sleeps or wakes the due ones.
// One environment's failure does not stop the others; it makes the exit code 1.
func runDue(cmd *cobra.Command, d *deps, out outputFlags, dryRun bool, kind dueKind) error {
	ctx := cmd.Context()
	opts, err := d.options()
	if err != nil {
		return withCode(ExitSetup, err)
	}
	r, err := d.runner(ctx, cmd.ErrOrStderr())
	if err != nil {
		return runnerExit(err)
	}
	candidates, err := r.SleepCandidates(ctx)
	if err != nil {
		return runnerExit(err)
	}
	now := d.now()
	var results []DueResult
	failed := false
	for _, c := range candidates {
		env, err := dueEnv(opts.WorkDir, c)
		if err != nil {
			results = append(results, DueResult{Decision: sleeper.Decision{Env: c.Name, Why: "its policy"}, Error: err.Error()})
			failed = true
			continue
		}
		res := DueResult{Decision: sleeper.DueToSleep(env, now)}
		if kind == wakeDue {
			res.Decision = sleeper.DueToWake(env, now)
		}
		if dryRun || (!res.Sleep && !res.Wake) {
			results = append(results, res)
			continue
		}
		if kind == sleepDue {
			res.Workloads, err = sleepScaled(ctx, d, r, c.Name, res.Reason)
		} else {
			o, pr := runOptions(cmd, d)
			_, err = wakeEnv(ctx, d, r, c.Name, stackops.WakeOptions{Scheduled: true}, o)
			pr.Done()
		}
		if err != nil {
			res.Error, failed = err.Error(), true
		} else {
			res.Done = true
		}
		results = append(results, res)
	}
	if err := printDue(cmd, out, results, kind, dryRun); err != nil {
		return err
	}
	if failed {
		return withCode(ExitFailed, errSilent)
	}
	return nil
}

// sleepScaled is the sleeper's sleep: the tags first, so that every later update renders the
// environment asleep and its wake releases what follows, then the cluster at once.
func sleepScaled(ctx context.Context, d *deps, r *stackops.Runner, env, reason string) ([]sleeper.Workload, error) {
	if err := r.MarkAsleep(ctx, env, reason); err != nil {
		return nil, err
	}
	if err := r.MarkScaled(ctx, env); err != nil {
		return nil, err
	}
	client, err := d.sleepCluster(ctx, r, env)
	if err != nil {
		return nil, err
	}
	return sleeper.ScaleDown(ctx, client, env)
}

// dueEnv is what the decisions read of one environment: its tags and history from the
// backend, its policy from its stack file in this clone (an ad-hoc environment has none
// there and follows its tier's).
func dueEnv(root string, c stackops.SleepCandidate) (sleeper.Env, error) {
	kind, err := naming.ClassifyStack(c.Name)
	if err != nil {
		return sleeper.Env{}, err
	}
	config, err := stacks.ReadStackConfig(root, c.Name)
	if err != nil {
		return sleeper.Env{}, err
	}
	policy, err := sleeper.PolicyOf(kind, config, filepath.Join("stacks", filepath.Base(stacks.StackConfigFile(root, c.Name))))
	if err != nil {
		return sleeper.Env{}, err
	}
	production, _ := strconv.ParseBool(config[naming.ConfigProduction])
	return sleeper.Env{
		Name: c.Name, Kind: kind, Production: production, Asleep: c.Sleep.Asleep, Keep: c.Sleep.Keep,
		LastActive: c.LastActive, Policy: policy,
	}, nil
}

func printDue(cmd *cobra.Command, out outputFlags, results []DueResult, kind dueKind, dryRun bool) error {
	w := cmd.OutOrStdout()
	if out.json {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			DryRun  bool        `json:"dryRun,omitempty"`
			Entries []DueResult `json:"entries"`
		}{dryRun, results})
	}
	verb := map[dueKind]string{sleepDue: "asleep", wakeDue: "awake"}[kind]
	for _, r := range results {
		due := r.Sleep || r.Wake
		switch {
		case r.Error != "":
			fmt.Fprintf(w, "%s: FAILED (%s): %s\n", r.Env, r.Why, r.Error)
		case due && dryRun:
			fmt.Fprintf(w, "%s: due (%s)\n", r.Env, r.Why)
		case due:
			fmt.Fprintf(w, "%s: %s now (%s)", r.Env, verb, r.Why)
			if n := len(r.Workloads); n > 0 {
				fmt.Fprintf(w, ", %d workloads scaled down or suspended", n)
			}
			fmt.Fprintln(w)
		default:
			fmt.Fprintf(w, "%s: left as it is (%s)\n", r.Env, r.Why)
		}
	}
	return nil
}

// reachSleepCluster is a client of env's cluster, as the environment views reach it: a local
// environment's through its kubeconfig context, any other through its cluster stack's
// outputs in the backend, with the credentials of whoever runs the command.
func reachSleepCluster(ctx context.Context, r *stackops.Runner, root, env string) (kubernetes.Interface, error) {
	stack, err := naming.ParseStack(env)
	if err != nil {
		return nil, err
	}
	v, err := envview.Open(ctx, envview.Source{Root: root, Stack: stack, Backend: r})
	if err != nil {
		return nil, err
	}
	c, err := v.Reach(ctx)
	if err != nil {
		return nil, err
	}
	return c.Client()
}

// sleepCluster is the deps' way to env's cluster for sleep and wake.
func (d *deps) sleepCluster(ctx context.Context, r *stackops.Runner, env string) (kubernetes.Interface, error) {
	opts, err := d.options()
	if err != nil {
		return nil, err
	}
	if d.cluster != nil {
		return d.cluster(ctx, env)
	}
	client, err := reachSleepCluster(ctx, r, opts.WorkDir, env)
	if err != nil {
		return nil, fmt.Errorf("reaching the cluster of %s: %w", env, err)
	}
	return client, nil
}
