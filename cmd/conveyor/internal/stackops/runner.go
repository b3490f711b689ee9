package stackops

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/pulumicli"
	"github.com/conveyor-paas/conveyor/stacks/stackfile"
)

// Runner runs operations on the environments of one project. Every operation it offers is
// listed here, with the file that holds it (doc.go says how the files are grouped).
//
// Operations on one environment's stack, through Pulumi's engine (op_stack.go unless named):
//   - Preview: what an update of env would change; saves the plan to apply when asked.
//   - Up: updates env to what the program declares; production only by applying a plan.
//   - Destroy: deletes every resource of env, keeping its stack; a long-lived one only if confirmed.
//   - Refresh: updates env's state to what is live, changing nothing live.
//   - Drift: compares what is live with env's state, changing nothing at all.
//   - Deploy: an update asking for one component's image, targeted at its module (op_deploy.go).
//   - Promote: brings the images one environment runs into another (op_promote.go).
//   - Rollback: puts back the images that ran at an earlier update (op_rollback.go).
//
// Reads that change nothing:
//   - History: env's operations, newest first, without decrypting a secret (op_history.go).
//   - DeployedConfig: the config of env's last successful operation, secrets left out (op_inspect.go).
//   - StackOutputs: a stack's outputs, secrets in clear, for the caller to keep in memory (op_inspect.go).
//   - NextImages: the image layers env's next update would deploy (config_images.go).
//
// Application secrets (config_secrets.go):
//   - SetSecret: gives a module's secret a new value in env's store.
//   - UnsetSecret: removes a secret's value.
//   - ListSecrets: whether each required secret has a value, and which version; never the value.
//
// An environment's lifecycle:
//   - CreateEnv: creates an environment's stack and records its metadata (env_lifecycle.go).
//   - ListEnvs: describes every environment of the project, sorted by name (env_lifecycle.go).
//   - DeleteEnv: destroys an ad-hoc environment and removes its stack (env_lifecycle.go).
//   - CollectExpired: destroys and removes every ad-hoc environment past its TTL (env_gc.go).
//   - Split: moves each module of an environment into a stack of its own, E.<module> (env_split.go).
//   - Asleep: whether an environment's next update renders it asleep (env_sleep.go).
//   - SleepState: an environment's sleep tags (env_sleep.go).
//   - MarkAsleep: tags an environment asleep; the next update or the sleeper scales it down (env_sleep.go).
//   - MarkScaled: records that the sleeper is about to scale an environment down (env_sleep.go).
//   - MarkAwake: removes the sleep tag, records the wake and renews the TTL (env_sleep.go).
//   - SleepCandidates: every environment that could sleep, with its tags and history (env_sleep_due.go).
//   - Stacks: an environment's stacks, its base and a split one's module stacks, for a CI matrix (env_split_stacks.go).
//
// Between the tiers:
//   - PublishFacts: publishes a long-lived cluster's facts into the ad-hoc tier's backend (op_facts.go).
//
// Where it works:
//   - WorkDir: the repository folder, which holds Pulumi.yaml and the stack files (op_inspect.go).
//   - Workspace: the Automation API workspace of the non-production tier.
//   - WorkspaceFor: the workspace of env's tier.
//
// What each operation checks before it starts is in op_checks.go (CheckDeploy, CheckPromote,
// ...), callable without a Runner so that a command refuses a bad request before any setup.
type Runner struct {
	opts Options
	// ws runs the CLI for every stack, but production's when wsProd is set (see state_tiers.go)
	// and the local environments' when wsLocal is (state_checkpoints.go).
	ws, wsProd, wsLocal auto.Workspace
	// teardownOpts make a workspace like ws for another program (the teardown's, which each
	// teardown adds), once Pulumi.yaml exists: another workspace must not be given the
	// project to write.
	teardownOpts []auto.LocalWorkspaceOption
	// releaseMu makes the release record's writes of one process one at a time: the module
	// stacks of a split release source are updated together (state_releases.go).
	releaseMu sync.Mutex
}

// New checks the options, finds the Pulumi CLI and prepares the workspace. It starts no
// engine: errors here are setup errors (IsSetup) that say what to fix.
func New(ctx context.Context, opts Options) (*Runner, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	opts, err := opts.withDefaults(ctx)
	if err != nil {
		return nil, err
	}
	wsOpts, err := projectOptions(opts)
	if err != nil {
		return nil, err
	}
	if opts.Pulumi == nil {
		if opts.Pulumi, err = findPulumi(ctx, opts); err != nil {
			return nil, err
		}
	}
	wsOpts = append(wsOpts, auto.Pulumi(opts.Pulumi))
	r := &Runner{teardownOpts: []auto.LocalWorkspaceOption{auto.WorkDir(opts.WorkDir), auto.Pulumi(opts.Pulumi)}}
	if opts, err = r.openWorkspaces(ctx, opts, wsOpts); err != nil {
		return nil, err
	}
	r.opts = opts
	if err = r.checkProject(ctx); err != nil {
		return nil, err
	}
	return r, nil
}

