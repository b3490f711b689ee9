package cli

import (
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/opsummary"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
)

// DefaultTTL is how long an ad-hoc environment lives unless told otherwise: a long weekend
// past a pull request's last push.
const DefaultTTL = 72 * time.Hour

func newEnv(d *deps) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "env",
		Short: "Create, list, delete and collect environments",
		Long: `An environment is a stack of the conveyor project. dev, staging, prod and local are
long-lived, and so are the cluster-<name> stacks that build clusters: they are never given a
TTL, never collected, and never deleted by conveyor. Every other name is an ad-hoc
environment, such as pr-123 for a pull request: it gets a TTL when created, and 'env gc'
destroys it once the TTL has passed.

What conveyor knows about an environment (created when and by whom, from which environment,
its cluster, when it expires) is kept in stack tags in the backend, beside its state, so it
survives any clone of the repository: the nightly 'env gc' runs in a fresh clone.`,
	}
	cmd.AddCommand(newEnvCreate(d), newEnvList(d), newEnvDelete(d), newEnvGC(d), newEnvSplit(d))
	return cmd
}

// parseTTL reads a TTL: a Go duration (90m, 72h) or a number of days (3d); 0 for none.
func parseTTL(s string) (time.Duration, error) {
	d, err := parseSpan(s)
	if err != nil {
		return 0, fmt.Errorf("invalid TTL: %w, or 0 for none", err)
	}
	return d, nil
}

// parseSpan reads a span of time written as a Go duration (72h, 90m) or in days (3d).
func parseSpan(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("%q: a number of days is written like 3d", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%q: write a duration like 72h, 90m or 3d", s)
	}
	return d, nil
}

// envCreateDocument is what `env create --json` prints.
type envCreateDocument struct {
	Created bool `json:"created"`
	stackops.EnvInfo
}

