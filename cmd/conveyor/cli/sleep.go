package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/opsummary"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
	"github.com/conveyor-paas/conveyor/internal/tracked"
	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/stacks"
	"github.com/conveyor-paas/conveyor/stacks/stackfile"
)

// Sleep is desired state, not an action on the cluster: `sleep` writes conveyor:asleep into
// the environment's stack file and runs the update, and the program renders the environment
// asleep (components.Environment.Asleep) for as long as the key is there, so that an up or a
// deploy keeps it asleep instead of fighting it. `wake` removes the key and runs the update:
// the program again, with exactly the replicas and autoscalers it declares.

func newSleep(d *deps) *cobra.Command {
	return sleepCommand(d, true, "sleep --env <env>", "Stop every pod of an environment's modules until it is woken",
		`Sleep puts a non-production environment to sleep: it writes conveyor:asleep: true into the
environment's stack file and runs the update. Every Deployment of its modules goes to zero
replicas and loses its autoscaler; every CronJob is suspended. Databases, topics,
subscriptions, Secrets and Services stay, so a wake finds them as they were. A later up or
deploy leaves the environment asleep (and says so) until 'conveyor wake'.

Production refuses to sleep. A stack file that git tracks (dev, staging, local) is a change to
commit, not one the command makes: sleep then says which line to commit and changes nothing.

Exits 0 when the environment is asleep, 1 when the update failed, 3 when the environment may
not sleep or its stack file is tracked, 4 when a backend or passphrase is missing.`,
		`  conveyor sleep --env pr-123
  conveyor status --env pr-123      # says it sleeps and how to wake it
  conveyor wake --env pr-123`)
}

func newWake(d *deps) *cobra.Command {
	return sleepCommand(d, false, "wake --env <env>", "Run an asleep environment's pods again, exactly as the program declares",
		`Wake removes conveyor:asleep from the environment's stack file and runs the update: the
program renders the environment as it does for one that never slept, so every Deployment gets
back the replicas or the autoscaler its manifest declares and every CronJob runs again.

A stack file that git tracks is a change to commit: wake then says which line to remove.

Exits 0 when the environment is awake, 1 when the update failed, 3 when its stack file is
tracked, 4 when a backend or passphrase is missing.`,
		`  conveyor wake --env pr-123
  conveyor wake --env local-alice --json > wake.json`)
}

func sleepCommand(d *deps, asleep bool, use, short, long, example string) *cobra.Command {
	var env string
	var out outputFlags
	cmd := &cobra.Command{
		Use:     use,
		Short:   short,
		Long:    long,
		Example: example,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			stack, err := parseStack("", env)
			if err != nil {
				return err
			}
			opts, err := d.options()
			if err != nil {
				return withCode(ExitSetup, err)
			}
			if err := setAsleep(cmd.Context(), opts.WorkDir, stack, asleep); err != nil {
				return err
			}
			s, err := operate(cmd, d, env, func(ctx context.Context, r *stackops.Runner, o stackops.RunOptions) (*opsummary.Summary, error) {
				o.Message = map[bool]string{true: "sleep", false: "wake"}[asleep]
				return r.Up(ctx, env, o)
			})
			return printSummary(cmd, out, s, err)
		},
	}
	requireEnv(cmd, &env)
	out.register(cmd, false)
	return cmd
}

// setAsleep writes conveyor:asleep into stack's file (asleep) or removes it, keeping the rest
// of the file, comments included. It refuses production and a file git tracks.
func setAsleep(ctx context.Context, root string, stack naming.Stack, asleep bool) error {
	env := stack.Name()
	if stack.Kind() == naming.StackCluster || stack.Kind() == naming.StackFacts {
		return withCode(ExitUsage, fmt.Errorf("%s is a cluster stack; only an environment sleeps", env))
	}
	file := stacks.StackConfigFile(root, env)
	rel := stackfile.Name(env)
	config, err := stacks.ReadStackConfig(root, env)
	if err != nil {
		return withCode(ExitSetup, err)
	}
	production, _ := strconv.ParseBool(config[naming.ConfigProduction])
	if asleep && (stack.Kind() == naming.StackProduction || production) {
		return withCode(ExitUsage, fmt.Errorf("%s is a production environment, which never sleeps", env))
	}
	if config[naming.ConfigAsleep] == "" && !asleep {
		return nil // never slept: wake is the update alone
	}
	files, err := tracked.Files(ctx, root, filepath.ToSlash(rel))
	if err == nil && len(files) > 0 {
		change := fmt.Sprintf("add `%s: true` under config:", naming.ConfigAsleep)
		if !asleep {
			change = fmt.Sprintf("remove `%s` from it", naming.ConfigAsleep)
		}
		return withCode(ExitUsage, fmt.Errorf("%s is tracked by git: commands never change it; %s, commit, and run conveyor up --env %s", rel, change, env))
	}
	return writeAsleep(file, asleep)
}

// writeAsleep edits the YAML document in place, so that a person's comments and order stay.
func writeAsleep(file string, asleep bool) error {
	var doc yaml.Node
	data, err := os.ReadFile(file)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		data = nil
	case err != nil:
		return withCode(ExitSetup, fmt.Errorf("reading %s: %w", file, err))
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return withCode(ExitSetup, fmt.Errorf("%s: %w", file, err))
	}
	if doc.Kind == 0 {
		doc = yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode}}}
	}
	top := doc.Content[0]
	if top.Kind != yaml.MappingNode {
		return withCode(ExitSetup, fmt.Errorf("%s: not a mapping", file))
	}
	config := mapValue(top, "config")
	if config == nil {
		config = &yaml.Node{Kind: yaml.MappingNode}
		top.Content = append(top.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "config"}, config)
	}
	setKey(config, naming.ConfigAsleep, asleep)
	out, err := yaml.Marshal(&doc)
	if err != nil {
		return withCode(ExitSetup, fmt.Errorf("writing %s: %w", file, err))
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return withCode(ExitSetup, fmt.Errorf("writing %s: %w", file, err))
	}
	if err := os.WriteFile(file, out, 0o644); err != nil {
		return withCode(ExitSetup, fmt.Errorf("writing %s: %w", file, err))
	}
	return nil
}

func mapValue(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// setKey sets key to true, or removes it when !asleep.
func setKey(m *yaml.Node, key string, asleep bool) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			if asleep {
				m.Content[i+1] = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "true"}
			} else {
				m.Content = append(m.Content[:i], m.Content[i+2:]...)
			}
			return
		}
	}
	if asleep {
		m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: key}, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "true"})
	}
}

// noteAsleep tells whoever ran an up or a deploy that the environment stays asleep: the
// update changed what it declares, and no pod runs until a wake.
func noteAsleep(cmd *cobra.Command, d *deps, env string) {
	opts, err := d.options()
	if err != nil {
		return
	}
	config, err := stacks.ReadStackConfig(opts.WorkDir, env)
	if asleep, _ := strconv.ParseBool(config[naming.ConfigAsleep]); err == nil && asleep {
		fmt.Fprintf(cmd.ErrOrStderr(), "conveyor: %s is asleep (%s): its modules run no pods; conveyor wake --env %s runs them\n", env, naming.ConfigAsleep, env)
	}
}