// projectOptions are the options of every workspace of the project in opts.WorkDir, but the
// CLI's.
func projectOptions(opts Options) ([]auto.LocalWorkspaceOption, error) {
	wsOpts := []auto.LocalWorkspaceOption{auto.WorkDir(opts.WorkDir), auto.Program(opts.Program)}
	hasProject, err := projectFileExists(opts.WorkDir)
	if err != nil {
		return nil, err
	}
	if !hasProject {
		if opts.ProjectSettings == nil {
			return nil, setupErrorf("no Pulumi.yaml in %s: run conveyor from the repository, which holds the project", opts.WorkDir)
		}
		// auto.Project writes Pulumi.yaml into WorkDir; it is only given when there is none,
		// because it would replace the repository's typed config with these bare settings.
		wsOpts = append(wsOpts, auto.Project(*opts.ProjectSettings))
	}
	return wsOpts, nil
}

// findPulumi finds or builds the CLI pinned in tools/pulumi, or the one the machine names.
func findPulumi(ctx context.Context, opts Options) (auto.PulumiCommand, error) {
	cli, err := pulumicli.Find(ctx, pulumicli.Options{RepoRoot: opts.RepoRoot, Getenv: opts.Getenv, Progress: opts.Log})
	if err != nil {
		return nil, &SetupError{Err: fmt.Errorf("the Pulumi CLI: %w", err)}
	}
	if cli.Source == pulumicli.SourcePath || cli.Source == pulumicli.SourceExplicit {
		// Not the pinned CLI: say so, since its behaviour may differ from what CI runs.
		fmt.Fprintf(opts.Log, "conveyor: using the Pulumi CLI v%s from %s (%s)\n", cli.Version, cli.Source, cli.Path)
	}
	return cli.Command, nil
}

// openWorkspaces makes r's workspaces: the local environments' stacks share the
// non-production backend, in a workspace of their own that skips the intermediate
// checkpoints; every other keeps them (state_checkpoints.go); production has its own when
// its settings are its own (state_tiers.go). It returns opts with the environment every CLI
// invocation but the local environments' gets.
func (r *Runner) openWorkspaces(ctx context.Context, opts Options, wsOpts []auto.LocalWorkspaceOption) (Options, error) {
	localEnv, otherEnv, notice := checkpointEnvs(opts.Getenv, opts.ExtraEnv)
	if notice != "" {
		fmt.Fprintf(opts.Log, "conveyor: %s\n", notice)
	}
	opts.ExtraEnv = otherEnv
	var err error
	if r.ws, err = newWorkspace(ctx, wsOpts, opts.Settings, opts.ExtraEnv); err != nil {
		return opts, fmt.Errorf("%s: %w", opts.WorkDir, err)
	}
	if r.wsLocal, err = newWorkspace(ctx, wsOpts, opts.Settings, localEnv); err != nil {
		return opts, fmt.Errorf("%s, local environments: %w", opts.WorkDir, err)
	}
	if opts.Settings.Prod != nil {
		if err := opts.Settings.Prod.checkSeparate(opts.Settings); err != nil {
			return opts, err
		}
		if r.wsProd, err = newWorkspace(ctx, wsOpts, *opts.Settings.Prod, opts.ExtraEnv); err != nil {
			return opts, fmt.Errorf("%s, production tier: %w", opts.WorkDir, err)
		}
	}
	return opts, nil
}

// checkProject checks that the work directory holds the project r runs, and that it keeps
// stack files where Conveyor reads them (stackfile.Dir).
func (r *Runner) checkProject(ctx context.Context) error {
	proj, err := r.ws.ProjectSettings(ctx)
	if err != nil {
		return fmt.Errorf("reading the project in %s: %w", r.opts.WorkDir, err)
	}
	if string(proj.Name) != r.opts.Project {
		return setupErrorf("%s/Pulumi.yaml is project %q, not %q", r.opts.WorkDir, proj.Name, r.opts.Project)
	}
	// The CLI reads and writes stack config in stackConfigDir; LocalWorkspace's own
	// StackSettings ignores it, so the Runner only ever goes through the CLI for config and
	// reads the files itself (stackfile) to compose a call's config and guard the file.
	if err := stackfile.CheckProjectDir(proj.StackConfigDir); err != nil {
		return setupErrorf("%s: %v", r.opts.WorkDir, err)
	}
	return nil
}

func projectFileExists(dir string) (bool, error) {
	for _, name := range []string{"Pulumi.yaml", "Pulumi.yml"} {
		_, err := os.Stat(filepath.Join(dir, name))
		if err == nil {
			return true, nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			return false, fmt.Errorf("looking for the project file: %w", err)
		}
	}
	return false, nil
}

// Workspace is the Automation API workspace the Runner runs in, for callers that need an
// operation the Runner does not offer; with production settings of its own (Settings.Prod),
// it is the non-production tier's, and WorkspaceFor names production's.
func (r *Runner) Workspace() auto.Workspace { return r.ws }

// WorkspaceFor is the workspace of env's tier: production's for prod and cluster-prod when
// they have settings of their own, Workspace otherwise.
func (r *Runner) WorkspaceFor(env string) auto.Workspace { return r.wsFor(env) }

// configFile is the path of env's stack config file.
func (r *Runner) configFile(env string) string { return stackfile.Path(r.opts.WorkDir, env) }

func (r *Runner) logf(format string, args ...any) {
	fmt.Fprintf(r.opts.Log, "conveyor: "+format+"\n", args...)
}