func newEnvCreate(d *deps) *cobra.Command {
	var ttl, from, cluster string
	var out outputFlags
	cmd := &cobra.Command{
		Use:   "create <name>",
		Short: "Create an environment, ad hoc with a TTL",
		Long: `Create makes an environment's stack and records its metadata in the backend. It deploys
nothing; 'conveyor up --env <name>' does.

An ad-hoc environment expires after --ttl (72h unless given; 0 for never) and 'env gc' then
collects it. --from copies the conveyor: config of another environment (secrets re-encrypted
for the new stack), so the new one starts as a copy of dev, for example; without it the
defaults of Pulumi.yaml apply, which is all an ad-hoc environment needs, since every name it
creates starts from its own name.

Creating an ad-hoc environment that exists renews its TTL from now and changes nothing else,
so a pipeline can run it on every push.

Exits 0 on success, 3 when the name is invalid or a long-lived environment is given a TTL, 4
when a backend or passphrase is missing or --from does not exist.`,
		Example: `  # a pull request's environment, as the pipeline makes it on every push
  conveyor env create pr-123 --from dev --ttl 72h

  # an experiment for a week
  conveyor env create spike-search --ttl 7d`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			o := stackops.CreateOptions{From: from, Cluster: cluster}
			switch {
			case ttl != "":
				d, err := parseTTL(ttl)
				if err != nil {
					return withCode(ExitUsage, err)
				}
				o.TTL = d
			case !stackops.IsProtected(name):
				o.TTL = DefaultTTL
			}
			if err := stackops.CheckCreate(name, o); err != nil {
				return runnerExit(err)
			}
			r, err := d.runner(cmd.Context(), cmd.ErrOrStderr())
			if err != nil {
				return runnerExit(err)
			}
			info, created, err := r.CreateEnv(cmd.Context(), name, o)
			if err != nil {
				return runnerExit(err)
			}
			if out.json {
				return opsummary.WriteJSON(cmd.OutOrStdout(), envCreateDocument{Created: created, EnvInfo: info})
			}
			verb := "created"
			if !created {
				verb = "exists; TTL renewed"
				if o.TTL == 0 {
					verb = "exists; nothing changed"
				}
			}
			expiry := "never expires"
			if !info.Meta.Expires.IsZero() {
				expiry = "expires " + info.Meta.Expires.Format(time.RFC3339)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "environment %s %s: cluster %s, %s\n", name, verb, info.Cluster, expiry)
			if created && from != "" {
				fmt.Fprintf(cmd.OutOrStdout(), "config copied from %s; deploy it with: conveyor up --env %s\n", from, name)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&ttl, "ttl", "", "how long an ad-hoc environment lives: 72h, 90m, 3d; 0 for never (default 72h; long-lived environments take none)")
	cmd.Flags().StringVar(&from, "from", "", "copy the conveyor: config of this environment")
	cmd.Flags().StringVar(&cluster, "cluster", "", "the cluster stack it deploys onto, recorded in its metadata (default by convention: cluster-nonprod)")
	out.register(cmd, false)
	return cmd
}

func newEnvList(d *deps) *cobra.Command {
	var out outputFlags
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List environments with their cluster, age, expiry, last update and size",
		Long: `List shows every environment of the project in the backend: its cluster, its age,
when it expires (never, for long-lived environments), when it was last updated and how many
resources it has. --json prints the same as an array of objects.`,
		Example: `  conveyor env list
  conveyor env list --json | jq -r '.[] | select(.expired) | .name'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, err := d.runner(cmd.Context(), cmd.ErrOrStderr())
			if err != nil {
				return runnerExit(err)
			}
			envs, err := r.ListEnvs(cmd.Context())
			if err != nil {
				return runnerExit(err)
			}
			if out.json {
				return opsummary.WriteJSON(cmd.OutOrStdout(), envs)
			}
			now := d.now()
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tCLUSTER\tAGE\tEXPIRES\tLAST UPDATE\tRESOURCES")
			for _, env := range envs {
				age := "-"
				if !env.Meta.Created.IsZero() {
					age = short(now.Sub(env.Meta.Created))
				}
				cluster := env.Cluster
				if cluster == "" {
					cluster = "-"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\n", env.Name, cluster, age, expiry(now, env), ago(now, env.LastUpdate), env.ResourceCount)
			}
			return tw.Flush()
		},
	}
	out.register(cmd, false)
	return cmd
}

func expiry(now time.Time, env stackops.EnvInfo) string {
	switch {
	case env.Protected:
		return "never (long-lived)"
	case env.Meta.Expires.IsZero():
		return "never"
	case env.Expired:
		return "expired " + short(now.Sub(env.Meta.Expires)) + " ago"
	}
	return "in " + short(env.Meta.Expires.Sub(now))
}

func newEnvDelete(d *deps) *cobra.Command {
	var out outputFlags
	cmd := &cobra.Command{
		Use:   "delete <name>",
		Short: "Destroy an ad-hoc environment and remove its stack",
		Long: `Delete drops an ad-hoc environment's databases and roles (its teardown job), destroys
every resource of it, then removes its stack, its metadata and its config file. An environment that does not exist is reported and the command
succeeds, so cleanup (a closed pull request) can run twice. Long-lived environments and cluster
stacks are refused.

Exits 0 when the environment is gone, 1 when destroying or removing failed, 3 for a long-lived
environment, 4 when a backend or passphrase is missing.`,
		Example: `  # when pull request 123 is closed
  conveyor env delete pr-123`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := stackops.CheckDelete(args[0]); err != nil {
				return runnerExit(err)
			}
			r, err := d.runner(cmd.Context(), cmd.ErrOrStderr())
			if err != nil {
				return runnerExit(err)
			}
			o, pr := runOptions(cmd, d)
			s, err := r.DeleteEnv(cmd.Context(), args[0], o)
			pr.Done()
			if stackops.IsNotFound(err) {
				if out.json {
					return opsummary.WriteJSON(cmd.OutOrStdout(), map[string]any{"environment": args[0], "deleted": false, "reason": "not found"})
				}
				fmt.Fprintf(cmd.OutOrStdout(), "there is no environment %s: nothing to delete\n", args[0])
				return nil
			}
			if err := printSummary(cmd, out, s, err); err != nil {
				return err
			}
			if !out.json {
				fmt.Fprintf(cmd.OutOrStdout(), "environment %s deleted\n", args[0])
			}
			return nil
		},
	}
	out.register(cmd, false)
	return cmd
}

func newEnvGC(d *deps) *cobra.Command {
	var yes bool
	var out outputFlags
	cmd := &cobra.Command{
		Use:   "gc",
		Short: "Collect the ad-hoc environments whose TTL has passed",
		Long: `GC finds every ad-hoc environment whose TTL has passed and, with --yes, destroys it and
removes its stack, four at a time. Without --yes it only says what it would collect. Long-lived
environments and cluster stacks are never collected, whatever their tags say; environments
without a TTL are kept.

One environment failing does not stop the others. Exits 0 when every expired environment was
collected (or, without --yes, always), 1 when any could not be, 4 when a backend or passphrase
is missing.`,
		Example: `  # what would go
  conveyor env gc

  # nightly
  conveyor env gc --yes --json > gc.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, err := d.runner(cmd.Context(), cmd.ErrOrStderr())
			if err != nil {
				return runnerExit(err)
			}
			res, err := r.CollectExpired(cmd.Context(), stackops.GCOptions{
				DryRun: !yes,
				Notify: func(msg string) { fmt.Fprintln(cmd.ErrOrStderr(), "conveyor:", msg) },
			})
			if err != nil {
				return runnerExit(err)
			}
			if out.json {
				if err := opsummary.WriteJSON(cmd.OutOrStdout(), res); err != nil {
					return err
				}
			} else {
				writeGC(cmd, res)
			}
			if n := res.Failed(); n > 0 {
				return withCode(ExitFailed, fmt.Errorf("%d expired environment(s) could not be collected", n))
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&yes, "yes", false, "destroy and remove the expired environments (without it, only list them)")
	out.register(cmd, false)
	return cmd
}

func writeGC(cmd *cobra.Command, res *stackops.GCResult) {
	w := cmd.OutOrStdout()
	collect := 0
	for _, e := range res.Entries {
		if e.Action != stackops.GCKept {
			collect++
		}
	}
	if res.DryRun {
		fmt.Fprintf(w, "%d of %d environments expired (dry run: nothing was changed; --yes collects them)\n", collect, len(res.Entries))
	} else {
		fmt.Fprintf(w, "%d of %d environments expired\n", collect, len(res.Entries))
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, e := range res.Entries {
		line := fmt.Sprintf("  %s\t%s\t%s", e.Action, e.Env.Name, e.Reason)
		if e.Error != "" {
			line += "\t" + strings.ReplaceAll(e.Error, "\n", " ")
		}
		fmt.Fprintln(tw, line)
	}
	_ = tw.Flush()
}
